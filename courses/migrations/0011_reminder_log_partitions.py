"""The reminder log built for scale: ``period_month`` (the month of each period), foreign keys without
database checks, and on PostgreSQL a table partitioned by that month (see courses/reminders/log_storage.py).

Django describes the model; PostgreSQL's partitioned table is built by hand at the end: the plain table
is renamed, a partitioned twin with the same columns and check constraints (no defaults: the id gets a
sequence of its own once the old table and its identity are gone) is created with its monthly
partitions, every existing row is copied over with its month computed in SQL, the plain table is
dropped, and the primary key, the unique key and the indexes are created on the parent under the names
Django knows. SQLite keeps a plain table; its rows get their month in Python.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

import courses.reminders.models
from courses.reminders import log_storage

TABLE = "courses_reminderlog"
MAINTAIN_TASK = "courses.long.reminder_log_maintain"


def months_fill(apps, schema_editor):
    """SQLite (a plain table): each distinct period's month, one UPDATE per period. PostgreSQL computes
    them while copying into the partitioned table (below)."""
    if schema_editor.connection.vendor == "postgresql":
        return
    ReminderLog = apps.get_model("courses", "ReminderLog")
    for period in ReminderLog.objects.values_list("period", flat=True).distinct().order_by():
        month = log_storage.period_month(period)
        if month != log_storage.TIMELESS:
            ReminderLog.objects.filter(period=period).update(period_month=month)


def _columns(cursor, table):
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                   "AND table_name = %s ORDER BY ordinal_position", [table])
    return [row[0] for row in cursor.fetchall()]


def _rebuild(schema_editor, *, partitioned):
    """Rebuild the log as a partitioned (or, going back, a plain) table, rows, keys and indexes included."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    old = f"{TABLE}_old"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {quote(TABLE)} RENAME TO {quote(old)}")
        cursor.execute(f"CREATE TABLE {quote(TABLE)} (LIKE {quote(old)} INCLUDING CONSTRAINTS)"
                       + (" PARTITION BY RANGE (period_month)" if partitioned else ""))
        columns = _columns(cursor, old)
        picked = [log_storage.period_month_sql("postgresql", quote("period")) if name == "period_month"
                  else quote(name) for name in columns]
        if partitioned:
            cursor.execute(f"SELECT DISTINCT {picked[columns.index('period_month')]} FROM {quote(old)}")  # noqa: S608
            months = {row[0] for row in cursor.fetchall()} | {log_storage.TIMELESS}
            months |= set(log_storage.wanted_months(timezone.now(), settings.REMINDER_LOG_RETENTION_DAYS))
            log_storage.partitions_create(cursor, TABLE, sorted(months))
        cursor.execute(f"INSERT INTO {quote(TABLE)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
                       f"SELECT {', '.join(picked)} FROM {quote(old)}")
        cursor.execute(f"DROP TABLE {quote(old)}")  # its identity sequence goes with it
        sequence = f"{TABLE}_id_seq"
        cursor.execute(f"CREATE SEQUENCE {quote(sequence)} OWNED BY {quote(TABLE)}.{quote('id')}")
        cursor.execute(f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {quote(TABLE)}), 0) + 1, false)",  # noqa: S608
                       [sequence])
        cursor.execute(f"ALTER TABLE {quote(TABLE)} ALTER COLUMN {quote('id')} SET DEFAULT nextval(%s::regclass)",
                       [sequence])
        key = "id, period_month" if partitioned else "id"
        cursor.execute(f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote(TABLE + '_pkey')} PRIMARY KEY ({key})")
        cursor.execute(f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote('reminder_log_once_per_period')} "
                       "UNIQUE (recipient_id, kind, subject_id, period, period_month)")
        cursor.execute(f"CREATE INDEX {quote('reminder_log_ready')} ON {quote(TABLE)} (not_before, id) "
                       "WHERE status = 'pending'")
        cursor.execute(f"CREATE INDEX {quote('reminder_log_recipient_claims')} ON {quote(TABLE)} "
                       "(recipient_id, claimed_at) WHERE claimed_at IS NOT NULL")
        cursor.execute(f"ANALYZE {quote(TABLE)}")


def to_partitioned(apps, schema_editor):
    _rebuild(schema_editor, partitioned=True)


def to_plain(apps, schema_editor):
    _rebuild(schema_editor, partitioned=False)


def create_maintain_schedule(apps, schema_editor):
    """Daily: create the coming months' partitions ahead of time and drop the expired ones; edit it in
    the admin (Periodic tasks), it is not overwritten at start-up."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.get_or_create(
        name="reminder-log-maintain",
        defaults={"task": MAINTAIN_TASK, "interval": every, "queue": "long",
                  "description": "Reminder log: create the coming months' partitions, drop the expired ones "
                                 "(REMINDER_LOG_RETENTION_DAYS)."},
    )


def remove_maintain_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="reminder-log-maintain").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('courses', '0010_course_covers'),
        ('lms', '0002_scim_and_key_scopes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='reminderlog',
            name='reminder_log_once_per_period',
        ),
        migrations.AddField(
            model_name='reminderlog',
            name='period_month',
            field=courses.reminders.models.PeriodMonthField(default=0, editable=False, help_text='The month of the period (YYYYMM; 0: a period that names no time). The partition key on PostgreSQL.'),
        ),
        migrations.RunPython(months_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='reminderlog',
            name='enrollment',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='courses.enrollment'),
        ),
        migrations.AlterField(
            model_name='reminderlog',
            name='organization',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='lms.organization'),
        ),
        migrations.AlterField(
            model_name='reminderlog',
            name='recipient',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='reminderlog',
            constraint=models.UniqueConstraint(fields=('recipient', 'kind', 'subject_id', 'period', 'period_month'), name='reminder_log_once_per_period'),
        ),
        migrations.RemoveIndex(
            model_name='reminderlog',
            name='reminder_log_recipient_claims',
        ),
        migrations.AddIndex(
            model_name='reminderlog',
            index=models.Index(condition=models.Q(('claimed_at__isnull', False)), fields=['recipient', 'claimed_at'], name='reminder_log_recipient_claims'),
        ),
        migrations.RunPython(to_partitioned, to_plain),
        migrations.RunPython(create_maintain_schedule, remove_maintain_schedule),
    ]

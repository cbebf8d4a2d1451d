"""``python -m bench.reminders``: how fast the reminder sweep selects and logs, and how fast reminders are mailed.

Two measurements, on PostgreSQL database ``lms_reminders_bench`` (BENCH_REMINDERS_DB_NAME) and the bench Redis
(BENCH_REDIS_URL):

1. **Sweep.** ``--enrollments`` enrollments (default 1,000,000; 5 per learner over 20 courses, a mix of
   active, completed and withdrawn, started or not, with and without due dates, learners in three time
   zones and teams of ten under a manager) generated set-based with ``INSERT ... SELECT generate_series``.
   The project side is ``reminders_select``: for every kind one ``INSERT INTO reminder log SELECT <due
   rows> ON CONFLICT DO NOTHING`` into an empty log (truncated before each round). The **floor** is
   PostgreSQL's ``SELECT count(*)`` over each kind's same due-rows query: the least any sweep could
   do is find the rows. Rounds alternate project and floor. Then full re-sweeps (log already full: every row
   a conflict; the sweep that runs at least daily and when rules change), again alternating with the floor,
   the best of each compared (each figure against the floor of its own rounds); the first re-sweep, straight
   after the bulk insert, also sets the new rows' hint bits (a cost paid once) and is reported beside the
   figure. Then the periodic re-sweep: 15 minutes after the first pass, from the marks it left
   (courses/reminders/services/sweep_marks.py), against the count floor at that moment; before each round the
   marks are put back where the first pass left them and the rows the round logged are removed, so every
   round does the same work. The generated enrollments' ``updated_at`` is their last write (their last
   activity, or enrolling), so the few active in the last hour count as changed. The first dispatch batch is
   timed too; targets: first pass at most 8x the floor, each re-sweep at most 1.5x. Then the figures that do
   not depend on
   the machine's load, for
   docs/reminder-log-growth.md: bytes per logged row (heap, and with indexes, summed over the
   partitions) and WAL bytes per row of a first pass (``pg_current_wal_lsn()`` before and after).
2. **Mail.** ``--emails`` reminders sent by ``reminders_send`` in batches of ``REMINDER_SEND_BATCH`` (one
   SMTP connection per batch, as a worker does: claim, render HTML + text, send, record) to a local
   aiosmtpd on loopback, against the floor of ``smtplib`` pushing the same number of pre-rendered
   messages of the same size, over one connection per batch of ``REMINDER_SEND_BATCH`` like the project.

Figures are appended to bench/RESULTS.md (``--no-record`` to skip). ``--mail-only`` runs the mail measurement
alone, after one untimed sweep, and records nothing: with a smaller ``--enrollments`` (20,000 still leaves
thousands of due rows) it is the quick loop for work on the send path; the figure is measured the same way.
``--aged-periods N`` measures the re-sweeps over a log that has run for a while (every dated row with N older
periods a week apart) and records nothing either: docs/reminder-log-growth.md, "a log that has aged".
"""
from __future__ import annotations

import argparse
import os
import platform
import smtplib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench import environment, machine, targets

DB_NAME = os.environ.get("BENCH_REMINDERS_DB_NAME", "lms_reminders_bench")  # its own: a million enrollments
ORG_SLUG = "reminders-bench"
COURSES = 20
PER_LEARNER = 5


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.splitlines()[0])
    parser.add_argument("--enrollments", type=int, default=1_000_000, help="enrollments (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating project/floor rounds (default 3)")
    parser.add_argument("--emails", type=int, default=2000, help="reminders mailed (default 2000)")
    parser.add_argument("--reset-db", action="store_true", help=f"drop and recreate {DB_NAME}")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    parser.add_argument("--mail-only", action="store_true",
                        help="only the mail figure, printed: one untimed sweep fills the log, no sweep rounds, "
                             "nothing recorded in RESULTS.md or var/bench/figures.json (for work on the send path)")
    parser.add_argument("--aged-periods", type=int, default=0, metavar="N",
                        help="only the sweeps over an aged log, printed: after one untimed first pass, every row with "
                             "a dated period gets N older periods a week apart (within retention), then full and "
                             "periodic re-sweeps against their count floors; nothing recorded")
    args = parser.parse_args(argv)
    if args.aged_periods < 0:
        parser.error("--aged-periods must be 0 or more")
    if min(args.enrollments, args.rounds, args.emails) < 1:
        parser.error("sizes must be at least 1")
    return args


def setup_django(reset: bool) -> None:
    import psycopg
    from psycopg import sql

    environment.configure()
    os.environ["DATABASE_URL"] = environment.database_url(DB_NAME)
    with psycopg.connect(environment.database_url("postgres"), autocommit=True, connect_timeout=5) as conn:
        if reset:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
            print(f"created database {DB_NAME}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def generate(enrollments: int) -> dict:
    """Learners, memberships with managers, and enrollments, set-based; reused when already there."""
    from django.db import connection, transaction
    from django.db.models.functions import Coalesce, Greatest

    from courses.catalog import services
    from courses.catalog.models import Course
    from courses.enrollments.models import Enrollment
    from lms.models import Membership, Organization, User

    org, _ = Organization.objects.get_or_create(slug=ORG_SLUG, defaults={"name": "Reminders Bench",
                                                                         "timezone": "UTC"})
    courses = list(Course.objects.filter(slug__startswith="reminders-bench-").order_by("id"))
    for n in range(len(courses), COURSES):
        with transaction.atomic():
            course = services.course_create(slug=f"reminders-bench-{n}", title=f"Bench course {n}",
                                            organization=org)
            module = services.module_create(course=course, title="Module 1")
            services.activity_create(module=module, title="Lesson", lesson={"content_type": "article",
                                                                            "body": "Listen first."})
            services.course_publish(course=course)
        courses.append(course)
    learners = -(-enrollments // PER_LEARNER)
    have = Enrollment.objects.filter(organization=org).count()
    # Data of an earlier version stamped every row's updated_at with the moment it was generated.
    stale = Enrollment.objects.filter(organization=org, status=Enrollment.Status.ACTIVE,
                                      updated_at__gt=Greatest("enrolled_at", Coalesce("last_activity_at",
                                                                                      "enrolled_at"))).exists()
    if have == learners * PER_LEARNER and not stale:
        print(f"reusing {have:,} enrollments")
        return {"org": org, "enrollments": have}
    started = time.monotonic()
    Enrollment.objects.filter(organization=org).delete()
    users, members, enrollment_table = User._meta.db_table, Membership._meta.db_table, Enrollment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {members} WHERE organization_id = %s", [org.pk])
        cursor.execute(f"DELETE FROM {users} WHERE email LIKE 'rb-%%@bench.example'")
        print(f"learners: {learners:,}")
        cursor.execute(f"""
            INSERT INTO {users} (password, is_superuser, first_name, last_name, email, is_staff, is_active,
                                 date_joined, timezone, language)
            SELECT '!', false, 'Learner' || g, 'Bench', 'rb-' || g || '@bench.example', false, true, now(),
                   (ARRAY['', 'Asia/Tokyo', 'America/Sao_Paulo'])[1 + mod(g, 3)],
                   CASE WHEN mod(g, 4) = 0 THEN 'pt-BR' ELSE '' END
            FROM generate_series(1, %s) g""", [learners])
        cursor.execute(f"""
            INSERT INTO {members} (user_id, organization_id, employee_id, is_learner, is_instructor, is_supervisor,
                                   is_hr, is_org_admin, is_active, created_at, updated_at)
            SELECT id, %s, '', true, false, false, false, false, true, now(), now()
            FROM {users} WHERE email LIKE 'rb-%%@bench.example' ORDER BY id""", [org.pk])
        # Teams of ten: the first membership of each block of ten manages the other nine.
        cursor.execute(f"""
            UPDATE {members} m SET manager_id = first.min_id + ((m.id - first.min_id) / 10) * 10
            FROM (SELECT min(id) AS min_id FROM {members} WHERE organization_id = %s) first
            WHERE m.organization_id = %s AND mod(m.id - first.min_id, 10) <> 0""", [org.pk, org.pk])
        print(f"enrollments: {learners * PER_LEARNER:,}")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(f"""
            INSERT INTO {enrollment_table} (user_id, course_id, organization_id, status, enrolled_at, due_at,
                                            completed_at, withdrawn_at, last_activity_at, progress_percent,
                                            time_spent_seconds, updated_at)
            SELECT u.user_id, c.ids[1 + mod(u.n + k, {COURSES})], %s, s.status, s.enrolled_at,
                   CASE WHEN s.r4 < 0.5 THEN s.enrolled_at + interval '30 days' END,
                   CASE WHEN s.status = 'completed' THEN now() END,
                   CASE WHEN s.status = 'withdrawn' THEN now() END,
                   CASE WHEN s.r3 < 0.25 THEN NULL
                        ELSE s.enrolled_at + (now() - s.enrolled_at) * s.r3 END,
                   CASE WHEN s.r3 < 0.25 THEN 0 ELSE (s.r3 * 90)::int END, 0,
                   CASE WHEN s.status <> 'active' THEN now() WHEN s.r3 < 0.25 THEN s.enrolled_at
                        ELSE s.enrolled_at + (now() - s.enrolled_at) * s.r3 END
            FROM (SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM {members}
                  WHERE organization_id = %s) u
            CROSS JOIN generate_series(0, {PER_LEARNER - 1}) k
            CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM courses_course
                        WHERE slug LIKE 'reminders-bench-%%') c
            CROSS JOIN LATERAL (
                SELECT CASE WHEN r1 < 0.2 THEN 'completed' WHEN r1 < 0.25 THEN 'withdrawn' ELSE 'active' END
                       AS status, now() - interval '60 days' * r2 AS enrolled_at, r2, r3, r4
                FROM (SELECT random() + 0 * k AS r1, random() + 0 * u.n AS r2, random() + 0 * k AS r3,
                             random() + 0 * k AS r4) r
            ) s""", [org.pk, org.pk])
        cursor.execute(f"ANALYZE {enrollment_table}")
        cursor.execute(f"ANALYZE {members}")
        cursor.execute(f"ANALYZE {users}")
    print(f"generated in {time.monotonic() - started:.1f} s")
    return {"org": org, "enrollments": Enrollment.objects.filter(organization=org).count()}


def due_count(moment, policies: dict) -> int:
    """The floor: ``SELECT count(*)`` of each swept kind's due rows at ``moment`` (HR's hand-sent kind is not
    swept, so not counted)."""
    from courses.reminders.registry import sources

    return sum(src.due(now=moment, policies=policies[kind]).count() for kind, src in sources().items() if src.swept)


def marks_back(now, later) -> None:
    """Untimed, before a periodic round: the marks as the first pass at ``now`` left them, and the rows an
    earlier round logged at ``later`` removed, so every round does the same work."""
    from courses.reminders.models import ReminderLog, ReminderSweepMark

    ReminderLog.objects.filter(created_at=later).delete()
    ReminderSweepMark.objects.update(swept_until=now, full_at=now)


def sweep_rounds(rounds: int) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from courses.reminders import services as reminders
    from courses.reminders.models import ReminderLog, ReminderSweepMark
    from courses.reminders.registry import ReminderSource, sources

    now = timezone.now()
    later = now + timedelta(minutes=15)  # the next periodic sweep
    policies = reminders.effective_policies()

    def floor() -> int:
        return due_count(now, policies)

    def project() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {ReminderLog._meta.db_table}, {ReminderSweepMark._meta.db_table}")
        return sum(reminders.reminders_select(now=now, full=True).values())

    def resweep() -> int:  # the log already full
        return sum(reminders.reminders_select(now=now, full=True).values())

    def periodic() -> int:
        return sum(reminders.reminders_select(now=later).values())

    first_pass = alternate(rounds, {"project": project, "floor": floor})
    # Re-sweeps over the full log, alternating with the floor again, compared like the first pass: the least
    # of each side, the floor from these rounds (each figure against the floor measured beside it). The first
    # re-sweep, right after the bulk insert, also sets the new rows' hint bits, a cost paid once per insert;
    # it is reported beside the figure, not as it.
    lead = alternate(1, {"resweep": resweep})
    again = alternate(rounds, {"floor": floor, "resweep": resweep})
    resweep_times = lead.times["resweep"] + again.times["resweep"]
    periodic_rounds = alternate(rounds, {"periodic": periodic, "floor_later": lambda: due_count(later, policies)},
                                prepare={"periodic": lambda: marks_back(now, later)})
    periodic_new = periodic_rounds.results["periodic"]
    windowed = [kind for kind, src in sources().items() if src.swept and type(src).due_since is not
                ReminderSource.due_since]  # the kinds that can sweep from a mark (the others always sweep in full)
    if len(set(periodic_new)) != 1 or ReminderSweepMark.objects.filter(kind__in=windowed).exclude(full_at=now).exists():
        raise AssertionError(f"periodic rounds logged {periodic_new} rows, or swept {windowed} in full")
    inserted, due = first_pass.results["project"][-1], first_pass.results["floor"][-1]
    logged_again = sum(lead.results["resweep"] + again.results["resweep"])
    # The first pass's rows by kind (the last periodic round's rows, logged at ``later``, left out).
    by_kind = dict(ReminderLog.objects.exclude(created_at=later).values_list("kind").annotate(n=Count("id")))
    if inserted != due or logged_again != 0:
        raise AssertionError(f"inserted {inserted} rows for {due} due, re-sweeps inserted {logged_again}")
    return {"due": due, "by_kind": by_kind, "project": min(first_pass.times["project"]),
            "floor": min(first_pass.times["floor"]), "project_all": first_pass.times["project"],
            "floor_all": first_pass.times["floor"], "resweep": min(resweep_times[1:]),
            "resweep_first": resweep_times[0], "resweep_all": resweep_times,
            "resweep_floor": min(again.times["floor"]), "resweep_floor_all": again.times["floor"],
            "periodic": min(periodic_rounds.times["periodic"]), "periodic_all": periodic_rounds.times["periodic"],
            "periodic_floor": min(periodic_rounds.times["floor_later"]),
            "periodic_floor_all": periodic_rounds.times["floor_later"], "periodic_new": periodic_new[0],
            **per_row_costs(now)}


@dataclass
class Rounds:
    times: dict[str, list[float]]  # seconds of each run, per side
    results: dict[str, list[int]]  # what each run returned, per side


def alternate(rounds: int, sides: dict[str, Callable[[], int]],
              prepare: dict[str, Callable[[], None]] | None = None) -> Rounds:
    """``rounds`` runs of every side, in the given order and then reversed, turn about, so a machine that
    gets busier slows every side alike. ``prepare[side]``, when given, runs untimed before each run of it."""
    out = Rounds({side: [] for side in sides}, {side: [] for side in sides})
    names = list(sides)
    for round_no in range(rounds):
        for side in names if round_no % 2 == 0 else names[::-1]:
            if prepare and side in prepare:
                prepare[side]()
            started = time.perf_counter()
            out.results[side].append(sides[side]())
            out.times[side].append(time.perf_counter() - started)
    return out


def log_bytes() -> dict:
    """Heap and total (heap + indexes + TOAST) bytes of the log, over its partitions when partitioned."""
    from django.db import connection

    from courses.reminders.models import ReminderLog

    table = ReminderLog._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT COALESCE(sum(pg_relation_size(rel)), 0), COALESCE(sum(pg_total_relation_size(rel)), 0)
            FROM (SELECT inhrelid AS rel FROM pg_inherits WHERE inhparent = to_regclass(%s)
                  UNION ALL SELECT to_regclass(%s) WHERE NOT EXISTS (
                      SELECT 1 FROM pg_inherits WHERE inhparent = to_regclass(%s))) parts""", [table] * 3)
        heap, total = cursor.fetchone()
    return {"heap": int(heap), "total": int(total)}


def per_row_costs(now) -> dict:
    """Figures that do not depend on the machine's load: bytes per logged row on disk (heap, and with
    indexes) and WAL bytes per row for the first pass (pg_current_wal_lsn before and after, on an
    otherwise idle database of our own), plus the re-sweep's WAL. One more first pass, not timed."""
    from django.db import connection

    from courses.reminders import services as reminders
    from courses.reminders.models import ReminderLog

    def lsn() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            return cursor.fetchone()[0]

    def wal_since(start: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [start])
            return int(cursor.fetchone()[0])

    with connection.cursor() as cursor:  # WAL counts the full-page images that happen to fall in the pass
        cursor.execute(f"TRUNCATE {ReminderLog._meta.db_table}")
    start = lsn()
    rows = sum(reminders.reminders_select(now=now, full=True).values())
    first_wal = wal_since(start)
    start = lsn()
    reminders.reminders_select(now=now, full=True)
    resweep_wal = wal_since(start)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {ReminderLog._meta.db_table}")
    sizes = log_bytes()
    return {"rows": rows, "wal_per_row": first_wal / max(rows, 1), "resweep_wal": resweep_wal,
            "heap_per_row": sizes["heap"] / max(rows, 1), "total_per_row": sizes["total"] / max(rows, 1)}


def dispatch_batch() -> dict:
    from django.db import transaction

    from courses.reminders import services as reminders

    started = time.perf_counter()
    with transaction.atomic():  # the send tasks it would enqueue on commit are dropped by the rollback
        result = reminders.reminders_dispatch()
        transaction.set_rollback(True)
    return {"seconds": time.perf_counter() - started, **result}


def mail(emails: int) -> dict:
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection

    from courses.reminders import services as reminders
    from courses.reminders.models import ReminderLog

    class Counter:
        def __init__(self) -> None:
            self.count = 0

        async def handle_DATA(self, server, session, envelope):
            self.count += 1
            return "250 OK"

    import logging
    import socket

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        ids = list(ReminderLog.objects.filter(kind__in=["inactivity", "not_started", "overdue", "due_soon"],
                                              status=ReminderLog.Status.PENDING)
                   .order_by("id").values_list("pk", flat=True)[:emails])
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {ReminderLog._meta.db_table} SET not_before = now() WHERE id = ANY(%s)", [ids])
        sample = ReminderLog.objects.select_related("recipient", "organization", "enrollment__course",
                                                    "enrollment__user").get(pk=ids[0])
        message, language = reminders.reminder_messages_render([sample])[sample.pk]
        raw = reminders.reminder_email_build(sample, message, language).message().as_bytes(linesep="\r\n")
        batch = settings.REMINDER_SEND_BATCH

        started = time.perf_counter()
        sent = 0
        for i in range(0, len(ids), batch):
            sent += reminders.reminders_send(log_ids=ids[i:i + batch])["sent"]
        project = time.perf_counter() - started

        started = time.perf_counter()  # the same connection reuse as the project: one per batch
        for first in range(0, len(ids), batch):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(first, min(first + batch, len(ids))):
                    smtp.sendmail("bench@bench.example", [f"rb-{n}@bench.example"], raw)
        floor = time.perf_counter() - started
    finally:
        controller.stop()
    if sent != len(ids) or handler.count != 2 * len(ids):
        raise AssertionError(f"sent {sent} of {len(ids)}, server received {handler.count}")
    return {"emails": len(ids), "project_rate": len(ids) / project, "floor_rate": len(ids) / floor,
            "bytes": len(raw), "batch": batch}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    # Own load: this process, its PostgreSQL backend and the backend's two parallel workers (the sweep's
    # temporary tables are filled by a parallel SELECT); aiosmtpd is a thread of this process.
    watch = machine.LoadWatch(own=4)
    setup_django(args.reset_db)
    from bench.__main__ import check_redis

    check_redis()
    data = generate(args.enrollments)
    if args.mail_only:
        return mail_only(args.emails, watch)
    if args.aged_periods:
        return aged(args.aged_periods, args.rounds, watch)
    sweep = sweep_rounds(args.rounds)
    print(f"sweep over {data['enrollments']:,} enrollments: {sweep['due']:,} reminders due; INSERT ... SELECT "
          f"{sweep['project']:.2f} s vs floor SELECT count(*) {sweep['floor']:.2f} s "
          f"(ratio {sweep['floor'] / sweep['project']:.2f}); re-sweep {sweep['resweep']:.2f} s (the first, setting "
          f"hint bits, {sweep['resweep_first']:.2f} s); "
          f"by kind {sweep['by_kind']}")
    print(f"first pass {sweep['project'] / sweep['floor']:.2f}x the count floor (target <= 8x); full re-sweep "
          f"{sweep['resweep'] / sweep['resweep_floor']:.2f}x its rounds' floor of {sweep['resweep_floor']:.2f} s "
          f"(target <= 1.5x); periodic re-sweep 15 minutes later {sweep['periodic']:.2f} s, "
          f"{sweep['periodic'] / sweep['periodic_floor']:.2f}x its rounds' floor of {sweep['periodic_floor']:.2f} s "
          f"(target <= 1.5x), {sweep['periodic_new']:,} rows new")
    print(f"per logged row: {sweep['heap_per_row']:.0f} heap bytes, {sweep['total_per_row']:.0f} bytes with indexes, "
          f"{sweep['wal_per_row']:.0f} WAL bytes on the first pass; re-sweep WAL {sweep['resweep_wal']:,} bytes "
          f"over {sweep['rows']:,} rows")
    count = f"{sweep['floor']:.2f} s `SELECT count(*)` of {sweep['due']:,} due rows"
    targets.figure_put("reminder_first_pass", value=sweep["project"] / sweep["floor"], floor=count,
                       project=f"{sweep['project']:.2f} s over {data['enrollments']:,} enrollments")
    targets.figure_put("reminder_resweep", value=sweep["periodic"] / sweep["periodic_floor"],
                       floor=f"{sweep['periodic_floor']:.2f} s `SELECT count(*)` of the due rows 15 minutes later",
                       project=f"{sweep['periodic']:.2f} s, {sweep['periodic_new']:,} rows new")
    targets.figure_put("reminder_full_resweep", value=sweep["resweep"] / sweep["resweep_floor"],
                       floor=f"{sweep['resweep_floor']:.2f} s `SELECT count(*)` of {sweep['due']:,} due rows",
                       project=f"{sweep['resweep']:.2f} s, nothing new")
    dispatch = dispatch_batch()
    print(f"dispatch of one batch: {dispatch}")
    mailed = mail(args.emails)
    print(mail_line(mailed))
    targets.figure_put("reminder_mail", value=mailed["project_rate"] / mailed["floor_rate"],
                       project=f"{mailed['project_rate']:.1f} reminders/s",
                       floor=f"{mailed['floor_rate']:.1f} raw messages/s", watch=watch)
    if args.no_record:
        print(watch.finish().line())
    else:
        record(argv, data, sweep, dispatch, mailed, watch)
    return 0


def mail_line(mailed: dict) -> str:
    return (f"mail: {mailed['project_rate']:.1f} reminders/s vs floor {mailed['floor_rate']:.1f} raw messages/s "
            f"(ratio {mailed['project_rate'] / mailed['floor_rate']:.2f}) over {mailed['emails']} messages")


def mail_only(emails: int, watch: machine.LoadWatch) -> int:
    """The mail measurement alone, over a log filled by one untimed first pass. A partial run: its figure is
    printed, never left for ``bench.targets`` (the table wants every figure of one full run)."""
    from django.db import connection

    from courses.reminders import services as reminders
    from courses.reminders.models import ReminderLog

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {ReminderLog._meta.db_table}")
    reminders.reminders_select(full=True)
    with connection.cursor() as cursor:  # as the full run leaves the log (per_row_costs)
        cursor.execute(f"VACUUM ANALYZE {ReminderLog._meta.db_table}")
    print(mail_line(mail(emails)))
    print(watch.finish().line())
    return 0


def aged(periods: int, rounds: int, watch: machine.LoadWatch) -> int:
    """The re-sweeps over a log that has run for a while, printed. A partial run: never left for
    ``bench.targets`` (the table wants every figure of one full run)."""
    result = aged_sweeps(periods, rounds)
    print(f"aged log: {result['due']:,} rows of a first pass and {result['added']:,} older periods ({periods} a "
          f"dated row at most): {result['rows']:,} rows, {result['rows'] / max(result['due'], 1):.1f} times the "
          f"due rows")
    print(f"aged log: full re-sweep {result['full']:.2f} s, {result['full'] / result['full_floor']:.2f}x its rounds' "
          f"floor of {result['full_floor']:.2f} s ({result['full'] / max(result['due'], 1) * 1e6:.1f} us per due "
          f"row); periodic re-sweep {result['periodic']:.2f} s, "
          f"{result['periodic'] / result['periodic_floor']:.2f}x its rounds' floor of "
          f"{result['periodic_floor']:.2f} s, {result['periodic_new']:,} rows new (targets <= 1.5x, as for the "
          f"fresh log)")
    print(watch.finish().line())
    return 0


def aged_sweeps(periods: int, rounds: int) -> dict:
    """One untimed first pass, then ``periods`` older copies of every row whose period is a day (each a week
    before the last, kept only within retention), as the earlier stretches of inactivity and earlier due
    dates of the same enrollments would be; then full and periodic re-sweeps alternating with their count
    floors as in the full run (the best of each)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from courses.reminders import log_storage
    from courses.reminders import services as reminders
    from courses.reminders.models import ReminderLog, ReminderSweepMark

    table = ReminderLog._meta.db_table
    now = timezone.now()
    later = now + timedelta(minutes=15)
    policies = reminders.effective_policies()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}, {ReminderSweepMark._meta.db_table}")
    due = sum(reminders.reminders_select(now=now, full=True).values())
    horizon = log_storage.month_start(log_storage.horizon_month(now, settings.REMINDER_LOG_RETENTION_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {table} (recipient_id, kind, subject_id, period, period_month, enrollment_id,
                                 organization_id, status, created_at, not_before, attempts, digest_period, detail)
            SELECT recipient_id, kind, subject_id, to_char(day, 'YYYY-MM-DD'), to_char(day, 'YYYYMM')::int,
                   enrollment_id, organization_id, 'sent', created_at, not_before, 0, '', ''
            FROM (SELECT log.*, log.period::date - 7 * k AS day FROM {table} log
                  CROSS JOIN generate_series(1, %s) k WHERE log.period ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') older
            WHERE day >= %s""", [periods, horizon])
        added = cursor.rowcount
        cursor.execute(f"VACUUM ANALYZE {table}")

    full = alternate(rounds, {"floor": lambda: due_count(now, policies),
                              "resweep": lambda: sum(reminders.reminders_select(now=now, full=True).values())})
    periodic = alternate(rounds, {"periodic": lambda: sum(reminders.reminders_select(now=later).values()),
                                  "floor_later": lambda: due_count(later, policies)},
                         prepare={"periodic": lambda: marks_back(now, later)})
    marks_back(now, later)
    new = periodic.results["periodic"]
    if sum(full.results["resweep"]) != 0 or len(set(new)) != 1:
        raise AssertionError(f"full re-sweeps over the aged log inserted {full.results['resweep']} rows, "
                             f"periodic rounds {new}")
    return {"due": due, "added": added, "rows": due + added, "full": min(full.times["resweep"]),
            "full_floor": min(full.times["floor"]), "periodic": min(periodic.times["periodic"]),
            "periodic_floor": min(periodic.times["floor_later"]), "periodic_new": new[0]}


def record(argv, data, sweep, dispatch, mailed, watch: machine.LoadWatch) -> None:
    import django

    pg = machine.postgres_version()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python -m bench.reminders", *argv])
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(sweep["by_kind"].items()))
    lines = [
        f"\n## {stamp} — `{command}`\n",
        f"- nproc {os.cpu_count()}, {platform.machine()}, Linux {platform.release()}; Python "
        f"{platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg}; database {DB_NAME}",
        "",
        "| measurement | project | floor | ratio (floor ÷ project time, or project ÷ floor rate) |",
        "|:--|--:|--:|--:|",
        f"| sweep over {data['enrollments']:,} enrollments: INSERT ... SELECT ... ON CONFLICT DO NOTHING for every "
        f"kind into an empty log vs `SELECT count(*)` of the same due rows, best of {len(sweep['project_all'])} "
        f"(seconds) | {sweep['project']:.2f} | {sweep['floor']:.2f} | {sweep['floor'] / sweep['project']:.2f} |",
        f"| reminders mailed per second to aiosmtpd on loopback (claim + render HTML/text + send + record, "
        f"{mailed['batch']} per connection) vs smtplib sending the same {mailed['bytes']:,}-byte message, "
        f"{mailed['batch']} per connection | {mailed['project_rate']:.1f} | {mailed['floor_rate']:.1f} | "
        f"{mailed['project_rate'] / mailed['floor_rate']:.2f} |",
        "",
        f"- due rows logged: {sweep['due']:,} ({kinds}); all rounds project "
        f"{', '.join(f'{t:.2f}' for t in sweep['project_all'])} s, floor "
        f"{', '.join(f'{t:.2f}' for t in sweep['floor_all'])} s.",
        f"- full re-sweep with the log already full (every row a conflict, nothing inserted): "
        f"{sweep['resweep']:.2f} s, "
        f"best of {len(sweep['resweep_all']) - 1} alternating with the floor (best {sweep['resweep_floor']:.2f} s: "
        f"{sweep['resweep'] / sweep['resweep_floor']:.2f}x); the first, straight after the bulk insert and setting "
        f"its rows' hint bits, {sweep['resweep_first']:.2f} s (all re-sweeps "
        f"{', '.join(f'{t:.2f}' for t in sweep['resweep_all'])} s, their floors "
        f"{', '.join(f'{t:.2f}' for t in sweep['resweep_floor_all'])} s).",
        f"- periodic re-sweep 15 minutes after the first pass, from its marks ({sweep['periodic_new']:,} rows "
        f"new): {sweep['periodic']:.2f} s, best of {len(sweep['periodic_all'])} alternating with the count floor at "
        f"that moment (best {sweep['periodic_floor']:.2f} s: {sweep['periodic'] / sweep['periodic_floor']:.2f}x; all "
        f"{', '.join(f'{t:.2f}' for t in sweep['periodic_all'])} s, their floors "
        f"{', '.join(f'{t:.2f}' for t in sweep['periodic_floor_all'])} s).",
        f"- dispatch of the first batch ({dispatch['sent'] + dispatch['deferred'] + dispatch['suppressed']:,} "
        f"rows: {dispatch['sent']:,} to send, {dispatch['deferred']:,} deferred, {dispatch['folded']:,} folded into "
        f"digests): {dispatch['seconds']:.2f} s.",
        "",
    ]
    machine.append_results(lines, watch)


if __name__ == "__main__":
    sys.exit(main())

"""The catalog's full-text index (courses/catalog/search_index.py): a document per course, a GIN index and
the ``unaccent`` extension on PostgreSQL, an FTS5 table on SQLite; existing courses are indexed."""
import django.contrib.postgres.search
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

FTS_TABLE = "catalog_course_fts"


def create_backend_objects(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name("courses_coursesearchdocument")
    if connection.vendor == "postgresql":
        # unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema_editor.execute(f"CREATE INDEX course_search_vector_gin ON {table} USING gin (vector)")
    else:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, summary, tags, description, "
            "lessons, tokenize = 'porter unicode61 remove_diacritics 2')")


def drop_backend_objects(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS course_search_vector_gin")
    else:
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def index_existing_courses(apps, schema_editor):
    from courses.catalog.search_index import Document, index_write  # noqa: PLC0415 - the builder, at run time

    Course = apps.get_model("courses", "Course")
    Lesson = apps.get_model("courses", "Lesson")
    Activity = apps.get_model("courses", "Activity")
    for course in Course.objects.all().prefetch_related("tags"):
        lessons = [title for title in Activity.objects.filter(course=course).order_by("position", "id")
                   .values_list("title", flat=True)]
        for body, transcript in Lesson.objects.filter(activity__course=course).values_list("body", "transcript"):
            lessons += [body, transcript]
        index_write(course.pk, Document(
            title=course.title, summary=course.summary, tags=" ".join(tag.name for tag in course.tags.all()),
            description=course.description, lessons="\n".join(text for text in lessons if text),
            language=course.language))


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0006_workshop_email_rescheduled'),
    ]

    operations = [
        migrations.CreateModel(
            name='CourseSearchDocument',
            fields=[
                ('course', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='courses.course')),
                ('vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(create_backend_objects, drop_backend_objects),
        migrations.RunPython(index_existing_courses, migrations.RunPython.noop),
    ]

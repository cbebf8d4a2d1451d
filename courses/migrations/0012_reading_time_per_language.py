"""Reading time per language, and a course's estimate counts its required activities only.

The data step recomputes what earlier code stored: each article's reading minutes at its course
language's rate (a copy of courses.catalog.lesson_content.READING_WORDS_PER_MINUTE as it was when this
migration was written, so later changes there do not rewrite history), the article activities'
estimates, and every course's estimate as the sum of its required activities.
"""
import math

from django.db import migrations, models
from django.db.models import Sum

WORDS_PER_MINUTE = {"en": 238, "pt": 229}


def _reading_minutes(words, language):
    if words <= 0:
        return 0
    rate = WORDS_PER_MINUTE.get((language or "").split("-")[0].lower(), WORDS_PER_MINUTE["en"])
    return max(1, math.ceil(words / rate))


def recompute(apps, schema_editor):
    Lesson = apps.get_model("courses", "Lesson")
    Activity = apps.get_model("courses", "Activity")
    Course = apps.get_model("courses", "Course")
    lessons = Lesson.objects.select_related("activity__course").only(
        "word_count", "reading_minutes", "content_type", "activity__estimated_minutes", "activity__course__language")
    for lesson in lessons.iterator(chunk_size=500):
        minutes = _reading_minutes(lesson.word_count, lesson.activity.course.language)
        if minutes == lesson.reading_minutes:
            continue
        Lesson.objects.filter(pk=lesson.pk).update(reading_minutes=minutes)
        if lesson.content_type == "article":
            Activity.objects.filter(pk=lesson.activity_id).update(estimated_minutes=minutes)
    for course_id in Course.objects.values_list("pk", flat=True).iterator(chunk_size=500):
        total = Activity.objects.filter(course_id=course_id, required=True).aggregate(
            total=Sum("estimated_minutes"))["total"] or 0
        Course.objects.filter(pk=course_id).update(estimated_minutes=total)


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0011_reminder_log_partitions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='course',
            name='estimated_minutes',
            field=models.PositiveIntegerField(default=0, editable=False, help_text="Sum of the required activities' estimates: the time completing the course takes."),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]

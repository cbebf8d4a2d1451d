"""Small display helpers for the course pages: durations, language names, activity kinds, ratings."""
from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language_info, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from courses.catalog.covers import Cover, course_cover

register = template.Library()

KIND_LABELS = {
    "lesson": _("Lesson"),
    "quiz": _("Quiz"),
    "roleplay": _("Role-play"),
    "workshop": _("Workshop"),
    "survey": _("Survey"),
}
LESSON_TYPE_LABELS = {
    "article": _("Article"),
    "video": _("Video"),
    "ebook": pgettext_lazy("lesson type", "Ebook"),
}


@register.filter
def duration(minutes) -> str:
    """45 -> "45 min"; 60 -> "1 h"; 135 -> "2 h 15 min"."""
    try:
        minutes = max(int(minutes or 0), 0)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return gettext("%(minutes)s min") % {"minutes": rest}
    if not rest:
        return gettext("%(hours)s h") % {"hours": hours}
    return gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}


@register.filter
def language_name(code: str) -> str:
    """A course language in its own words ("pt-BR" -> "Português (Brasil)"); the code when unknown."""
    named = {key.lower(): name for key, name in settings.LANGUAGES}  # the names the language menu shows
    if (code or "").lower() in named:
        return named[code.lower()]
    try:
        return get_language_info((code or "").lower())["name_local"]
    except KeyError:
        try:
            return get_language_info((code or "").split("-")[0].lower())["name_local"]
        except KeyError:
            return code


@register.filter
def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@register.filter
def lesson_type_label(content_type: str) -> str:
    return str(LESSON_TYPE_LABELS.get(content_type, content_type))


@register.filter
def rating_text(course) -> str:
    """ "4.5 out of 5 (12 ratings)" or "No ratings yet", so the rating never rests on stars alone."""
    if not course.rating_count or course.rating_average is None:
        return gettext("No ratings yet")
    count = course.rating_count
    average = number_format(course.rating_average, 1)
    return ngettext("%(average)s out of 5 (%(count)s rating)", "%(average)s out of 5 (%(count)s ratings)",
                    count) % {"average": average, "count": count}


@register.filter
def seconds_duration(seconds) -> str:
    """A video's length in whole minutes, rounded up (90 -> "2 min")."""
    try:
        seconds = max(int(seconds or 0), 0)
    except (TypeError, ValueError):
        return ""
    return duration(-(-seconds // 60))


@register.filter
def cover(course) -> Cover:
    """The course's cover (courses/catalog/covers.py): the uploaded picture's sizes, or the generated SVG."""
    return course_cover(course)

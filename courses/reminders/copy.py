"""Words shared by every reminder, per language, and the links messages carry."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from courses.catalog.models import Activity
from courses.enrollments.models import ActivityProgress, Enrollment

COMMON = {
    "en": {
        "greeting": "Hello {name},",
        "why": "You receive this because you take training with {organization} on Empathy LMS.",
        "unsubscribe_kind": "Stop reminders like this one",
        "unsubscribe_all": "Manage your reminder settings",
        "signature": "— {organization}, via Empathy LMS",
    },
    "pt-br": {
        "greeting": "Olá, {name}!",
        "why": "Você recebe esta mensagem porque faz treinamentos da {organization} no Empathy LMS.",
        "unsubscribe_kind": "Não quero mais lembretes como este",
        "unsubscribe_all": "Ajustar minhas preferências de lembretes",
        "signature": "— {organization}, pelo Empathy LMS",
    },
}


def language_of(value: str) -> str:
    """en or pt-br from a BCP 47 tag (pt, pt-BR, pt-PT all read Brazilian Portuguese here)."""
    return "pt-br" if (value or "").lower().startswith("pt") else "en"


def format_date(moment, language: str) -> str:
    with translation.override(language):
        return formats.date_format(moment, "DATE_FORMAT")


def activity_url(*, course_slug: str, activity_id: int | None, activity_kind: str, enrollment_id: int) -> str:
    """The deep link to an activity. ``LEARNER_ACTIVITY_URL`` (a format string with {site}, {course},
    {activity}, {enrollment}) points it at a front end; by default it is the activity's page, or the course's
    page when no activity is left."""
    site = settings.SITE_URL
    template = getattr(settings, "LEARNER_ACTIVITY_URL", "")
    if template and activity_id:
        return template.format(site=site, course=course_slug, activity=activity_id, enrollment=enrollment_id)
    if activity_id:
        return site + reverse("pages:activity", args=[course_slug, activity_id])
    return site + reverse("pages:course", args=[course_slug])


def next_activity_links(enrollments: list[Enrollment]) -> dict[int, str]:
    """{enrollment id: link to its next activity} for a batch, in two queries: the first required
    activity not passed yet in course order, else the first optional one (as the API's next_activity)."""
    if not enrollments:
        return {}
    by_course: dict[int, list[dict]] = {}
    for row in (Activity.objects.filter(course_id__in={e.course_id for e in enrollments})
                .order_by("module__position", "module_id", "position", "id")
                .values("id", "course_id", "kind", "required")):
        by_course.setdefault(row["course_id"], []).append(row)
    passed = set(ActivityProgress.objects.filter(enrollment_id__in=[e.pk for e in enrollments],
                                                 status=ActivityProgress.Status.PASSED)
                 .values_list("enrollment_id", "activity_id"))
    links = {}
    for enrollment in enrollments:
        pending = [a for a in by_course.get(enrollment.course_id, []) if (enrollment.pk, a["id"]) not in passed]
        chosen = next((a for a in pending if a["required"]), pending[0] if pending else None)
        links[enrollment.pk] = activity_url(
            course_slug=enrollment.course.slug, activity_id=chosen["id"] if chosen else None,
            activity_kind=chosen["kind"] if chosen else "", enrollment_id=enrollment.pk)
    return links

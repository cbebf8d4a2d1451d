"""Reads for the courses app, scoped to the caller through lms.scoping (GUIDE §3).

Who sees what:
- a course: published and either public (no organization) or owned by an organization the
  caller belongs to; plus, whatever its status, the courses the caller manages (instructor of
  the course, or org admin of its organization). Superusers see all.
- an enrollment: one's own; those in courses one manages; those of people in an organization
  where one is HR or org admin (by the enrollment's organization); one's team as a supervisor.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from courses.models import (
    Activity,
    ActivityProgress,
    Category,
    Course,
    Enrollment,
    Lesson,
    Module,
    Rating,
    ReminderPolicy,
)
from lms.models import Membership, Organization, Role
from lms.scoping import is_unrestricted, organization_ids_for


def _user_id(actor: Any) -> int | None:
    return None if getattr(actor, "is_api_key", False) else getattr(actor, "pk", None)


def course_manage_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    user_id = _user_id(actor)
    condition = Q(organization_id__in=organization_ids_for(actor, Role.ORG_ADMIN)) if user_id else Q(pk__in=[])
    if user_id:
        condition |= Q(instructors__id=user_id)
    return condition


def courses_manageable_by(*, actor: Any) -> QuerySet[Course]:
    return Course.objects.filter(course_manage_q(actor)).distinct()


def courses_visible_to(*, actor: Any) -> QuerySet[Course]:
    """Every course the actor may see (see the module docstring), without duplicates."""
    if is_unrestricted(actor):
        return Course.objects.all()
    published = Q(status=Course.Status.PUBLISHED) & (
        Q(organization__isnull=True) | Q(organization_id__in=organization_ids_for(actor))
    )
    if _user_id(actor) is None:
        return Course.objects.filter(published)
    managed = Course.objects.filter(course_manage_q(actor)).values("pk")
    return Course.objects.filter(published | Q(pk__in=managed))


def course_catalog(*, actor: Any) -> QuerySet[Course]:
    return courses_visible_to(actor=actor).select_related("category", "organization").prefetch_related("tags")


MAX_SEARCH_WORDS = 8


def courses_search(queryset: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Courses whose title, summary or a tag name holds every word of ``text`` (at most 8 words count)."""
    condition = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        condition &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(tags__name__icontains=word)
    # Through a subquery, so the tag join never repeats a course.
    return queryset.filter(pk__in=Course.objects.filter(condition).values("pk"))


def courses_filter(queryset: QuerySet[Course], *, search: str = "", language: str = "",
                   category: str = "") -> QuerySet[Course]:
    """The catalog's filters, shared by the API and the catalog page; empty values filter nothing."""
    if search.strip():
        queryset = courses_search(queryset, search)
    if language:
        queryset = queryset.filter(language__iexact=language)
    if category:
        queryset = queryset.filter(category__slug=category)
    return queryset


def catalog_facets(*, actor: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """The languages and (slug, name) categories of the courses the actor may see, for the filter menus."""
    visible = courses_visible_to(actor=actor)
    languages = sorted(visible.order_by().values_list("language", flat=True).distinct(), key=str.lower)
    categories = list(
        Category.objects.filter(pk__in=visible.filter(category__isnull=False).values("category_id"))
        .order_by("name").values_list("slug", "name")
    )
    return languages, categories


def course_get(*, actor: Any, slug: str) -> Course:
    return get_object_or_404(courses_visible_to(actor=actor), slug=slug)


def course_detail(*, actor: Any, slug: str) -> Course:
    """The course with modules -> activities -> lesson in a constant number of queries."""
    activities = Activity.objects.select_related("lesson").order_by("position", "id")
    modules = Module.objects.prefetch_related(Prefetch("activities", queryset=activities)).order_by("position", "id")
    queryset = course_catalog(actor=actor).prefetch_related(Prefetch("modules", queryset=modules), "instructors")
    return get_object_or_404(queryset, slug=slug)


def course_can_manage(*, actor: Any, course: Course) -> bool:
    if is_unrestricted(actor):
        return True
    if _user_id(actor) is None:
        return False
    return Course.objects.filter(course_manage_q(actor), pk=course.pk).exists()


def related_courses(*, actor: Any, course: Course, limit: int = 4) -> list[Course]:
    """Published courses sharing the category or a tag; the same language first, then more shared tags."""
    tag_ids = [tag.pk for tag in course.tags.all()]
    candidates = (
        course_catalog(actor=actor)
        .filter(status=Course.Status.PUBLISHED)
        .exclude(pk=course.pk)
        .filter(Q(category_id=course.category_id, category__isnull=False) | Q(tags__in=tag_ids))
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .distinct()
    )
    ranked = sorted(
        candidates,
        key=lambda c: (c.language != course.language, c.category_id != course.category_id, -c.shared_tags,
                       -(c.rating_average or 0), c.title),
    )
    return ranked[:limit]


def course_translations(*, actor: Any, course: Course) -> list[Course]:
    """The same course in other languages: its original and every translation of either, visible and published."""
    original_id = course.translation_of_id or course.pk
    return list(
        courses_visible_to(actor=actor)
        .filter(status=Course.Status.PUBLISHED)
        .filter(Q(pk=original_id) | Q(translation_of_id=original_id))
        .exclude(pk=course.pk)
        .order_by("language", "title", "id")
    )


def enrollment_scope_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    if getattr(actor, "is_api_key", False):
        return Q(organization_id=actor.organization_id)
    user_id = _user_id(actor)
    condition = Q(user_id=user_id)
    condition |= Q(course__in=Course.objects.filter(course_manage_q(actor)).values("pk"))
    condition |= Q(organization_id__in=organization_ids_for(actor, Role.HR, Role.ORG_ADMIN))
    supervised = organization_ids_for(actor, Role.SUPERVISOR)
    if supervised:
        team = Membership.objects.filter(manager__user_id=user_id, organization_id__in=supervised)
        condition |= Q(organization_id__in=supervised, user_id__in=team.values("user_id"))
    return condition


def enrollments_visible_to(*, actor: Any) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(enrollment_scope_q(actor)).select_related("course", "user", "organization")


def enrollment_get(*, actor: Any, enrollment_id: int) -> Enrollment:
    return get_object_or_404(enrollments_visible_to(actor=actor), pk=enrollment_id)


def enrollment_own(*, user: Any, enrollment_id: int) -> Enrollment:
    """Only the learner's own enrollment: progress is recorded by the learner, not for them."""
    return get_object_or_404(Enrollment.objects.select_related("course"), pk=enrollment_id, user_id=_user_id(user))


def enrollment_with_progress(*, actor: Any, enrollment_id: int) -> tuple[Enrollment, list[Activity], dict]:
    enrollment = enrollment_get(actor=actor, enrollment_id=enrollment_id)
    activities = list(
        Activity.objects.filter(course_id=enrollment.course_id)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )
    progress = {row.activity_id: row for row in ActivityProgress.objects.filter(enrollment=enrollment)}
    return enrollment, activities, progress


def next_activity(activities: list[Activity], progress: dict) -> Activity | None:
    """The first required activity not passed yet, in course order; else the first optional one."""
    pending = [a for a in activities if getattr(progress.get(a.pk), "status", None) != ActivityProgress.Status.PASSED]
    for activity in pending:
        if activity.required:
            return activity
    return pending[0] if pending else None


def user_enrollment(*, user: Any, course: Course) -> Enrollment | None:
    if _user_id(user) is None:
        return None
    return Enrollment.objects.filter(user_id=user.pk, course=course).first()


def progress_of(*, enrollment: Enrollment | None) -> dict[int, ActivityProgress]:
    """{activity id: progress row} of an enrollment (empty without one)."""
    if enrollment is None:
        return {}
    return {row.activity_id: row for row in ActivityProgress.objects.filter(enrollment=enrollment)}


def enrollment_is_open(enrollment: Enrollment | None) -> bool:
    """Active or completed: the learner may read the lessons and record progress."""
    return enrollment is not None and enrollment.status in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def lesson_readable(*, actor: Any, course: Course, enrollment: Enrollment | None) -> bool:
    """Lessons of a course the actor sees are for its open enrollments and for the people managing it."""
    return enrollment_is_open(enrollment) or course_can_manage(actor=actor, course=course)


def lesson_for(*, actor: Any, activity_id: int) -> tuple[Lesson, Enrollment | None]:
    """A lesson the actor may read: enrolled (active or completed) in its course, or managing it."""
    lesson = get_object_or_404(
        Lesson.objects.select_related("activity__course", "activity__module"), activity_id=activity_id
    )
    course = lesson.activity.course
    if not courses_visible_to(actor=actor).filter(pk=course.pk).exists():
        raise_not_found()
    enrollment = user_enrollment(user=actor, course=course)
    if not lesson_readable(actor=actor, course=course, enrollment=enrollment):
        raise_not_found()
    return lesson, enrollment


def raise_not_found() -> None:
    from django.http import Http404

    raise Http404


def ratings_of(*, course: Course) -> QuerySet[Rating]:
    return Rating.objects.filter(course=course).select_related("user")


def course_with_my_state(queryset: QuerySet[Course], actor: Any) -> QuerySet[Course]:
    """Annotate the actor's enrollment in each course (for catalog cards) without a query per course:
    ``is_enrolled`` (active or completed), ``my_status`` and ``my_progress`` (None when never enrolled)."""
    user_id = _user_id(actor)
    if user_id is None:
        return queryset
    mine = Enrollment.objects.filter(course=OuterRef("pk"), user_id=user_id)
    return queryset.annotate(
        is_enrolled=Exists(mine.filter(status__in=["active", "completed"])),
        my_status=Subquery(mine.values("status")[:1]),
        my_progress=Subquery(mine.values("progress_percent")[:1]),
    )


def enrollment_can_manage(*, actor: Any, enrollment: Enrollment) -> bool:
    """Staff who may act on someone else's enrollment: course managers, HR and org admins of its organization."""
    if is_unrestricted(actor):
        return True
    if enrollment.organization_id in organization_ids_for(actor, Role.HR, Role.ORG_ADMIN):
        return True
    return course_can_manage(actor=actor, course=enrollment.course)


def certificates_visible_to(*, actor: Any) -> QuerySet:
    """Certificates of the enrollments the actor may see (own, managed courses, HR's organization, team)."""
    from courses.models import Certificate

    return Certificate.objects.filter(
        enrollment__in=Enrollment.objects.filter(enrollment_scope_q(actor)).values("pk")
    ).select_related("enrollment__course", "enrollment__user", "enrollment__organization")


def certificate_get(*, actor: Any, code: str):
    return get_object_or_404(certificates_visible_to(actor=actor), code=code)


def certificate_can_download(*, actor: Any, certificate) -> bool:
    """The learner, and HR or org admins of the learner's organization (for the enrollment)."""
    if is_unrestricted(actor):
        return True
    enrollment = certificate.enrollment
    if _user_id(actor) is not None and enrollment.user_id == actor.pk:
        return True
    return enrollment.organization_id in organization_ids_for(actor, Role.HR, Role.ORG_ADMIN)


def certificate_can_manage(*, actor: Any, certificate) -> bool:
    """Revoke and reissue: the course's instructors and org admins (of the course's or the enrollment's org)."""
    if is_unrestricted(actor):
        return True
    if _user_id(actor) is None:
        return False
    enrollment = certificate.enrollment
    if enrollment.organization_id in organization_ids_for(actor, Role.ORG_ADMIN):
        return True
    return course_can_manage(actor=actor, course=enrollment.course)


def certificate_public(*, code: str):
    """For public verification: the certificate with this code or None (one query either way)."""
    from courses.models import Certificate

    return Certificate.objects.filter(code=code).first()


# --- reminders ------------------------------------------------------------------------------------

def reminder_organization_get(*, actor: Any, slug: str) -> Organization:
    """An organization whose reminders the actor manages (org admin or superuser); else 404."""
    from lms import selectors as people_selectors

    return people_selectors.organization_get(actor=actor, slug=slug, roles=(Role.ORG_ADMIN,))


def reminder_policies_of(*, organization: Organization) -> QuerySet[ReminderPolicy]:
    return ReminderPolicy.objects.filter(organization=organization).select_related("course").order_by(
        "kind", "course_id", "id")


def reminder_policy_get(*, organization: Organization, policy_id: int) -> ReminderPolicy:
    return get_object_or_404(reminder_policies_of(organization=organization), pk=policy_id)

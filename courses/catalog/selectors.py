"""Catalog reads: which courses a caller may see or manage, search and filters, facets, related courses
and translations, each scoped to the caller through ``lms.scoping``."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.http import Http404
from django.shortcuts import get_object_or_404

from courses.catalog import search_index
from courses.catalog.models import (
    Activity,
    Category,
    Course,
    CourseCoverRendition,
    Lesson,
    LessonCaption,
    LessonImage,
    Module,
)
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.errors import Forbidden, NotFound
from lms.models import STAFF_ROLES, Membership, Organization, Role, User, role_q
from lms.scoping import is_unrestricted, organization_ids_for, person_id
from lms.selectors import organization_from_slug


def course_manage_q(actor: Any) -> Q:
    if is_unrestricted(actor):
        return Q()
    user_id = person_id(actor)
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
    if person_id(actor) is None:
        return Course.objects.filter(published)
    managed = Course.objects.filter(course_manage_q(actor)).values("pk")
    return Course.objects.filter(published | Q(pk__in=managed))


def course_catalog(*, actor: Any, covers: bool = True) -> QuerySet[Course]:
    """The courses the actor may see, with what a card shows (category, organization, tags, and the cover's
    sizes unless ``covers`` is false: one query for the whole list)."""
    queryset = courses_visible_to(actor=actor).select_related("category", "organization").prefetch_related("tags")
    return queryset.prefetch_related("cover_renditions") if covers else queryset


def course_cover_rendition(*, actor: Any, slug: str, rendition_id: int, format: str) -> CourseCoverRendition:
    """One stored size of the cover of a course the actor may see; 404 otherwise (a private course's cover
    is as absent as the course)."""
    course = course_get(actor=actor, slug=slug)
    return get_object_or_404(CourseCoverRendition, course=course, pk=rendition_id, format=format)


def course_is_public(course: Course) -> bool:
    """Published in the public catalog: whoever may see it may be anyone, so shared caches may keep its cover."""
    return course.status == Course.Status.PUBLISHED and course.organization_id is None


def courses_search(queryset: QuerySet[Course], text: str) -> QuerySet[Course]:
    """Courses matching every word of ``text`` in the full-text index (courses/catalog/search_index.py),
    annotated with ``search_rank`` (higher is better; order by it to rank). No word: no course."""
    found = search_index.search_condition(text)
    if found is None:
        return queryset.none().annotate(search_rank=Value(0.0))
    condition, rank = found
    return queryset.filter(condition).annotate(search_rank=rank)


def courses_filter(queryset: QuerySet[Course], *, search: str = "", language: str = "",
                   category: str = "") -> QuerySet[Course]:
    """The catalog's filters, shared by the API and the catalog page; empty values filter nothing. With a
    search, the courses are ordered best match first (then by title)."""
    if search.strip():
        queryset = courses_search(queryset, search)
    if language:
        queryset = queryset.filter(language__iexact=language)
    if category:
        queryset = queryset.filter(category__slug=category)
    if search.strip():
        return queryset.order_by("-search_rank", "title", "id")
    return queryset.order_by("title", "id")


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


def course_detail(*, actor: Any, slug: str, covers: bool = True) -> Course:
    """The course with modules -> activities -> lesson in a constant number of queries (and its cover's sizes
    unless ``covers`` is false)."""
    activities = Activity.objects.select_related("lesson").order_by("position", "id")
    modules = Module.objects.prefetch_related(Prefetch("activities", queryset=activities)).order_by("position", "id")
    queryset = course_catalog(actor=actor, covers=covers).prefetch_related(Prefetch("modules", queryset=modules),
                                                                           "instructors")
    return get_object_or_404(queryset, slug=slug)


def course_can_manage(*, actor: Any, course: Course) -> bool:
    """The course's instructors and its organization's admins (superusers: every course)."""
    if is_unrestricted(actor):
        return True
    if person_id(actor) is None:
        return False
    return Course.objects.filter(course_manage_q(actor), pk=course.pk).exists()


COURSE_AUTHOR_ROLES = (Role.INSTRUCTOR, Role.ORG_ADMIN)


def course_can_create(*, actor: Any) -> bool:
    """Instructors and org admins (of any organization), and superusers."""
    return bool(organization_ids_for(actor, *COURSE_AUTHOR_ROLES)) or bool(getattr(actor, "is_superuser", False))


def courses_tagged_q(tag_slug: str) -> Q:
    return Q(pk__in=Course.objects.filter(tags__slug=tag_slug).values("pk"))


def access_course_manage(*, actor: Any, slug: str) -> Course:
    """The course, for changing it: 404 when the actor cannot see it, 403 when they see it but do not manage it."""
    course = course_get(actor=actor, slug=slug)
    if not course_can_manage(actor=actor, course=course):
        raise Forbidden("Only the course's instructors and its organization's admins may change it.")
    return course


def access_course_create(*, actor: Any, organization_slug: str | None) -> Organization | None:
    """The organization a new course will belong to (None: the public catalog), for a caller who may create one.

    An organization must be one where the caller is an instructor or org admin (superusers: any), else 404;
    a caller who is neither anywhere gets 403.
    """
    organization = None
    if organization_slug:
        try:
            organization = organization_from_slug(slug=organization_slug, actor=actor, roles=COURSE_AUTHOR_ROLES)
        except NotFound:
            if not is_unrestricted(actor):
                raise  # a superuser naming no organization gets the public catalog, as before
    if not course_can_create(actor=actor):
        raise Forbidden("Only instructors and org admins create courses.")
    return organization


def related_courses(*, actor: Any, course: Course, limit: int = 4) -> Sequence[Course]:
    """Published courses sharing the category or a tag; the same language first, then more shared tags."""
    tag_ids = [tag.pk for tag in course.tags.all()]
    candidates = (
        course_catalog(actor=actor, covers=False)
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


def course_with_my_state(queryset: QuerySet[Course], actor: Any) -> QuerySet[Course]:
    """Annotate the actor's enrollment in each course (for catalog cards) without a query per course:
    ``is_enrolled`` (active or completed), ``my_status`` and ``my_progress`` (None when never enrolled)."""
    user_id = person_id(actor)
    if user_id is None:
        return queryset
    mine = Enrollment.objects.filter(course=OuterRef("pk"), user_id=user_id)
    return queryset.annotate(
        is_enrolled=Exists(mine.filter(status__in=["active", "completed"])),
        my_status=Subquery(mine.values("status")[:1]),
        my_progress=Subquery(mine.values("progress_percent")[:1]),
    )


def access_activity_manage(*, actor: Any, slug: str, activity_id: int) -> Activity:
    """An activity of a course the actor manages, with its module and lesson (the lesson editor): 404 unless the
    actor manages the course (even when they may see it) and it holds such an activity."""
    course = access_course_author(actor=actor, slug=slug)
    activity = Activity.objects.select_related("module", "lesson").filter(course=course, pk=activity_id).first()
    if activity is None:
        raise Http404
    activity.course = course
    return activity


def lesson_images_of(*, lesson: Lesson) -> list[LessonImage]:
    """An article's pictures by name, for the lesson's editor (already let in by ``access_activity_manage``)."""
    return list(LessonImage.objects.filter(lesson=lesson).order_by("name", "id"))


def lesson_caption_tracks(*, lesson: Lesson) -> list[LessonCaption]:
    """The caption tracks of a lesson the caller was already let read (``enrollments.selectors.lesson_for``)."""
    return list(LessonCaption.objects.filter(lesson=lesson).order_by("language"))


def lesson_caption_track(*, lesson: Lesson, language: str) -> LessonCaption:
    """The lesson's track in ``language`` (any letter case); 404 when it has none."""
    track = LessonCaption.objects.filter(lesson=lesson, language__iexact=language).first()
    if track is None:
        raise Http404("This lesson has no captions in that language.")  # pages and API alike answer 404
    return track


# --- Authoring at /teach/courses/ ------------------------------------------------------------------------------

def access_course_author(*, actor: Any, slug: str) -> Course:
    """The course, for its authoring pages: absent (404) unless the actor manages it, even when they may see it."""
    course = Course.objects.filter(course_manage_q(actor), slug=slug).distinct().first()
    if course is None:
        raise NotFound("No such course among the ones you teach.")
    return course


def course_structure(*, course: Course) -> list[Module]:
    """The course's modules, each with its activities (lesson kind and content fields only) and how many learners
    have progress in each: three queries, whatever the size."""
    progress = ActivityProgress.objects.filter(activity=OuterRef("pk")).values("activity").annotate(
        n=Count("enrollment", distinct=True)).values("n")
    activities = (Activity.objects.select_related("lesson").defer("lesson__body_html", "lesson__transcript_html")
                  .annotate(learners=Coalesce(Subquery(progress), 0)).order_by("position", "id"))
    return list(Module.objects.filter(course=course).prefetch_related(Prefetch("activities", queryset=activities))
                .order_by("position", "id"))


def activity_learners_with_progress(*, activity_ids: Sequence[int]) -> int:
    """How many learners have a record in any of these activities: a progress row, a quiz attempt or a survey
    answer (the last two through their reverse relations: their models live in assessments). Deleting the
    activity would delete these records."""
    ids = list(activity_ids)
    touched = (Q(progress__activity_id__in=ids) | Q(quiz_attempts__quiz__activity_id__in=ids)
               | Q(instrument_responses__survey__activity_id__in=ids))
    return Enrollment.objects.filter(pk__in=Enrollment.objects.filter(touched).values("pk")).count()


@dataclass(frozen=True)
class PublishCheck:
    """One rule a course meets before it is published; ``titles`` names the activities that break it."""
    code: str
    met: bool
    titles: tuple[str, ...] = ()


def _lesson_empty(row: dict[str, Any]) -> bool:
    kind = row["lesson__content_type"]
    if kind == Lesson.ContentType.VIDEO:
        return not (row["lesson__video_url"] or row["lesson__video"])
    if kind == Lesson.ContentType.EBOOK:
        return not row["lesson__ebook"]
    return not row["body_length"]


def course_publish_checks(*, course: Course) -> list[PublishCheck]:
    """What publishing asks of a course, met or not, in one query. Quizzes, role-plays and surveys are
    found through their reverse relations to the activity (their models live in assessments)."""
    rows = list(Activity.objects.filter(course=course).order_by("module__position", "position", "id").values(
        "title", "kind", "required", "lesson__content_type", "lesson__video_url", "lesson__video", "lesson__ebook",
    ).annotate(body_length=Length("lesson__body"), questions=Count("quiz__questions", distinct=True),
               has_quiz=Count("quiz", distinct=True), has_workshop=Count("workshop", distinct=True),
               has_scenario=Count("scenario", distinct=True), has_survey=Count("survey", distinct=True)))
    kind = Activity.Kind

    def failing(test) -> tuple[str, ...]:
        return tuple(row["title"] for row in rows if test(row))

    lessons = failing(lambda row: row["kind"] == kind.LESSON and _lesson_empty(row))
    quizzes = failing(lambda row: row["kind"] == kind.QUIZ and not (row["has_quiz"] and row["questions"]))
    workshops = failing(lambda row: row["kind"] == kind.WORKSHOP and not row["has_workshop"])
    roleplays = failing(lambda row: row["kind"] == kind.ROLEPLAY and not row["has_scenario"])
    surveys = failing(lambda row: row["kind"] == kind.SURVEY and not row["has_survey"])
    return [
        PublishCheck("has_activity", bool(rows)),
        PublishCheck("has_required", any(row["required"] for row in rows)),
        PublishCheck("lessons_have_content", not lessons, lessons),
        PublishCheck("quizzes_have_questions", not quizzes, quizzes),
        PublishCheck("workshops_linked", not workshops, workshops),
        PublishCheck("roleplays_have_scenario", not roleplays, roleplays),
        PublishCheck("surveys_have_instrument", not surveys, surveys),
    ]


def course_module(*, course: Course, module_id: int) -> Module:
    module = Module.objects.filter(course=course, pk=module_id).select_related("course").first()
    if module is None:
        raise NotFound("No such module in this course.")
    return module


def course_activity(*, course: Course, activity_id: int) -> Activity:
    activity = Activity.objects.filter(course=course, pk=activity_id).select_related("course", "module").first()
    if activity is None:
        raise NotFound("No such activity in this course.")
    return activity


def courses_authored(*, actor: Any) -> QuerySet[Course]:
    """The courses this person teaches or manages, for the authoring list: learners enrolled, modules and
    activities counted in the same query."""
    def counted(model: Any) -> Coalesce:
        rows = model.objects.filter(course=OuterRef("pk")).values("course").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows), 0)

    return (Course.objects.filter(pk__in=Course.objects.filter(course_manage_q(actor)).values("pk"))
            .select_related("organization")
            .annotate(learner_count=counted(Enrollment), module_count=counted(Module),
                      activity_count=counted(Activity))
            .order_by("-created_at", "-pk"))


def course_instructor_choices(*, organization: Organization | None) -> QuerySet[User]:
    """Who may be named an instructor of a course of this organization: its staff (instructors, supervisors,
    organization admins), by name. A course of the public catalog keeps the instructors it has."""
    if organization is None:
        return User.objects.none()
    members = Membership.objects.filter(role_q(*STAFF_ROLES), organization=organization).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("first_name", "last_name", "email")

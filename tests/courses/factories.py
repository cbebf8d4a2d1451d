"""Factories and builders for the courses tests.

The model factories are for rows whose derived fields do not matter (a catalog of fifty cards).
Where the derived fields matter (estimates, rendered HTML, reading time), build through the
services with ``build_course`` / ``add_lesson``, as the product does.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import factory
from django.utils import timezone

from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Category, Course, Lesson, Module, Tag
from courses.enrollments import services as enrollment_services
from courses.enrollments import services as progress_service
from courses.enrollments.models import Enrollment
from tests.factories import UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.LazyAttribute(lambda o: o.slug)


class CourseFactory(factory.django.DjangoModelFactory):
    """A published public course (``status="draft"`` for a draft). ``tags=[...]`` and
    ``instructors=[...]`` are set after creation."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    language = "en"
    status = Course.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)

    @factory.post_generation
    def instructors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.instructors.set(extracted)

    @factory.post_generation
    def search_entry(obj, create, extracted, **kwargs):
        """Indexed for search as the services index a course they create (after its tags, above)."""
        if create:
            catalog_services.course_search_refresh(course=obj)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n)


class ActivityFactory(factory.django.DjangoModelFactory):
    """A bare activity row (no lesson, estimate as given). Use ``add_lesson`` for real lessons."""

    class Meta:
        model = Activity

    module = factory.SubFactory(ModuleFactory)
    course = factory.LazyAttribute(lambda o: o.module.course)
    title = factory.Sequence(lambda n: f"Activity {n}")
    kind = Activity.Kind.LESSON
    required = True
    weight = 1
    position = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    activity = factory.SubFactory(ActivityFactory)
    content_type = Lesson.ContentType.ARTICLE
    body = "Listen first."
    body_html = "<p>Listen first.</p>"
    word_count = 2
    reading_minutes = 1


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    status = Enrollment.Status.ACTIVE


def words(count: int, word: str = "listen") -> str:
    """An article body of exactly ``count`` words."""
    return " ".join([word] * count)


def build_course(*, slug: str | None = None, activities: list[dict[str, Any]] = (), publish: bool = True,
                 modules: int = 1, **course_fields: Any) -> Course:
    """A course built through the services: ``activities`` are ``activity_create`` keyword sets
    (``title`` defaults; ``module`` is an index into the course's modules), all in order."""
    slug = slug or f"built-{Course.objects.count() + 1}-{timezone.now().strftime('%H%M%S%f')}"
    course = catalog_services.course_create(slug=slug, title=course_fields.pop("title", slug.replace("-", " ").title()),
                                            **course_fields)
    created = [catalog_services.module_create(course=course, title=f"Module {n + 1}") for n in range(modules)]
    for number, spec in enumerate(activities, start=1):
        spec = dict(spec)
        module = created[spec.pop("module", 0)]
        spec.setdefault("title", f"Step {number}")
        if spec.get("kind", Activity.Kind.LESSON) == Activity.Kind.LESSON:
            spec.setdefault("lesson", {"content_type": "article", "body": words(10)})
        catalog_services.activity_create(module=module, **spec)
    if publish:
        catalog_services.course_publish(course=course, checks=False)
    course.refresh_from_db()
    return course


def activities_of(course: Course) -> list[Activity]:
    """The course's activities in course order."""
    return list(Activity.objects.filter(course=course).order_by("module__position", "module_id", "position", "id"))


@contextmanager
def completion_hook(func=None) -> Iterator[list[int]]:
    """Register a completion hook for the duration of a test; yields the enrollment ids it saw."""
    calls: list[int] = []

    def record(enrollment_id: int) -> None:
        calls.append(enrollment_id)

    hook = func or record
    enrollment_services.on_enrollment_completed(hook)
    try:
        yield calls
    finally:
        if hook in progress_service._completion_hooks:
            progress_service._completion_hooks.remove(hook)

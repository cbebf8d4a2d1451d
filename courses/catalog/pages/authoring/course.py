"""A course's fields: /teach/courses/new/ and /teach/courses/<slug>/edit/."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from courses.catalog import cover_images, selectors, services
from courses.catalog.pages.authoring.errors import form_refuse
from courses.catalog.pages.authoring.forms import CourseForm
from courses.catalog.services import structure
from courses.teaching.pages import teach_page
from lms import selectors as lms_selectors
from lms.errors import ApplicationError

FIELDS = ("summary", "description", "language", "category", "tags", "passing_score", "due_days", "validity_months")


def _render(request, form: CourseForm, course: Any = None, status: int = 200):
    return render(request, "courses/teach/course_form.html", {
        "nav": "teach", "teach_nav": "courses", "form": form, "course": course}, status=status)


def _cover_checked(form: CourseForm) -> bytes | None:
    """The uploaded cover's bytes once the picture passes the checks (else the form holds the error)."""
    upload = form.cleaned_data.get("cover")
    if upload is None:
        return None
    data = upload.read()
    try:
        cover_images.cover_check(data, max_bytes=settings.COVER_MAX_BYTES)
    except ApplicationError as error:
        form.add_error("cover", error.message)
    return data


@teach_page
@require_http_methods(["GET", "POST"])
def teach_course_new(request):
    organizations = lms_selectors.organizations_visible_to(actor=request.user, roles=selectors.COURSE_AUTHOR_ROLES)
    if request.method == "GET":
        selectors.access_course_create(actor=request.user, organization_slug=None)
        return _render(request, CourseForm(organizations=organizations))
    form = CourseForm(request.POST, request.FILES, organizations=organizations)
    cover = _cover_checked(form) if form.is_valid() else None
    if not form.is_valid():
        return _render(request, form, status=400)
    data = form.cleaned_data
    organization = data.get("organization")
    try:
        selectors.access_course_create(actor=request.user, organization_slug=organization.slug if organization
                                       else None)
        course = services.course_create(slug=data["slug"], title=data["title"], created_by=request.user,
                                        organization=organization, **{name: data[name] for name in FIELDS})
    except ApplicationError as error:
        if error.status_code == 403:
            raise
        form_refuse(form, error)
        return _render(request, form, status=400)
    if cover is not None:
        services.course_cover_set(course=course, data=cover, alt=data["cover_alt"], filename=data["cover"].name)
    return redirect("pages:teach-course", course.slug)


def _initial(course: Any) -> dict[str, Any]:
    initial = {name: getattr(course, name) for name in FIELDS if name not in {"tags", "category"}}
    initial.update(title=course.title, cover_alt=course.cover_alt,
                   category=course.category.name if course.category else "",
                   tags=", ".join(tag.name for tag in course.tags.all()),
                   instructors=[user.pk for user in course.instructors.all()])
    return initial


@teach_page
@require_http_methods(["GET", "POST"])
def teach_course_edit(request, slug: str):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    people = selectors.course_instructor_choices(organization=course.organization) if course.organization else None
    if request.method == "GET":
        return _render(request, CourseForm(initial=_initial(course), people=people), course)
    form = CourseForm(request.POST, request.FILES, people=people)
    cover = _cover_checked(form) if form.is_valid() else None
    if not form.is_valid():
        return _render(request, form, course, status=400)
    data = form.cleaned_data
    fields = {name: data[name] for name in FIELDS}
    if cover is None:
        fields["cover_alt"] = data["cover_alt"]
    try:
        services.course_update(course=course, title=data["title"], **fields)
    except ApplicationError as error:
        form_refuse(form, error)
        return _render(request, form, course, status=400)
    if people is not None:
        structure.course_instructors_set(course=course, users=data["instructors"])
    if cover is not None:
        services.course_cover_set(course=course, data=cover, alt=data["cover_alt"], filename=data["cover"].name)
    return redirect("pages:teach-course", course.slug)

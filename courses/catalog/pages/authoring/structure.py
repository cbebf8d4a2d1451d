"""A course's structure at /teach/courses/<slug>/: modules and activities (add, change, reorder, delete), the
checks publishing asks for, publish and archive. A refused form answers 400 on this page, a conflict 409."""
from __future__ import annotations

from typing import Any

from django.shortcuts import redirect, render
from django.utils.translation import npgettext, pgettext
from django.utils.translation import pgettext_lazy as _p
from django.views.decorators.http import require_GET, require_POST

from courses.catalog import selectors, services
from courses.catalog.errors import CatalogErrorCode
from courses.catalog.models import Activity
from courses.catalog.pages.authoring.errors import form_refuse
from courses.catalog.pages.authoring.forms import ActivityEditForm, ActivityForm, ModuleForm, OrderForm
from courses.catalog.services import structure
from courses.teaching.pages import teach_page
from lms.errors import ApplicationError, Conflict

CHECK_LABELS = {
    "has_activity": _p("teach", "The course has at least one activity."),
    "has_required": _p("teach", "At least one activity is required."),
    "lessons_have_content": _p("teach", "Every lesson has content (text, a video or an ebook)."),
    "quizzes_have_questions": _p("teach", "Every quiz has questions."),
    "workshops_linked": _p("teach", "Every workshop activity has a workshop."),
    "roleplays_have_scenario": _p("teach", "Every role-play activity has a scenario."),
    "surveys_have_instrument": _p("teach", "Every survey activity has its questionnaire."),
}


def _moves(ids: list[int], index: int) -> tuple[list[int] | None, list[int] | None]:
    """The order after moving item ``index`` up, and after moving it down (None at either end)."""
    up = down = None
    if index > 0:
        up = [*ids[:index - 1], ids[index], ids[index - 1], *ids[index + 1:]]
    if index < len(ids) - 1:
        down = [*ids[:index], ids[index + 1], ids[index], *ids[index + 2:]]
    return up, down


def _prepare(modules: list[Any], bound: dict[str, Any]) -> None:
    """Give each module and activity its forms (the bound one that failed, else a fresh one) and its moves."""
    module_ids = [module.pk for module in modules]
    for index, module in enumerate(modules):
        module.up_order, module.down_order = _moves(module_ids, index)
        module.edit_form = bound.get(f"m{module.pk}") or ModuleForm(prefix=f"m{module.pk}",
                                                                    initial={"title": module.title})
        module.add_form = bound.get(f"add{module.pk}") or ActivityForm(prefix=f"add{module.pk}")
        activities = list(module.activities.all())
        activity_ids = [activity.pk for activity in activities]
        for position, activity in enumerate(activities):
            activity.up_order, activity.down_order = _moves(activity_ids, position)
            activity.edit_form = bound.get(f"a{activity.pk}") or ActivityEditForm(prefix=f"a{activity.pk}", initial={
                "title": activity.title, "required": activity.required, "weight": activity.weight})
        module.activity_list = activities


def _render(request, course: Any, *, status: int = 200, bound: dict[str, Any] | None = None,
            alert: str = "") -> Any:
    bound = bound or {}
    modules = selectors.course_structure(course=course)
    _prepare(modules, bound)
    checks = [(check, CHECK_LABELS[check.code]) for check in selectors.course_publish_checks(course=course)]
    return render(request, "courses/teach/course_structure.html", {
        "nav": "teach", "teach_nav": "courses", "course": course, "modules": modules, "checks": checks,
        "ready": all(check.met for check, _ in checks), "alert": alert,
        "module_form": bound.get("module") or ModuleForm(prefix="module"),
        "activity_count": sum(len(module.activity_list) for module in modules),
    }, status=status)


@teach_page
@require_GET
def teach_course(request, slug: str):
    return _render(request, selectors.access_course_author(actor=request.user, slug=slug))


def _invalid(request, course: Any, key: str, form: Any, error: ApplicationError | None = None) -> Any:
    if error is not None:
        form_refuse(form, error)
    return _render(request, course, status=400, bound={key: form})


@teach_page
@require_POST
def teach_module_add(request, slug: str):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    form = ModuleForm(request.POST, prefix="module")
    if not form.is_valid():
        return _invalid(request, course, "module", form)
    services.module_create(course=course, title=form.cleaned_data["title"])
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_module_edit(request, slug: str, module_id: int):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    module = selectors.course_module(course=course, module_id=module_id)
    form = ModuleForm(request.POST, prefix=f"m{module.pk}")
    if not form.is_valid():
        return _invalid(request, course, f"m{module.pk}", form)
    structure.module_update(module=module, title=form.cleaned_data["title"])
    return redirect("pages:teach-course", course.slug)


def _conflict(request, course: Any, error: Conflict, activity_ids: list[int]) -> Any:
    learners = selectors.activity_learners_with_progress(activity_ids=activity_ids)
    if error.code == CatalogErrorCode.MODULE_HAS_PROGRESS:
        alert = npgettext("teach",
            "%(count)s learner has progress in this module's activities; archive the course or make its "
            "activities optional instead.",
            "%(count)s learners have progress in this module's activities; archive the course or make its "
            "activities optional instead.", learners) % {"count": learners}
    elif error.code == CatalogErrorCode.ACTIVITY_HAS_PROGRESS:
        alert = npgettext("teach",
            "%(count)s learner has progress in this activity; archive the course or make it optional instead.",
            "%(count)s learners have progress in this activity; archive the course or make it optional instead.",
            learners) % {"count": learners}
    else:
        alert = pgettext("teach", "The course changed since this page was loaded; here it is as it is now.")
    return _render(request, course, status=409, alert=alert)


@teach_page
@require_POST
def teach_module_delete(request, slug: str, module_id: int):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    module = selectors.course_module(course=course, module_id=module_id)
    try:
        structure.module_delete(module=module)
    except Conflict as error:
        return _conflict(request, course, error, [activity.pk for activity in module.activities.all()])
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_module_order(request, slug: str):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    form = OrderForm(request.POST)
    if not form.is_valid():
        return _render(request, course, status=400, alert=pgettext("teach", "The new order could not be read."))
    try:
        structure.module_reorder(course=course, order=form.cleaned_data["order"])
    except Conflict as error:
        return _conflict(request, course, error, [])
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_activity_add(request, slug: str, module_id: int):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    module = selectors.course_module(course=course, module_id=module_id)
    form = ActivityForm(request.POST, prefix=f"add{module.pk}")
    if not form.is_valid():
        return _invalid(request, course, f"add{module.pk}", form)
    try:
        activity = services.activity_create(module=module, **form.cleaned_data)
    except ApplicationError as error:
        return _invalid(request, course, f"add{module.pk}", form, error)
    if activity.kind == Activity.Kind.LESSON:
        return redirect("pages:teach-activity", course.slug, activity.pk)  # straight into its editor
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_activity_settings(request, slug: str, activity_id: int):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    activity = selectors.course_activity(course=course, activity_id=activity_id)
    form = ActivityEditForm(request.POST, prefix=f"a{activity.pk}")
    if not form.is_valid():
        return _invalid(request, course, f"a{activity.pk}", form)
    structure.activity_update(activity=activity, **form.cleaned_data)
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_activity_delete(request, slug: str, activity_id: int):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    activity = selectors.course_activity(course=course, activity_id=activity_id)
    try:
        structure.activity_delete(activity=activity)
    except Conflict as error:
        return _conflict(request, course, error, [activity.pk])
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_activity_order(request, slug: str, module_id: int):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    module = selectors.course_module(course=course, module_id=module_id)
    form = OrderForm(request.POST)
    if not form.is_valid():
        return _render(request, course, status=400, alert=pgettext("teach", "The new order could not be read."))
    try:
        structure.activity_reorder(module=module, order=form.cleaned_data["order"])
    except Conflict as error:
        return _conflict(request, course, error, [])
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_course_publish(request, slug: str):
    course = selectors.access_course_author(actor=request.user, slug=slug)
    try:
        services.course_publish(course=course)
    except ApplicationError as error:
        if error.status_code != 409:
            raise
        return _render(request, course, status=409, alert=pgettext(
            "teach", "This course cannot be published yet: meet the checks marked “Not met” below."))
    return redirect("pages:teach-course", course.slug)


@teach_page
@require_POST
def teach_course_archive(request, slug: str):
    services.course_archive(course=selectors.access_course_author(actor=request.user, slug=slug))
    return redirect("pages:teach-courses")

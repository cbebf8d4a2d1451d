"""The gradebook at /teach/courses/<slug>/gradebook/ (the course's managers only): learners by activities with
filters, sorting and pages of 50; its downloads (CSV, XLSX: the same rows under the same filters); one learner's
page with every activity, the history of overrides and extensions, and the forms that add to it."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from courses.catalog.models import Activity
from courses.enrollments import gradebook_export
from courses.enrollments.errors import EnrollmentConflict, EnrollmentErrorCode
from courses.enrollments.pages.gradebook_forms import ExtensionForm, GradebookFilterForm, OverrideForm
from courses.enrollments.selectors import gradebook as selectors
from courses.enrollments.services import gradebook as services
from courses.teaching.pages import teach_page
from lms.errors import ApplicationError
from lms.privacy.access_services import Channel, access_record

C = "teach"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter_form(request, course) -> GradebookFilterForm:
    return GradebookFilterForm(request.GET, departments=selectors.gradebook_departments(course=course))


@teach_page
@require_GET
def teach_gradebook(request, slug: str):
    course = selectors.access_gradebook(actor=request.user, slug=slug)
    form = _filter_form(request, course)
    filters = form.filters()
    book = selectors.gradebook_page(course=course, filters=filters, page=request.GET.get("page", 1))
    access_record(actor=request.user, organization={row.enrollment.organization_id for row in book.rows},
                  channel=Channel.PAGE, what="gradebook", people=len(book.rows),
                  detail={"course": course.slug, **filters.as_json()})
    for row in book.rows:
        row.status_label = gradebook_export.enrollment_status_label(row.enrollment.status)
        for cell in row.cells:
            cell.label = gradebook_export.cell_status_label(cell.status)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "courses/teach/gradebook.html", {
        "nav": "teach", "teach_nav": "courses", "course": course, "book": book, "form": form,
        "query": query.urlencode(),
    })


def _download(request, slug: str, extension: str) -> HttpResponse:
    course = selectors.access_gradebook(actor=request.user, slug=slug)
    filters = _filter_form(request, course).filters()
    activities, rows = selectors.gradebook_all_rows(course=course, filters=filters)
    access_record(actor=request.user, organization={row.enrollment.organization_id for row in rows},
                  channel=Channel.EXPORT, what=f"gradebook.{extension}", people=len(rows),
                  detail={"course": course.slug, **filters.as_json()})
    if extension == "csv":
        body, content_type = gradebook_export.gradebook_csv(activities, rows), "text/csv; charset=utf-8"
    else:
        body, content_type = gradebook_export.gradebook_xlsx(activities, rows), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{gradebook_export.export_filename(course, extension)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@teach_page
@require_GET
def teach_gradebook_csv(request, slug: str):
    return _download(request, slug, "csv")


@teach_page
@require_GET
def teach_gradebook_xlsx(request, slug: str):
    return _download(request, slug, "xlsx")


def _quizzes(activities: list[Activity]) -> list[Activity]:
    return [activity for activity in activities if activity.kind == Activity.Kind.QUIZ]


def _learner_page(request, course, enrollment_id: int, *, override: OverrideForm | None = None,
                  extension: ExtensionForm | None = None, error: str = "", status: int = 200):
    detail = selectors.gradebook_learner(course=course, enrollment_id=enrollment_id)
    access_record(actor=request.user, organization=detail.enrollment.organization_id, channel=Channel.PAGE,
                  what="gradebook.learner", subject=detail.enrollment.user_id, detail={"course": course.slug})
    activities = [cell.activity for cell in detail.row.cells]
    for cell in detail.row.cells:
        cell.label = gradebook_export.cell_status_label(cell.status)
    for entry in detail.overrides:
        entry.old_label = gradebook_export.cell_status_label(entry.old_status)
        entry.new_label = gradebook_export.cell_status_label(entry.new_status)
    return render(request, "courses/teach/gradebook_learner.html", {
        "nav": "teach", "teach_nav": "courses", "course": course, "detail": detail,
        "status_label": gradebook_export.enrollment_status_label(detail.enrollment.status),
        "override_form": override or OverrideForm(activities=activities),
        "extension_form": extension or ExtensionForm(quizzes=_quizzes(activities)), "error": error,
    }, status=status)


@teach_page
@require_GET
def teach_gradebook_learner(request, slug: str, enrollment_id: int):
    course = selectors.access_gradebook(actor=request.user, slug=slug)
    return _learner_page(request, course, enrollment_id)


def _conflict_message(exc: EnrollmentConflict) -> str:
    if exc.code == EnrollmentErrorCode.OVERRIDE_NO_CHANGE:
        return pgettext(C, "This would change nothing: a pass is never undone and a result never lowers the best "
                           "score.")
    return pgettext(C, "This enrollment is withdrawn or expired: nothing can be changed on it.")


def _field_errors(form, exc: ApplicationError) -> None:
    placed = False
    for name, errors in exc.fields.items():
        if name in form.fields:
            form.add_error(name, errors[0] if isinstance(errors, list) and errors else exc.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@teach_page
@require_POST
def teach_gradebook_override(request, slug: str, enrollment_id: int):
    course = selectors.access_gradebook(actor=request.user, slug=slug)
    enrollment = selectors.gradebook_enrollment(course=course, enrollment_id=enrollment_id)
    form = OverrideForm(request.POST, activities=selectors.gradebook_activities(course=course))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.grade_override(actor=request.user, enrollment=enrollment, reason=data["reason"],
                                    activity=selectors.gradebook_activity(course=course, activity_id=data["activity"]),
                                    score=data["score"], passed=data["passed"])
        except EnrollmentConflict as exc:
            return _learner_page(request, course, enrollment_id, override=form, error=_conflict_message(exc),
                                 status=409)
        except ApplicationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, pgettext(C, "The result is changed and kept in the learner's history."))
            return redirect("pages:teach-gradebook-learner", course.slug, enrollment_id)
    return _learner_page(request, course, enrollment_id, override=form, status=400)


@teach_page
@require_POST
def teach_gradebook_extend(request, slug: str, enrollment_id: int):
    course = selectors.access_gradebook(actor=request.user, slug=slug)
    enrollment = selectors.gradebook_enrollment(course=course, enrollment_id=enrollment_id)
    form = ExtensionForm(request.POST, quizzes=_quizzes(selectors.gradebook_activities(course=course)))
    if form.is_valid():
        data = form.cleaned_data
        activity = (selectors.gradebook_activity(course=course, activity_id=data["activity"])
                    if data["activity"] is not None else None)
        try:
            services.extension_grant(actor=request.user, enrollment=enrollment, kind=data["kind"],
                                     reason=data["reason"], activity=activity, amount=data["amount"],
                                     due_at=data["due_at"])
        except EnrollmentConflict as exc:
            return _learner_page(request, course, enrollment_id, extension=form, error=_conflict_message(exc),
                                 status=409)
        except ApplicationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, pgettext(C, "The extension is granted and kept in the learner's history."))
            return redirect("pages:teach-gradebook-learner", course.slug, enrollment_id)
    return _learner_page(request, course, enrollment_id, extension=form, status=400)

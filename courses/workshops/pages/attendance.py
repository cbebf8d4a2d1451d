"""The attendance screen of a session, for a phone in the instructor's hand
(/teach/workshops/sessions/<id>/attendance/).

The booked learners by name, each with their mark on the chosen part in words and one button per mark
(present, late, absent, excused); "everyone present" marks whoever has no mark yet; "Undo" puts back what
the last change replaced. Plain forms, no script needed. The session's instructors mark; the course's
managers may look (``access_session_teach``: anyone else finds no such session), and a mark from them is refused
by the service (403). Every write goes through ``courses.workshops.services.attendance``, as the API's does, so a
corrected mark takes back the learner's progress, completion and certificate there too.
"""
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods

from courses.teaching.pages import teach_page
from courses.workshops import selectors
from courses.workshops.errors import WorkshopErrorCode
from courses.workshops.models import AttendanceMark, Registration, SessionPart, WorkshopSession
from courses.workshops.services import attendance as services
from lms.errors import ApplicationError

CONTEXT = "teach"
UNDO_KEY = "attendance-undo-{session}"
STATUS_ORDER = (AttendanceMark.Status.ATTENDED, AttendanceMark.Status.LATE, AttendanceMark.Status.ABSENT,
                AttendanceMark.Status.EXCUSED)


def mark_label(status: str | None) -> str:
    """A mark in words (what the learner's row says)."""
    labels = {
        AttendanceMark.Status.ATTENDED: pgettext(CONTEXT, "Present"),
        AttendanceMark.Status.LATE: pgettext(CONTEXT, "Late"),
        AttendanceMark.Status.ABSENT: pgettext(CONTEXT, "Absent"),
        AttendanceMark.Status.EXCUSED: pgettext(CONTEXT, "Excused"),
    }
    return labels.get(status or "", pgettext(CONTEXT, "Not marked"))


class MarkForm(forms.Form):
    registration = forms.IntegerField(min_value=1, label=pgettext_lazy(CONTEXT, "Learner"))
    part = forms.IntegerField(min_value=1, label=pgettext_lazy(CONTEXT, "Part"))
    status = forms.ChoiceField(choices=AttendanceMark.Status.choices, label=pgettext_lazy(CONTEXT, "Mark"))


class BulkForm(forms.Form):
    part = forms.IntegerField(min_value=1, label=pgettext_lazy(CONTEXT, "Part"))


def _explain(error: ApplicationError) -> list[str]:
    """The service's refusal in the reader's language, one line per problem."""
    if error.code == WorkshopErrorCode.SESSION_CANCELLED:
        return [pgettext(CONTEXT, "This session was cancelled; its attendance cannot change.")]
    words = {
        "registration": pgettext(CONTEXT, "This person is not a booked learner of this session."),
        "part": pgettext(CONTEXT, "This is not a part of this session."),
        "status": pgettext(CONTEXT, "This part has not started: only \u201cexcused\u201d can be recorded."),
    }
    lines = [words.get(key.rsplit(".", 1)[-1], pgettext(CONTEXT, "This mark cannot be recorded."))
             for key in error.fields]
    return list(dict.fromkeys(lines)) or [pgettext(CONTEXT, "This mark cannot be recorded.")]


def _default_part(parts: list[SessionPart]) -> SessionPart | None:
    """The part running now, else the last one started, else the first."""
    now = timezone.now()
    running = [part for part in parts if part.starts_at <= now < part.ends_at]
    started = [part for part in parts if part.starts_at <= now]
    if running:
        return running[0]
    if started:
        return started[-1]
    return parts[0] if parts else None


def _chosen_part(parts: list[SessionPart], raw: Any, *, strict: bool) -> SessionPart | None:
    """The part asked for (404 for another session's part when ``strict``), else ``_default_part``."""
    if raw in (None, ""):
        return _default_part(parts)
    chosen = next((part for part in parts if str(part.pk) == str(raw)), None)
    if chosen is None and strict:
        raise Http404
    return chosen or _default_part(parts)


def _rows(session: WorkshopSession, part: SessionPart | None) -> list[dict[str, Any]]:
    """The booked learners by name, each with their mark on ``part`` (from the roster's prefetched marks)."""
    rows = []
    for registration in selectors.session_roster(session=session):
        if registration.status != Registration.Status.BOOKED:
            continue
        mark = next((m.status for m in registration.marks.all() if part is not None and m.part_id == part.pk), None)
        rows.append({"registration": registration, "name": registration.user.display_name, "mark": mark,
                     "mark_label": mark_label(mark)})
    rows.sort(key=lambda row: (row["name"].casefold(), row["registration"].pk))
    return rows


def _undo_summary(request, session: WorkshopSession, rows: list[dict[str, Any]]) -> str | None:
    undo = request.session.get(UNDO_KEY.format(session=session.pk))
    if not undo or not undo.get("marks"):
        return None
    if len(undo["marks"]) != 1:
        return pgettext(CONTEXT, "Last change: everyone present (%(count)s marked).") % {"count": len(undo["marks"])}
    names = {row["registration"].pk: row["name"] for row in rows}
    return pgettext(CONTEXT, "Last change: %(name)s marked %(mark)s.") % {
        "name": names.get(undo["marks"][0]["registration"], "?"), "mark": mark_label(undo["to"]).lower()}


def _page(request, session: WorkshopSession, part: SessionPart | None, *, errors: list[str] | None = None,
          status: int = 200):
    rows = _rows(session, part)
    counts = {status: 0 for status in (*STATUS_ORDER, None)}
    for row in rows:
        counts[row["mark"]] += 1
    now = timezone.now()
    return render(request, "courses/teach/attendance.html", {
        "nav": "teach", "teach_nav": "workshops", "session": session, "parts": list(session.parts.all()),
        "part": part, "rows": rows, "errors": errors or [],
        "can_mark": selectors.session_is_instructor(actor=request.user, session=session)
        and session.status != WorkshopSession.Status.CANCELLED,
        "started": part is not None and part.starts_at <= now,
        "choices": [(value, mark_label(value)) for value in STATUS_ORDER],
        "tally": [(mark_label(value), count) for value, count in counts.items()],
        "undo": _undo_summary(request, session, rows), "zone": selectors.viewer_timezone(request.user),
    }, status=status)


def _remember(request, session: WorkshopSession, previous: dict[int, str | None], part_id: int, to: str) -> None:
    """What the change replaced, for "Undo" (the instructor's own last change on this session)."""
    request.session[UNDO_KEY.format(session=session.pk)] = {
        "to": to, "marks": [{"registration": pk, "part": part_id, "status": status} for pk, status in previous.items()]}


def _back(session: WorkshopSession, part_id: int | None):
    url = reverse("pages:teach-attendance", args=[session.pk])
    return redirect(f"{url}?part={part_id}" if part_id else url)


def _mark(request, session: WorkshopSession, rows: list[dict[str, Any]]):
    form = MarkForm(request.POST)
    if not form.is_valid():
        return None, [f"{form[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()]
    data = form.cleaned_data
    previous = {row["registration"].pk: row["mark"] for row in rows if row["registration"].pk == data["registration"]}
    services.attendance_record(session=session, actor=request.user, marks=[dict(data)])
    _remember(request, session, previous, data["part"], data["status"])
    name = next((row["name"] for row in rows if row["registration"].pk == data["registration"]), "")
    messages.success(request, pgettext(CONTEXT, "%(name)s: %(mark)s.") % {"name": name,
                                                                           "mark": mark_label(data["status"])})
    return data["part"], []


def _all_present(request, session: WorkshopSession, rows: list[dict[str, Any]]):
    form = BulkForm(request.POST)
    if not form.is_valid():
        return None, [f"{form[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()]
    part_id = form.cleaned_data["part"]
    unmarked = [row["registration"].pk for row in rows if row["mark"] is None]
    if not unmarked:
        messages.info(request, pgettext(CONTEXT, "Everyone already has a mark on this part."))
        return part_id, []
    services.attendance_record(session=session, actor=request.user, marks=[
        {"registration": pk, "part": part_id, "status": AttendanceMark.Status.ATTENDED} for pk in unmarked])
    _remember(request, session, dict.fromkeys(unmarked), part_id, AttendanceMark.Status.ATTENDED)
    messages.success(request, pgettext(CONTEXT, "Everyone present: %(count)s marked.") % {"count": len(unmarked)})
    return part_id, []


def _undo(request, session: WorkshopSession, rows: list[dict[str, Any]]):
    undo = request.session.get(UNDO_KEY.format(session=session.pk))
    if not undo or not undo.get("marks"):
        return None, [pgettext(CONTEXT, "There is no change to undo.")]
    services.attendance_restore(session=session, actor=request.user, marks=undo["marks"])
    del request.session[UNDO_KEY.format(session=session.pk)]
    messages.success(request, pgettext(CONTEXT, "The last change was undone."))
    return undo["marks"][0]["part"], []


ACTIONS = {"mark": _mark, "all_present": _all_present, "undo": _undo}


@teach_page
@require_http_methods(["GET", "HEAD", "POST"])
def teach_attendance(request, session_id: int):
    """GET: the screen (``?part=`` picks the part). POST: a tap (``action=mark``), "everyone present"
    (``action=all_present``) or "Undo" (``action=undo``); then back to the screen. A bad POST answers 400
    with the screen and the reason, and writes nothing."""
    session = selectors.access_session_teach(actor=request.user, session_id=session_id)
    parts = list(session.parts.all())
    if request.method != "POST":
        part = _chosen_part(parts, request.GET.get("part"), strict=True)
    else:  # a part that is not the session's is the form's error, shown on the default part
        part = _chosen_part(parts, request.POST.get("part"), strict=False)
    if request.method != "POST":
        return _page(request, session, part)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return _page(request, session, part, errors=[pgettext(CONTEXT, "Unknown action.")], status=400)
    try:
        part_id, errors = action(request, session, _rows(session, part))
    except ApplicationError as error:
        if error.status_code == 403:
            raise
        return _page(request, session, part, errors=_explain(error), status=409 if error.status_code == 409 else 400)
    if errors:
        return _page(request, session, part, errors=errors, status=400)
    return _back(session, part_id)

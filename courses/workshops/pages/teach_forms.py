"""The forms of the /teach/workshops/ pages: a new workshop, a session (new or changed, with up to
``PART_ROWS`` parts given as local times in the session's zone), the capacity, cancelling, a message, a move.
Forms check shapes only; the services decide the rules, and a refusal is put next to its field
(``apply_error``)."""
from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from courses.workshops.models import WorkshopSession
from lms.errors import ApplicationError
from lms.models import User
from lms.pages.forms import AccessibleFormMixin

CONTEXT = "teach"
PART_ROWS = 3
ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _t(text: str) -> Any:
    return pgettext_lazy(CONTEXT, text)


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """People shown by name and email, so two people of the same name are told apart."""

    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name().strip()
        return f"{name} <{obj.email}>" if name else obj.email


class WorkshopForm(AccessibleFormMixin, forms.Form):
    course = forms.ChoiceField(label=_t("Course"))
    title = forms.CharField(label=_t("Title"), max_length=200)
    description = forms.CharField(label=_t("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    required = forms.BooleanField(label=_t("Needed to complete the course"), required=False)
    requires_approval = forms.BooleanField(label=_t("Registrations wait for approval"), required=False)

    def __init__(self, *args: Any, courses: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [(course.slug, course.title) for course in courses]


def _local(value: str, zone: zoneinfo.ZoneInfo) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value[:16], LOCAL_FORMAT).replace(tzinfo=zone)
    except ValueError:
        return None


class SessionForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_t("Title (empty: the workshop's)"), max_length=200, required=False)
    timezone = forms.ChoiceField(label=_t("Time zone"), choices=[(zone, zone) for zone in ZONES])
    venue = forms.CharField(label=_t("Venue"), max_length=300, required=False)
    online_url = forms.URLField(label=_t("Online meeting address"), max_length=500, required=False,
                                assume_scheme="https")
    capacity = forms.IntegerField(label=_t("Capacity"), min_value=1, max_value=100_000)
    waitlist_enabled = forms.BooleanField(label=_t("Keep a waitlist when full"), required=False)
    cancellation_cutoff_hours = forms.IntegerField(label=_t("Learners may cancel until (hours before the start)"),
                                                   min_value=0, max_value=24 * 365)
    instructors = PersonChoiceField(label=_t("Instructors"), queryset=None, required=False,
                                    widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, people: Any, part_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instructors"].queryset = people
        self.part_ids = part_ids or []
        for index in range(PART_ROWS):
            number = index + 1
            self.fields[f"part_{number}_start"] = forms.CharField(
                label=_t("Part %(number)s starts") % {"number": number}, required=index == 0,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
            self.fields[f"part_{number}_end"] = forms.CharField(
                label=_t("Part %(number)s ends") % {"number": number}, required=index == 0,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
        self._describe()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone = zoneinfo.ZoneInfo(data.get("timezone") or "UTC")
        parts = []
        for number in range(1, PART_ROWS + 1):
            start_raw, end_raw = data.get(f"part_{number}_start") or "", data.get(f"part_{number}_end") or ""
            if not start_raw and not end_raw:
                continue
            start, end = _local(start_raw, zone), _local(end_raw, zone)
            if start is None:
                self.add_error(f"part_{number}_start", _t("A date and a time, e.g. 2027-03-20 10:00."))
            if end is None:
                self.add_error(f"part_{number}_end", _t("A date and a time, e.g. 2027-03-20 12:00."))
            if start and end:
                part: dict[str, Any] = {"starts_at": start, "ends_at": end}
                if number <= len(self.part_ids):
                    part["id"] = self.part_ids[number - 1]
                parts.append(part)
        data["parts"] = parts
        return data

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        fields = {name: data[name] for name in ("title", "timezone", "venue", "online_url", "capacity",
                                                 "waitlist_enabled", "cancellation_cutoff_hours")}
        return {**fields, "parts": data["parts"], "instructors": list(data["instructors"])}


def session_initial(session: WorkshopSession) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(session.timezone)
    initial: dict[str, Any] = {name: getattr(session, name) for name in (
        "title", "timezone", "venue", "online_url", "capacity", "waitlist_enabled", "cancellation_cutoff_hours")}
    initial["instructors"] = [person.pk for person in session.instructors.all()]
    for number, part in enumerate(session.parts.all(), start=1):
        initial[f"part_{number}_start"] = part.starts_at.astimezone(zone).strftime(LOCAL_FORMAT)
        initial[f"part_{number}_end"] = part.ends_at.astimezone(zone).strftime(LOCAL_FORMAT)
    return initial


class CapacityForm(AccessibleFormMixin, forms.Form):
    capacity = forms.IntegerField(label=_t("New capacity"), min_value=1, max_value=100_000)


class CancelForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(label=_t("Why is the session cancelled?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MessageForm(AccessibleFormMixin, forms.Form):
    subject = forms.CharField(label=_t("Subject"), max_length=200)
    body = forms.CharField(label=_t("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    include_waitlisted = forms.BooleanField(label=_t("Also send to the waitlisted learners"), required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if not re.fullmatch(r"[0-9a-f]{32}", key):
            raise forms.ValidationError(_t("This form has expired; reload the page and write again."))
        return key


def message_form_key() -> str:
    return uuid.uuid4().hex


class MoveForm(AccessibleFormMixin, forms.Form):
    to_session = forms.TypedChoiceField(label=_t("Move to"), coerce=int)

    def __init__(self, *args: Any, targets: list[WorkshopSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_session"].choices = [
            (target.pk, f"{target.display_title} — {target.starts_at:%Y-%m-%d %H:%M} UTC") for target in targets]


class DeclineForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(label=_t("Reason (kept in the history)"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "decline-%s")  # the cancel form beside it has a reason too
        super().__init__(*args, **kwargs)


FIELD_NAMES = {"parts": None, "registration_closes_at": None, "registration_opens_at": None}


def explain(error: ApplicationError) -> str:
    """A service's refusal in the reader's language (the services word theirs in English, for the API)."""
    words = {
        "session_full": _t("Every seat is booked; raise the capacity to let this learner in."),
        "not_waitlisted": _t("This learner is not on the waitlist any more."),
        "session_started": _t("This session has already started or taken place."),
        "session_cancelled": _t("This session has been cancelled."),
        "registration_closed": _t("Registration for this session has closed."),
        "capacity_below_bookings": _t("More seats are booked than that; the capacity cannot go below them."),
        "overlapping_session": _t("The learner already has a place at an overlapping time."),
    }
    return str(words.get(str(error.code), str(error)))


def apply_error(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's refusal next to the field it names (``parts[0].ends_at`` is part 1's end), or above the
    form when it names none of the form's fields."""
    if str(error.code) == "capacity_below_bookings":
        form.add_error("capacity", explain(error))
        return
    placed = False
    for name, messages in (error.fields or {}).items():
        match = re.fullmatch(r"parts\[(\d+)\]\.(starts_at|ends_at)", name)
        field = (f"part_{int(match.group(1)) + 1}_{'start' if match.group(2) == 'starts_at' else 'end'}"
                 if match else name)
        if field in form.fields:
            form.add_error(field, [str(message) for message in messages])
            placed = True
    if not placed:
        form.add_error(None, str(error))

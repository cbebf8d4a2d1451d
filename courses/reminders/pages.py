"""Reminder pages: the learner's notification preferences, and the one-click unsubscribe page that needs no
sign-in (the signed token is the credential)."""
from __future__ import annotations

import functools
import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from courses.reminders import services as reminder_services
from courses.reminders import services as reminders
from courses.reminders.registry import sources
from courses.workshops import selectors as learner_selectors
from lms import services as people_services
from lms.errors import ApplicationError
from lms.pages.forms import AccessibleFormMixin
from lms.throttles import page_throttle_wait as _throttled

CONTEXT = "my learning"  # the translation context shared with the My learning page



@csrf_exempt
@require_http_methods(["GET", "POST"])
@sensitive_variables()  # the token is the credential
def unsubscribe_page(request, token: str):
    """The page behind the link in a reminder: GET asks (mail scanners open links), POST unsubscribes."""

    wait = _throttled(request)
    if wait is not None:
        response = render(request, "courses/reminders/unsubscribe.html", {"throttled": True, "wait": wait},
                          status=429)
        response["Retry-After"] = str(wait)
        return response
    context: dict = {}
    status = 200
    try:
        _, kind = reminders.unsubscribe_token_read(token)
    except ApplicationError:
        context["invalid"], status = True, 400
    else:
        context["kind"] = kind
        if request.method == "POST":
            try:
                _, context["kind"] = reminders.notification_unsubscribe(token=token,
                                                                        all_kinds=request.POST.get("all") == "1")
                context["done"] = True
            except ApplicationError:
                context["invalid"], status = True, 400
    response = render(request, "courses/reminders/unsubscribe.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


KIND_LABELS = {
    "not_started": pgettext_lazy(CONTEXT, "You enrolled but have not started a course"),
    "inactivity": pgettext_lazy(CONTEXT, "You have not been active in a course for a while"),
    "due_soon": pgettext_lazy(CONTEXT, "A course is due soon"),
    "overdue": pgettext_lazy(CONTEXT, "A course is overdue"),
    "workshop_session_soon": pgettext_lazy(CONTEXT, "A workshop session you booked starts soon"),
    "certificate_issued": pgettext_lazy(CONTEXT, "Someone in your team earned a certificate (managers)"),
    "manager_digest": pgettext_lazy(CONTEXT, "Weekly digest of your team's progress (managers)"),
    "peer_reviews_owed": pgettext_lazy(CONTEXT, "Peer reviews you owe"),
}


KIND_PREFIX = "kind_"


def _weekdays() -> list[tuple[int, str]]:
    return [(number + 1, name) for number, name in sorted(WEEKDAYS.items())]  # ISO: Monday is 1


@functools.cache
def _timezones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class NotificationPreferencesForm(AccessibleFormMixin, forms.Form):
    email_enabled = forms.BooleanField(
        required=False, label=pgettext_lazy(CONTEXT, "Send me reminder emails"),
        help_text=pgettext_lazy(CONTEXT, "Off: no reminder of any kind. Account emails (password resets, "
                                "certificates, workshop bookings) still arrive."))
    own_quiet_hours = forms.BooleanField(
        required=False, label=pgettext_lazy(CONTEXT, "Use my own quiet hours instead of my organization's"))
    quiet_start = forms.TimeField(
        required=False, label=pgettext_lazy(CONTEXT, "Quiet from"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=pgettext_lazy(CONTEXT, "No reminders from this time (for example 21:00)…"))
    quiet_end = forms.TimeField(
        required=False, label=pgettext_lazy(CONTEXT, "Quiet until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=pgettext_lazy(CONTEXT, "…until this time (for example 08:00)."))
    quiet_days = forms.TypedMultipleChoiceField(
        required=False, coerce=int, choices=_weekdays, widget=forms.CheckboxSelectMultiple,
        label=pgettext_lazy(CONTEXT, "Days without reminders"))
    timezone = forms.ChoiceField(
        required=False, label=pgettext_lazy(CONTEXT, "Time zone"),
        help_text=pgettext_lazy(CONTEXT, "Quiet hours, and the times on these pages, are read in it."))

    def __init__(self, *args, kinds: list[tuple[str, str]], organization_zone: str, paused: bool, **kwargs):
        super().__init__(*args, **kwargs)
        default = pgettext(CONTEXT, "My organization's (%(zone)s)") % {"zone": organization_zone or "UTC"}
        self.fields["timezone"].choices = [("", default), *_timezones()]
        self.kind_names = []
        for kind, label in kinds:
            name = f"{KIND_PREFIX}{kind}"
            self.fields[name] = forms.BooleanField(required=False, label=label)
            self.kind_names.append(name)
        if paused:
            self.fields["resume"] = forms.BooleanField(
                required=False, label=pgettext_lazy(CONTEXT, "Resume sending reminders to my address"))
        self._describe()  # the fields added here get their help and error ids too

    @property
    def kind_fields(self):
        return [self[name] for name in self.kind_names]

    def clean(self):
        data = super().clean()
        if data.get("own_quiet_hours"):
            for name in ("quiet_start", "quiet_end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, pgettext(CONTEXT, "Give a time, or use your organization's quiet hours."))
        return data

    def kinds(self) -> dict[str, bool]:
        return {name.removeprefix(KIND_PREFIX): bool(self.cleaned_data.get(name)) for name in self.kind_names}

    def quiet_hours(self) -> dict:
        if not self.cleaned_data.get("own_quiet_hours"):
            return {"quiet_start": None, "quiet_end": None, "quiet_days": None}
        return {"quiet_start": self.cleaned_data["quiet_start"], "quiet_end": self.cleaned_data["quiet_end"],
                "quiet_days": sorted(self.cleaned_data.get("quiet_days") or [])}


def _initial(preference, user, kinds) -> dict:
    disabled = set(preference.disabled_kinds or [])
    own = preference.quiet_start is not None or preference.quiet_end is not None or preference.quiet_days is not None
    initial = {"email_enabled": preference.email_enabled, "own_quiet_hours": own,
               "quiet_start": preference.quiet_start, "quiet_end": preference.quiet_end,
               "quiet_days": preference.quiet_days or [], "timezone": user.timezone}
    initial.update({f"{KIND_PREFIX}{kind}": kind not in disabled for kind, _label in kinds})
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    user = request.user
    preference = reminder_services.notification_preference_get(user=user)
    order = list(KIND_LABELS)
    kinds = sorted(((kind, KIND_LABELS.get(kind, source.label)) for kind, source in sources().items()),
                   key=lambda pair: (order.index(pair[0]) if pair[0] in order else len(order), pair[0]))
    options = {"kinds": kinds, "organization_zone": learner_selectors.organization_timezone_name(user),
               "paused": preference.paused_at is not None}
    status = 200
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST, **options)
        if form.is_valid():
            try:
                with transaction.atomic():  # the time zone and the preferences are saved together, or neither
                    if form.cleaned_data["timezone"] != user.timezone:
                        people_services.user_update_profile(user=user, timezone=form.cleaned_data["timezone"])
                    reminder_services.notification_preference_update(
                        user=user, email_enabled=form.cleaned_data["email_enabled"], kinds=form.kinds(),
                        quiet_hours=form.quiet_hours(), resume=bool(form.cleaned_data.get("resume")))
            except ApplicationError as error:
                for field, problems in (error.fields or {}).items():
                    form.add_error(field if field in form.fields else None, problems)
                if not error.fields:
                    form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, pgettext(CONTEXT, "Your notification preferences are saved."))
                return redirect("pages:notifications")
        user.refresh_from_db(fields=["timezone"])  # a refused save leaves the person as they were
        status = 400
    else:
        form = NotificationPreferencesForm(initial=_initial(preference, user, kinds), **options)
    return render(request, "courses/pages/notifications.html", {
        "nav": "my-learning", "form": form, "preference": preference,
        "zone": learner_selectors.viewer_timezone(user),
    }, status=status)

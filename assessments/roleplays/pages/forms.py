"""The role-play pages' forms: a performance (transcript or recording) and a rubric review with its
coding."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.quizzes.forms import refuse_repeated_values
from assessments.roleplays import consent
from assessments.roleplays.models import Criterion, Review
from lms.error_codes import PlatformErrorCode
from lms.pages.forms import AccessibleFormMixin

CODING_LABELS = {
    Review.Coding.DISMISSED: _("Dismissed"),
    Review.Coding.PERFUNCTORY: _("Perfunctory"),
    Review.Coding.ACKNOWLEDGED: _("Acknowledged"),
    Review.Coding.EXPLORED: _("Explored"),
    Review.Coding.CONFIRMED: _("Confirmed"),
}


def media_help() -> str:
    return _("MP3, WAV, OGG, FLAC, MP4, M4A, MOV or WebM, up to %(size)s MB.") % {
        "size": settings.ROLEPLAY_MEDIA_MAX_BYTES // (1024 * 1024)}


class PerformanceForm(AccessibleFormMixin, forms.Form):
    """A transcript, a recording, or both (the service keeps the transcript beside the file)."""

    transcript = forms.CharField(
        label=_("Transcript"), required=False, max_length=50_000, strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the conversation, one line per turn (for example \"Agent: ...\", \"Customer: ...\")."),
        error_messages={"max_length": _("Keep the transcript to %(limit_value)d characters or fewer.")})
    recording_consent = forms.BooleanField(
        label=_("I have read the consent text above and agree that my recording is kept and shown as it says."),
        required=False)
    recording_consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1,
                                                   max_value=32767)
    media = forms.FileField(label=_("Recording (audio or video file)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "audio/*,video/*",
                                                                   "data-needs-consent": "id_recording_consent"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["media"].help_text = media_help()
        self.fields["recording_consent_version"].initial = consent.CURRENT_VERSION
        self._describe()

    def consent_version(self) -> int | None:
        """The consent text version the learner agreed to, or None when the box is not ticked."""
        if not self.cleaned_data.get("recording_consent"):
            return None
        return self.cleaned_data.get("recording_consent_version") or consent.CURRENT_VERSION

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (data.get("transcript") or "").strip() and not data.get("media"):
            raise forms.ValidationError(_("Paste a transcript or choose a recording."), code=PlatformErrorCode.REQUIRED)
        return data


class RubricForm(AccessibleFormMixin, forms.Form):
    """Scores against a rubric: one level per criterion (radio buttons, the levels' descriptors beside them);
    for a review also comments, the coding of the scenario's empathic opportunities, and for the partner, who
    rates rather than scores, the 1-5 "cared for" rating."""

    def __init__(self, *args: Any, criteria: list[Criterion], role: str = "peer", opportunities: list | None = None,
                 calibration: bool = False, **kwargs: Any) -> None:
        self.criteria = criteria if role != "partner" else []
        self.role = role
        self.opportunities = opportunities or []
        super().__init__(*args, **kwargs)
        for criterion in self.criteria:
            self.fields[f"criterion-{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title, coerce=int, widget=forms.RadioSelect,
                choices=[(level.points, level.label) for level in criterion.levels.all()],
                error_messages={"required": _("Choose a level for this criterion."),
                                "invalid_choice": _("Choose one of this criterion's levels.")})
        if role == "partner":
            self.fields["cared_for"] = forms.TypedChoiceField(
                label=_("How cared for did you feel, as the customer?"), coerce=int, widget=forms.RadioSelect,
                choices=[(1, _("1 - not at all")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 - completely"))],
                error_messages={"required": _("Rate how cared for you felt, from 1 to 5."),
                                "invalid_choice": _("Rate how cared for you felt, from 1 to 5.")})
        if not calibration:
            for opportunity in self.opportunities:
                self.fields[f"opportunity-{opportunity['key']}"] = forms.ChoiceField(
                    label=opportunity["cue"], required=False,
                    choices=[("", _("Not coded")), *CODING_LABELS.items()],
                    error_messages={"invalid_choice": _("Choose one of the listed codes.")})
            self.fields["comments"] = forms.CharField(
                label=_("Comments"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
                help_text=_("What went well, and one thing to try next time. Quote a moment if you can."),
                error_messages={"max_length": _("Keep the comments to %(limit_value)d characters or fewer.")})
        self._describe()

    def clean(self) -> dict[str, Any]:
        refuse_repeated_values(self)
        return super().clean()

    def criterion_rows(self) -> Iterator[tuple[Criterion, forms.BoundField, list]]:
        """(criterion, bound field, [(radio, level)]) for the template."""
        for criterion in self.criteria:
            field = self[f"criterion-{criterion.pk}"]
            yield criterion, field, list(zip(field, criterion.levels.all(), strict=True))

    def opportunity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("opportunity-")]

    def scores(self) -> list[dict[str, int]]:
        return [{"criterion": c.pk, "points": self.cleaned_data[f"criterion-{c.pk}"]} for c in self.criteria]

    def opportunity_codes(self) -> dict[str, str]:
        codes = {}
        for opportunity in self.opportunities:
            value = self.cleaned_data.get(f"opportunity-{opportunity['key']}")
            if value:
                codes[opportunity["key"]] = value
        return codes

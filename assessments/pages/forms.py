"""The forms of the assessments pages. They check what a browser can get wrong (nothing picked, a value
that is not one of the choices shown); the services stay the judge of every rule and write nothing
when one is broken."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.models import Criterion, Instrument, InstrumentItem, Question, Review
from lms.pages.forms import AccessibleFormMixin

CODING_LABELS = {
    Review.Coding.DISMISSED: _("Dismissed"),
    Review.Coding.PERFUNCTORY: _("Perfunctory"),
    Review.Coding.ACKNOWLEDGED: _("Acknowledged"),
    Review.Coding.EXPLORED: _("Explored"),
    Review.Coding.CONFIRMED: _("Confirmed"),
}


def refuse_repeated_values(form: forms.Form) -> None:
    """A radio group sends one value; a request naming several (hand-made, or a tampered form) is refused
    rather than silently reduced to its last value."""
    getlist = getattr(form.data, "getlist", None)
    if getlist is None:
        return
    for name, field in form.fields.items():
        one_value = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField)
        if one_value and len(getlist(form.add_prefix(name))) > 1:
            form.add_error(name, forms.ValidationError(_("Pick only one answer."), code="repeated"))


class QuizAnswersForm(AccessibleFormMixin, forms.Form):
    """One field per question of an attempt, in the attempt's order: radio buttons (single choice,
    true/false), checkboxes (multiple choice) or a text input (short text). Every question needs an answer."""

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        self.questions = questions
        super().__init__(*args, **kwargs)
        for question in questions:
            choices = [(choice["id"], choice["text"]) for choice in question["choices"]]
            if question["kind"] == Question.Kind.SHORT_TEXT:
                field: forms.Field = forms.CharField(
                    label=_("Your answer"), max_length=1000, strip=False,
                    error_messages={"required": _("Answer this question."),
                                    "max_length": _("Keep your answer to %(limit_value)d characters or fewer.")})
            elif question["kind"] == Question.Kind.MULTIPLE_CHOICE:
                field = forms.TypedMultipleChoiceField(
                    label=question["prompt"], choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple,
                    error_messages={"required": _("Pick at least one answer."),
                                    "invalid_choice": _("Pick among this question's answers.")})
            else:
                field = forms.TypedChoiceField(
                    label=question["prompt"], choices=choices, coerce=int, widget=forms.RadioSelect,
                    error_messages={"required": _("Answer this question."),
                                    "invalid_choice": _("Pick one of this question's answers.")})
            self.fields[self.field_name(question)] = field
        self._describe()

    def clean(self) -> dict[str, Any]:
        refuse_repeated_values(self)
        return super().clean()

    @staticmethod
    def field_name(question: dict[str, Any]) -> str:
        return f"question-{question['id']}"

    def rows(self) -> Iterator[tuple[int, dict[str, Any], forms.BoundField]]:
        """(number, question, bound field) in the attempt's order, for the template."""
        for number, question in enumerate(self.questions, start=1):
            yield number, question, self[self.field_name(question)]

    def answers(self) -> list[dict[str, Any]]:
        """The cleaned answers in the service's shape."""
        answers = []
        for question in self.questions:
            value = self.cleaned_data[self.field_name(question)]
            if question["kind"] == Question.Kind.SHORT_TEXT:
                answers.append({"question": question["id"], "text": value})
            else:
                answers.append({"question": question["id"], "choices": value if isinstance(value, list) else [value]})
        return answers


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
    media = forms.FileField(label=_("Recording (audio or video file)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "audio/*,video/*"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["media"].help_text = media_help()
        self._describe()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (data.get("transcript") or "").strip() and not data.get("media"):
            raise forms.ValidationError(_("Paste a transcript or choose a recording."), code="required")
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


NOT_APPLICABLE = "na"


def _scale_value(value: str) -> int | None:
    return None if value == NOT_APPLICABLE else int(value)


class SurveyAnswersForm(AccessibleFormMixin, forms.Form):
    """One rating scale per instrument item, in the instrument's order: a radio button per scale point
    (with the point's label where the instrument gives one), and "not applicable" where the instrument
    allows it. The page asks for every item; scoring (reverse items, missing answers) is the service's."""

    def __init__(self, *args: Any, instrument: Instrument, items: list[InstrumentItem], **kwargs: Any) -> None:
        self.instrument = instrument
        self.items = items
        super().__init__(*args, **kwargs)
        labels = instrument.scale_labels or {}
        # (value sent, scale point shown or "", label or ""), in the order drawn.
        self.options: list[tuple[str, str, Any]] = [
            (str(point), str(point), labels.get(str(point), ""))
            for point in range(instrument.scale_min, instrument.scale_max + 1)]
        if instrument.allow_na:
            self.options.append((NOT_APPLICABLE, "", pgettext_lazy("survey", "Not applicable")))
            required = pgettext_lazy("survey", "Choose an answer for this statement, or \u201cNot applicable\u201d.")
        else:
            required = pgettext_lazy("survey", "Choose an answer for this statement.")
        choices = [(value, label or point) for value, point, label in self.options]
        for item in items:
            self.fields[self.field_name(item)] = forms.TypedChoiceField(
                label=item.text, choices=choices, coerce=_scale_value, widget=forms.RadioSelect,
                error_messages={"required": required,
                                "invalid_choice": pgettext_lazy("survey", "Choose one of the answers shown.")})
        self._describe()

    def clean(self) -> dict[str, Any]:
        refuse_repeated_values(self)
        return super().clean()

    @staticmethod
    def field_name(item: InstrumentItem) -> str:
        return f"item-{item.key}"

    def rows(self) -> Iterator[tuple[int, InstrumentItem, forms.BoundField, list[tuple[Any, str, Any]]]]:
        """(number, item, bound field, [(radio, scale point or "", label or "")]) in the instrument's order,
        for the template."""
        for number, item in enumerate(self.items, start=1):
            field = self[self.field_name(item)]
            yield number, item, field, [(radio, point, label)
                                        for radio, (_value, point, label) in zip(field, self.options, strict=True)]

    def answers(self) -> dict[str, int | None]:
        """The cleaned answers in the service's shape: {item key: scale point, or None for N/A}."""
        return {item.key: self.cleaned_data[self.field_name(item)] for item in self.items}

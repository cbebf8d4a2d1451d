"""The survey page's form: one rating per statement, or not applicable."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from assessments.instruments.models import Instrument, InstrumentItem
from assessments.quizzes.forms import refuse_repeated_values
from lms.pages.forms import AccessibleFormMixin

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

"""The forms of the 360° pages: a rater's answers, and HR's new cycle."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import pgettext_lazy

from assessments.leadership.behaviours import BEHAVIOURS, SCALE, SCALE_LABELS, THEMES, Behaviour
from lms.pages.forms import AccessibleFormMixin


class AnswersForm(AccessibleFormMixin, forms.Form):
    """One 1 to 5 frequency scale per behaviour, every one required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(point), SCALE_LABELS[point]) for point in SCALE]
        for behaviour in BEHAVIOURS:
            self.fields[self.field_name(behaviour)] = forms.TypedChoiceField(
                label=behaviour.text, choices=choices, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": pgettext_lazy("leadership", "Choose how often for this behaviour."),
                                "invalid_choice": pgettext_lazy("leadership", "Choose one of the answers shown.")})
        self._describe()

    @staticmethod
    def field_name(behaviour: Behaviour) -> str:
        return f"b-{behaviour.key}"

    def rows(self) -> Iterator[tuple[int, Any, Behaviour, forms.BoundField, list[tuple[Any, int, Any]]]]:
        """(number, theme name, behaviour, bound field, [(radio, point, label)]) for the template."""
        for number, behaviour in enumerate(BEHAVIOURS, start=1):
            field = self[self.field_name(behaviour)]
            yield number, THEMES[behaviour.theme], behaviour, field, [
                (radio, point, SCALE_LABELS[point]) for radio, point in zip(field, SCALE, strict=True)]

    def answers(self) -> dict[str, int]:
        return {behaviour.key: self.cleaned_data[self.field_name(behaviour)] for behaviour in BEHAVIOURS}


class CycleForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("leadership", "Name"), max_length=200)
    opens_on = forms.DateField(label=pgettext_lazy("leadership", "Opens on"),
                               widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=pgettext_lazy("leadership", "Closes on"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    minimum_raters = forms.IntegerField(
        label=pgettext_lazy("leadership", "Minimum answers per group"), min_value=2, max_value=50,
        help_text=pgettext_lazy("leadership", "Team, peers and own manager are groups: a group with fewer answers "
                                "shows nothing."))
    managers = forms.TypedMultipleChoiceField(label=pgettext_lazy("leadership", "Managers to rate"), coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    peers = forms.BooleanField(label=pgettext_lazy("leadership", "Invite their peers (people with the same manager)"),
                               required=False)
    own_manager = forms.BooleanField(label=pgettext_lazy("leadership", "Invite their own manager"), required=False,
                                     initial=True)
    self_rating = forms.BooleanField(label=pgettext_lazy("leadership", "Ask each manager to rate themselves"),
                                     required=False, initial=True)

    def __init__(self, *args: Any, managers: list, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("minimum_raters", settings.LEADERSHIP_MINIMUM_RATERS)
        super().__init__(*args, **kwargs)
        self.fields["managers"].choices = [(m.pk, m.user.get_full_name() or m.user.email) for m in managers]
        self._describe()

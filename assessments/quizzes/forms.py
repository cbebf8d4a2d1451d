"""The quiz page's form, and the check every answer form shares: nothing picked twice."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.quizzes.errors import QuizErrorCode
from assessments.quizzes.models import Question
from lms.pages.forms import AccessibleFormMixin


def refuse_repeated_values(form: forms.Form) -> None:
    """A radio group sends one value; a request naming several (hand-made, or a tampered form) is refused
    rather than silently reduced to its last value."""
    getlist = getattr(form.data, "getlist", None)
    if getlist is None:
        return
    for name, field in form.fields.items():
        one_value = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField)
        if one_value and len(getlist(form.add_prefix(name))) > 1:
            form.add_error(name, forms.ValidationError(_("Pick only one answer."), code=QuizErrorCode.REPEATED))


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

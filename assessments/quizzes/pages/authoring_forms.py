"""The quiz editor's forms (parsing only: the rules of a quiz and its questions are the authoring service's, whose
refusals land beside these fields)."""
from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import pgettext, pgettext_lazy

from assessments.quizzes.errors import QuizAuthoringError
from assessments.quizzes.models import Question, Quiz
from assessments.quizzes.services.authoring import MAX_CHOICES
from lms.pages.forms import AccessibleFormMixin

KIND_LABELS = {
    Question.Kind.SINGLE_CHOICE: pgettext_lazy("teach", "Single choice"),
    Question.Kind.MULTIPLE_CHOICE: pgettext_lazy("teach", "Multiple choice"),
    Question.Kind.TRUE_FALSE: pgettext_lazy("teach", "True or false"),
    Question.Kind.SHORT_TEXT: pgettext_lazy("teach", "Short text"),
}
REVEAL_LABELS = {
    Quiz.Reveal.NEVER: pgettext_lazy("teach", "Never"),
    Quiz.Reveal.AFTER_SUBMISSION: pgettext_lazy("teach", "After each submission"),
    Quiz.Reveal.AFTER_PASSING_OR_LAST: pgettext_lazy("teach", "After passing or the last attempt"),
}
SETTINGS_ALIASES = {"time_limit_seconds": "time_limit_minutes"}
_IMPORT_FIELD = re.compile(r"^questions\[(\d+)\](?:\.(\w+))?$")


def _whole(label: Any, low: int, high: int, required: bool = False, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=low, max_value=high, required=required, help_text=help_text)


class QuizSettingsForm(AccessibleFormMixin, forms.Form):
    instructions = forms.CharField(label=pgettext_lazy("teach", "Instructions"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    passing_score = _whole(pgettext_lazy("teach", "Pass mark (%)"), 0, 100, required=True)
    max_attempts = _whole(pgettext_lazy("teach", "Attempts allowed"), 1, 1000,
                          help_text=pgettext_lazy("teach", "Empty: as many as the learner wants."))
    time_limit_minutes = _whole(pgettext_lazy("teach", "Time limit in minutes"), 1, 7 * 24 * 60,
                                help_text=pgettext_lazy("teach", "Empty: no time limit."))
    questions_per_attempt = _whole(pgettext_lazy("teach", "Questions drawn per attempt"), 1, 500,
                                   help_text=pgettext_lazy("teach", "Empty: every question."))
    shuffle_questions = forms.BooleanField(label=pgettext_lazy("teach", "Shuffle the questions"), required=False)
    shuffle_choices = forms.BooleanField(label=pgettext_lazy("teach", "Shuffle the choices"), required=False)
    reveal_answers = forms.ChoiceField(label=pgettext_lazy("teach", "Show the correct answers"),
                                       choices=list(REVEAL_LABELS.items()))

    @classmethod
    def initial_for(cls, quiz: Quiz | None) -> dict[str, Any]:
        if quiz is None:
            return {"passing_score": 70, "reveal_answers": Quiz.Reveal.AFTER_SUBMISSION}
        return {"instructions": quiz.instructions, "passing_score": quiz.passing_score,
                "max_attempts": quiz.max_attempts, "questions_per_attempt": quiz.questions_per_attempt,
                "time_limit_minutes": -(-quiz.time_limit_seconds // 60) if quiz.time_limit_seconds else None,
                "shuffle_questions": quiz.shuffle_questions, "shuffle_choices": quiz.shuffle_choices,
                "reveal_answers": quiz.reveal_answers}

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        minutes = data.pop("time_limit_minutes")
        data["time_limit_seconds"] = minutes * 60 if minutes else None
        return data


class QuestionForm(AccessibleFormMixin, forms.Form):
    """A question with rows of choices (text, correct, and the id of the choice a row edits); empty rows are left
    out. Short-text questions take their accepted answers one per line instead."""

    kind = forms.ChoiceField(label=pgettext_lazy("teach", "Kind of question"), choices=list(KIND_LABELS.items()))
    prompt = forms.CharField(label=pgettext_lazy("teach", "Question"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    points = _whole(pgettext_lazy("teach", "Points"), 1, 100, required=True)
    feedback = forms.CharField(label=pgettext_lazy("teach", "Explanation shown with the answers"), required=False,
                               max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    accepted_answers = forms.CharField(
        label=pgettext_lazy("teach", "Accepted answers (short text), one per line"), required=False, max_length=12_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=pgettext_lazy("teach", "Letter case and spacing are ignored when answers are compared."))
    # Carries the service's refusals about the choices as a whole; the template shows them in the choices' fieldset.
    choices = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        existing = list(question.choices.all()) if question is not None else []
        self.rows = min(MAX_CHOICES, max(4, len(existing) + 2))
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(question, existing)
        super().__init__(*args, **kwargs)
        for number in range(1, self.rows + 1):
            self.fields[f"choice_{number}"] = forms.CharField(
                label=pgettext_lazy("teach", "Choice %(number)s") % {"number": number}, required=False,
                max_length=1000)
            self.fields[f"correct_{number}"] = forms.BooleanField(
                label=pgettext_lazy("teach", "Choice %(number)s is correct") % {"number": number}, required=False)
            self.fields[f"choice_id_{number}"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        self._describe()

    @staticmethod
    def _initial(question: Question, existing: list) -> dict[str, Any]:
        initial: dict[str, Any] = {"kind": question.kind, "prompt": question.prompt, "points": question.points,
                                   "feedback": question.feedback,
                                   "accepted_answers": "\n".join(question.accepted_answers or [])}
        for number, choice in enumerate(existing, start=1):
            initial.update({f"choice_{number}": choice.text, f"correct_{number}": choice.is_correct,
                            f"choice_id_{number}": choice.pk})
        return initial

    def choice_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"choice_{n}"], self[f"correct_{n}"], self[f"choice_id_{n}"]) for n in range(1, self.rows + 1)]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {"kind": data["kind"], "prompt": data["prompt"], "points": data["points"],
                                  "feedback": data["feedback"]}
        if data["kind"] == Question.Kind.SHORT_TEXT:
            fields["accepted_answers"] = [line.strip() for line in data["accepted_answers"].splitlines()
                                          if line.strip()]
            return fields
        choices = []
        for number in range(1, self.rows + 1):
            text = data.get(f"choice_{number}", "").strip()
            if text:
                choice: dict[str, Any] = {"text": text, "correct": bool(data.get(f"correct_{number}"))}
                if data.get(f"choice_id_{number}") is not None:
                    choice["id"] = data[f"choice_id_{number}"]
                choices.append(choice)
        fields["choices"] = choices
        return fields


class QuizImportForm(AccessibleFormMixin, forms.Form):
    file = forms.FileField(label=pgettext_lazy("teach", "Quiz file (JSON)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
                           help_text=pgettext_lazy("teach", "The format the export below downloads. Importing "
                                                            "replaces every question and setting, all or nothing."),
                           error_messages={"required": pgettext_lazy("teach", "Choose a file.")})


def import_problems(exc: QuizAuthoringError) -> list[str]:
    """The importer's refusal as lines a person can act on: what was wrong, then each question's number and field."""
    problems = [exc.message]
    for key, messages in (exc.fields or {}).items():
        match = _IMPORT_FIELD.match(key)
        for message in messages if isinstance(messages, (list, tuple)) else [messages]:
            if match:
                problems.append(pgettext("teach", "Question %(number)s, %(field)s: %(message)s") % {
                    "number": match.group(1), "field": match.group(2) or pgettext("teach", "whole question"),
                    "message": message})
            else:
                problems.append(f"{key}: {message}")
    return problems

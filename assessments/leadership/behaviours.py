"""The 360° instrument: observable empathic-leadership behaviours, written for this project (en and pt-BR).

Each behaviour has a stable key (what a response stores) and belongs to a theme. Raters answer every behaviour
on the frequency scale below. Keys never change meaning; a new wording is a new key.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

SCALE = (1, 2, 3, 4, 5)
SCALE_LABELS = {
    1: pgettext_lazy("leadership scale", "Almost never"),
    2: pgettext_lazy("leadership scale", "Rarely"),
    3: pgettext_lazy("leadership scale", "Sometimes"),
    4: pgettext_lazy("leadership scale", "Often"),
    5: pgettext_lazy("leadership scale", "Almost always"),
}


@dataclass(frozen=True)
class Behaviour:
    key: str
    theme: str
    text: str | Promise


THEMES = {
    "listening": pgettext_lazy("leadership theme", "Listening first"),
    "pressure": pgettext_lazy("leadership theme", "Care under pressure"),
    "growth": pgettext_lazy("leadership theme", "Helping people grow"),
    "example": pgettext_lazy("leadership theme", "Leading by example with customers"),
}

BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("asks_before_advising", "listening", pgettext_lazy(
        "leadership behaviour", "Asks how a customer call went before giving advice.")),
    Behaviour("repeats_back", "listening", pgettext_lazy(
        "leadership behaviour", "Sums up what I said in their own words before answering.")),
    Behaviour("no_interrupting", "listening", pgettext_lazy(
        "leadership behaviour", "Lets me finish explaining a problem without cutting in.")),
    Behaviour("notices_strain", "pressure", pgettext_lazy(
        "leadership behaviour", "Notices when the queue or a hard call has worn someone down, and checks in.")),
    Behaviour("calm_in_escalation", "pressure", pgettext_lazy(
        "leadership behaviour", "Stays calm and respectful with the team during an escalation.")),
    Behaviour("adjusts_workload", "pressure", pgettext_lazy(
        "leadership behaviour", "Changes priorities or shares the load when someone is overwhelmed.")),
    Behaviour("feedback_private", "growth", pgettext_lazy(
        "leadership behaviour", "Gives corrective feedback in private and with a concrete example.")),
    Behaviour("names_strengths", "growth", pgettext_lazy(
        "leadership behaviour", "Tells me specifically what I handled well with a customer.")),
    Behaviour("asks_my_view", "growth", pgettext_lazy(
        "leadership behaviour", "Asks for my view before deciding something that changes my work.")),
    Behaviour("admits_mistakes", "example", pgettext_lazy(
        "leadership behaviour", "Admits their own mistakes openly in front of the team.")),
    Behaviour("customer_feelings", "example", pgettext_lazy(
        "leadership behaviour", "Talks about customers' feelings, not only about their tickets.")),
    Behaviour("models_tone", "example", pgettext_lazy(
        "leadership behaviour", "Uses the same patient tone with customers that they ask of us.")),
)
BEHAVIOUR_KEYS = tuple(behaviour.key for behaviour in BEHAVIOURS)

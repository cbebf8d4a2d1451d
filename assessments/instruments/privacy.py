"""Before/after empathy surveys: a learner's answers are deleted with them; the empathy-growth report then counts
what remains. An instrument's items are published wording, not anyone's data."""
from lms.privacy.registry import Erase, Row, not_personal, personal_data

personal_data(
    "assessments.InstrumentResponse",
    people={"enrollment__user": Row.DELETE},
    fields={
        "answers": ("their answer to each item", Erase.KEEP),
        "score": ("their score", Erase.KEEP),
        "subscale_scores": ("their score on each subscale", Erase.KEEP),
        "submitted_at": ("when they answered", Erase.KEEP),
    },
    purpose="A learner's answers to an empathy survey before and after training, for the growth report.",
)

not_personal("assessments.InstrumentItem", ["text"], reason="an item of a published instrument")

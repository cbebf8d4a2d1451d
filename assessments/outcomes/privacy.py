"""Customer-satisfaction and quality scores imported per agent: they are the person's and are deleted with them."""
from lms.privacy.registry import Erase, Row, personal_data

personal_data(
    "assessments.OutcomeScore",
    people={"membership__user": Row.DELETE},
    fields={
        "metric": ("CSAT or quality review", Erase.KEEP),
        "period_start": ("the period's start", Erase.KEEP),
        "period_end": ("the period's end", Erase.KEEP),
        "score": ("their score", Erase.KEEP),
        "responses": ("how many responses the score rests on", Erase.KEEP),
        "source": ("the system it came from", Erase.KEEP),
        "external_id": ("the source system's id for the row", Erase.KEEP),
    },
    purpose="Scores from other systems per agent and period, for the before/after-training report.",
)

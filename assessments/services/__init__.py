"""Every write in the assessments app. Import from here: ``from assessments import services``."""
from assessments.services.attempts import attempt_start, attempt_submit
from assessments.services.authoring import (
    question_create,
    question_delete,
    question_update,
    quiz_activity_create,
    quiz_create,
    quiz_update,
)
from assessments.services.transfer import quiz_import_json

__all__ = [
    "attempt_start", "attempt_submit", "question_create", "question_delete", "question_update",
    "quiz_activity_create", "quiz_create", "quiz_import_json", "quiz_update",
]

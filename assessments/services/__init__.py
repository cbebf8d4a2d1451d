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
from assessments.services.instruments import (
    default_instrument_ensure,
    instrument_import_json,
    survey_activity_create,
    survey_create,
    survey_respond,
)
from assessments.services.reviews import (
    calibration_example_create,
    calibration_review_submit,
    performance_finalize,
    review_submit,
    review_update,
)
from assessments.services.roleplays import (
    assignment_reassign,
    peer_allocate,
    performance_submit,
    roleplay_activity_create,
    roleplays_sweep,
    scenario_create,
    scenario_update,
)
from assessments.services.rubrics import default_rubric_ensure, rubric_create, rubric_new_version, rubric_update
from assessments.services.transfer import quiz_import_json

__all__ = [
    "assignment_reassign", "attempt_start", "attempt_submit", "calibration_example_create",
    "calibration_review_submit", "default_instrument_ensure", "default_rubric_ensure", "instrument_import_json",
    "peer_allocate", "performance_finalize", "performance_submit", "question_create", "question_delete",
    "question_update", "quiz_activity_create", "quiz_create", "quiz_import_json", "quiz_update",
    "review_submit", "review_update", "roleplay_activity_create", "roleplays_sweep", "rubric_create",
    "rubric_new_version", "rubric_update", "scenario_create", "scenario_update", "survey_activity_create",
    "survey_create", "survey_respond",
]

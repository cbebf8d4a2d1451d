"""Models of the assessments app, one module per area; import them from here."""
from assessments.instruments.models import Instrument, InstrumentItem, InstrumentResponse, Survey
from assessments.leadership.models import (
    LeadershipCycle,
    LeadershipInvitation,
    LeadershipResponse,
    LeadershipSubject,
)
from assessments.outcomes.models import OutcomeScore
from assessments.quizzes.models import SUBMIT_GRACE, Attempt, AttemptAnswer, Choice, Question, Quiz
from assessments.roleplays.models import (
    AllocationRound,
    CalibrationExample,
    Criterion,
    Level,
    Performance,
    RecordingConsent,
    Review,
    ReviewAssignment,
    ReviewerCalibration,
    ReviewerRole,
    ReviewScore,
    Rubric,
    Scenario,
)

__all__ = [
    "SUBMIT_GRACE", "AllocationRound", "Attempt", "AttemptAnswer", "CalibrationExample", "Choice", "Criterion",
    "Instrument", "InstrumentItem", "InstrumentResponse",
    "LeadershipCycle", "LeadershipInvitation", "LeadershipResponse", "LeadershipSubject",
    "Level", "OutcomeScore", "Performance", "Question", "Quiz", "RecordingConsent", "Review",
    "ReviewAssignment", "ReviewScore", "ReviewerCalibration", "ReviewerRole", "Rubric", "Scenario", "Survey",
]

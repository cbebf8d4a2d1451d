"""Quiz attempts and answers.

A learner's attempts and what they answered are deleted with them (their enrollment stays, see
``courses.enrollments.privacy``); the quiz's response report then counts what remains. Questions, choices and their
feedback are what the instructor wrote for everyone.
"""
from lms.privacy.registry import Erase, Row, not_personal, personal_data

personal_data(
    "assessments.Attempt",
    people={"enrollment__user": Row.DELETE},
    fields={
        "number": ("which attempt", Erase.KEEP),
        "status": ("in progress or submitted", Erase.KEEP),
        "started_at": ("when they started", Erase.KEEP),
        "submitted_at": ("when they submitted", Erase.KEEP),
        "points": ("points earned", Erase.KEEP),
        "score": ("their score", Erase.KEEP),
        "passed": ("whether they passed", Erase.KEEP),
    },
    purpose="A learner's attempts at a quiz, graded under the quiz's rules.",
)

personal_data(
    "assessments.AttemptAnswer",
    people={"attempt__enrollment__user": Row.DELETE},
    fields={
        "choices": ("the choices they picked", Erase.KEEP),
        "text": ("the answer they typed", Erase.BLANK),
        "is_correct": ("whether it was right", Erase.KEEP),
        "points": ("points earned", Erase.KEEP),
    },
    purpose="What a learner answered to each question of an attempt, to grade it and show the results.",
)

not_personal("assessments.Quiz", ["reveal_answers"], reason="when the quiz shows its correct answers (a setting)")
not_personal("assessments.Question", ["feedback", "accepted_answers"],
             reason="the question's feedback and accepted answers, as the instructor wrote them")
not_personal("assessments.Choice", ["text", "feedback"],
             reason="a choice and its feedback, as the instructor wrote them")

"""Role-plays: performances (recordings, transcripts), peer-review work and reviews.

A learner's performances are deleted with them, their recording files first (Erase.DELETE_FILE), and with them
the reviews of those performances. A review someone wrote of another learner's performance stays, kept anonymous:
its author is detached and its text and scores stay with the reviewed learner (``Review.reviewer`` is not
nullable today, see the note below). A reviewer's assignments and calibration figures are their own and go with
them. Staff who played the customer, opened an allocation round or chose a calibration example are detached.

Note for erasure: ``Review.reviewer`` is a non-nullable foreign key with ``on_delete=CASCADE``; Row.DETACH on it
needs a migration making it nullable (SET_NULL) before erasure can carry it out.
"""
from assessments.roleplays.consent_export import consents_for
from lms.privacy.registry import Erase, Row, export_section, personal_data

personal_data(
    "assessments.Performance",
    people={"enrollment__user": Row.DELETE, "partner": Row.DETACH},
    fields={
        "media": ("the recording of their role-play", Erase.DELETE_FILE),
        "transcript": ("the transcript of their role-play", Erase.BLANK),
        "link": ("a link to their recording elsewhere", Erase.BLANK),
        "session_reference": ("the live session it was played in", Erase.BLANK),
        "cohort": ("their cohort", Erase.BLANK),
        "submitted_at": ("when they submitted it", Erase.KEEP),
        "status": ("where its review stands", Erase.KEEP),
        "final_score": ("their score", Erase.KEEP),
        "passed": ("whether they passed", Erase.KEEP),
        "scored_at": ("when it was scored", Erase.KEEP),
        "fallback_reason": ("why its review fell to the supervisor (a code)", Erase.KEEP),
        "resolution_reason": ("why it closed unscored (a code)", Erase.KEEP),
    },
    purpose="A learner's role-play, reviewed by peers and staff against the scenario's rubric. The recording is "
            "deleted its retention days after the performance is scored; the scored row stays with the account.",
    retention="recordings",
)

personal_data(
    "assessments.ReviewAssignment",
    people={"reviewer": Row.DELETE, "performance__enrollment__user": Row.DELETE},
    fields={
        "role": ("peer, instructor or supervisor", Erase.KEEP),
        "reason": ("why they were assigned", Erase.KEEP),
        "status": ("pending, done or withdrawn", Erase.KEEP),
        "due_at": ("when the review is due", Erase.KEEP),
    },
    purpose="Who is to review a performance, by when: the review queue and its reminders.",
)

personal_data(
    "assessments.Review",
    people={"reviewer": Row.DETACH, "performance__enrollment__user": Row.DELETE, "assignment__reviewer": Row.SCRUB},
    fields={
        "comments": ("the review's comments, kept anonymous once its author is detached", Erase.KEEP),
        "cared_for": ("the partner's rating of how cared-for they felt", Erase.KEEP),
        "opportunity_codes": ("how the reviewer coded each opportunity", Erase.KEEP),
        "created_at": ("when it was written", Erase.KEEP),
    },
    purpose="A review of a performance against the rubric; the performer's score rests on it.",
)

personal_data(
    "assessments.ReviewScore",
    people={"review__performance__enrollment__user": Row.DELETE, "review__reviewer": Row.SCRUB},
    fields={"points": ("points given on one criterion", Erase.KEEP)},
    purpose="A review's points on each criterion of the rubric.",
)

personal_data(
    "assessments.ReviewerCalibration",
    people={"reviewer": Row.DELETE},
    fields={
        "examples": ("calibration examples they reviewed", Erase.KEEP),
        "agreement": ("their agreement with the reference", Erase.KEEP),
        "weight": ("the weight of their reviews", Erase.KEEP),
        "flagged": ("whether they were flagged", Erase.KEEP),
        "live_agreement": ("their agreement on live reviews", Erase.KEEP),
    },
    purpose="How far a reviewer agrees with reference scores, which weighs their reviews.",
)

personal_data(
    "assessments.CalibrationExample",
    people={"performance__enrollment__user": Row.DELETE, "created_by": Row.DETACH},
    fields={"created_at": ("when the example was chosen", Erase.KEEP)},
    purpose="A performance instructors chose as a reference for calibrating reviewers.",
)

personal_data(
    "assessments.AllocationRound",
    people={"created_by": Row.DETACH},
    fields={"created_at": ("when they allocated reviewers", Erase.KEEP)},
    purpose="A round of allocating peer reviewers; who ran it.",
)

personal_data(
    "assessments.RecordingConsent",
    people={"user": Row.DELETE, "performance__enrollment__user": Row.DELETE},
    fields={
        "version": ("the version of the consent text they agreed to", Erase.KEEP),
        "given_at": ("when they agreed", Erase.KEEP),
        "withdrawn_at": ("when they withdrew it", Erase.KEEP),
    },
    purpose="Proof that the learner agreed to have a role-play recording kept, and when they withdrew it.",
)


@export_section("recording_consents")
def recording_consents(user) -> list[dict]:
    """Each consent with the text they agreed to, in both languages, and whether the recording is still kept."""
    return consents_for(user)

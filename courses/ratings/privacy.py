"""Course ratings and the flags learners raise on them.

A rating is one learner's stars and review of a course. ``Rating.user`` is not nullable (one rating per learner
and course), so a rating cannot be kept detached: erasure deletes it, and the course's average is recomputed from
what remains. The moderator who hid a review is detached from it when erased.
"""
from lms.privacy.registry import Erase, Row, personal_data

personal_data(
    "courses.Rating",
    people={"user": Row.DELETE, "hidden_by": Row.DETACH},
    fields={
        "stars": ("the stars they gave", Erase.KEEP),
        "review": ("the review they wrote", Erase.BLANK),
        "created_at": ("when", Erase.KEEP),
        "hidden_reason": ("why a moderator hid the review", Erase.BLANK),
    },
    purpose="A learner's rating and review of a course, shown to other learners and averaged.",
)

personal_data(
    "courses.RatingFlag",
    people={"user": Row.DELETE, "rating__user": Row.DELETE},
    fields={
        "reason": ("why they flagged a review", Erase.KEEP),
        "note": ("their note to the moderators", Erase.BLANK),
        "created_at": ("when", Erase.KEEP),
    },
    purpose="A learner's report that a review breaks the rules, for moderation.",
)

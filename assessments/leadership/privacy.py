"""360° feedback on leaders.

A manager rated in a cycle (LeadershipSubject) is erased with everything about them as a subject: their
invitations (by cascade) and the answers given about them. A rater's invitation is theirs and goes with them; the
answers they gave were never tied to them (LeadershipResponse keeps no rater) and stay in the subject's figures.
Nothing that could tell a manager who rated them reaches the manager's export: invitations and responses
declare no path from the subject (their rows go by cascade when the subject is deleted). What the manager's
export holds instead is what their results page showed them (the ``leadership_results`` section): per closed
cycle, each group's number of answers and figures under the disclosure rule, withheld groups with none, and
their own self-rating with its gap to the others. The HR person who opened a cycle is detached from it when
erased.
"""
from assessments.leadership.selectors import results_of
from lms.privacy.registry import Erase, Row, export_section, not_personal, personal_data

personal_data(
    "assessments.LeadershipCycle",
    people={"created_by": Row.DETACH},
    fields={"created_at": ("when they opened the cycle", Erase.KEEP)},
    purpose="A round of 360° feedback; who opened it.",
)

personal_data(
    "assessments.LeadershipSubject",
    people={"membership__user": Row.DELETE},
    fields={"cycle": ("the cycle they were rated in", Erase.KEEP)},
    purpose="A manager rated in a cycle.",
)

personal_data(
    "assessments.LeadershipInvitation",
    people={"rater": Row.DELETE},
    fields={
        "source": ("self, manager, peer or report", Erase.KEEP),
        "answered": ("whether they answered", Erase.KEEP),
    },
    purpose="Who is asked to rate a manager, and whether they answered (not what).",
)

personal_data(
    "assessments.LeadershipResponse",
    people={},  # no path: a manager's export must not hold one response, which could tell who rated them
    fields={"answers": ("ratings of a manager, without their rater; deleted with the subject", Erase.STEP)},
    purpose="Anonymous ratings of a manager, shown only as figures under the disclosure rule.",
)

not_personal("assessments.LeadershipCycle", ["name"], reason="the name HR gave a feedback round")
not_personal(
    "assessments.LeadershipInvitation", ["subject"],
    reason="the manager to rate: the invitation is the rater's alone, kept out of the manager's export so raters "
           "stay anonymous; erasing the manager deletes it with the subject (on_delete CASCADE)")
not_personal(
    "assessments.LeadershipResponse", ["subject"],
    reason="the manager rated: kept out of the manager's export so raters stay anonymous (figures only); erasing "
           "the manager deletes the responses with the subject (on_delete CASCADE)")


@export_section("leadership_results")
def leadership_results(user) -> list[dict]:
    """Their 360° results as their results page shows them, newest cycle first; never one response or a rater."""
    return [{
        "cycle": report.subject.cycle.name,
        "organization": report.subject.cycle.organization.name,
        "opens_on": report.subject.cycle.opens_on.isoformat(),
        "closes_on": report.subject.cycle.closes_on.isoformat(),
        "groups": [{
            "group": group.key, "answers": group.n, "withheld": group.withheld,
            "behaviours": {key: {"answers": shown.n, "mean": shown.mean,
                                 "distribution": {str(point): count for point, count in shown.distribution.items()}}
                           for key, shown in group.behaviours.items()},
        } for group in report.groups],
        "self_rating": report.self_answers,
        "self_gap": report.gaps,
        "change_since_previous_cycle": report.changes if report.previous_cycle else None,
    } for report in results_of(actor=user)]

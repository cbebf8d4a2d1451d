"""Demo role-play and empathy measures in the English empathy course (loaded after the quizzes). Idempotent.

The course gains an optional role-play scenario scored with our default rubric, and optional before and
after surveys with our short instrument. The demo cohort (learner4@ to learner9@, from lms.demo)
joins learner@, learner2@ and learner3@; everyone answers the opening survey, the cohort works through
the course (lessons and quizzes through the same services a browser uses) and answers the closing
survey. Everyone performs
the role-play twice (a first try and a better second one); peers calibrate on a reference example and
review what they were allocated, the supervisor and the partner review too, so the agreement report
and the empathy-growth report show real figures. Scores follow a fixed pattern, not a random draw, so
the demo is the same on every machine.

The scenario, the calibration reference and the transcripts the learners submit are data, in
``demo_data/roleplay/`` (``roleplay.yaml`` and the text files it names).
"""
from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from assessments.demo_attempts import pass_quizzes
from assessments.instruments import services as instrument_services
from assessments.roleplays.models import Criterion, Performance, ReviewAssignment, ReviewerRole, Scenario
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services import rubrics as roleplay_rubrics
from courses.catalog.models import Activity, Course
from courses.demo_content import EMPATHY_SLUG_EN
from courses.enrollments import services as course_services
from courses.enrollments.models import Enrollment
from lms.demo import ORG_SLUG, demo_loader
from lms.models import Organization, User

# The demo people (lms.demo) who perform the role-play, with their cohort label; the last six work
# through the whole course so their closing survey opens.
COHORT = [("learner4@acme.example", "spring"), ("learner5@acme.example", "spring"),
          ("learner6@acme.example", "spring"), ("learner7@acme.example", "autumn"),
          ("learner8@acme.example", "autumn"), ("learner9@acme.example", "autumn")]
FIRST_LEARNERS = [("learner@acme.example", "spring"), ("learner2@acme.example", "autumn"),
                  ("learner3@acme.example", "spring")]

ROLEPLAY_DIR = Path(__file__).resolve().parent / "demo_data" / "roleplay"


def _read_text(name: str) -> str:
    """A text file of ``demo_data/roleplay``, without the newline that ends the file."""
    return (ROLEPLAY_DIR / name).read_text(encoding="utf-8").removesuffix("\n")


_DATA = yaml.safe_load((ROLEPLAY_DIR / "roleplay.yaml").read_text(encoding="utf-8"))
# The role-play activity's fields (title, persona, situation, opportunities, instructions, weights).
SCENARIO: dict = _DATA["scenario"]
# The calibration example: (title, transcript, the expert's points per rubric criterion in order).
REFERENCE: tuple[str, str, list[int]] = (_DATA["reference"]["title"],
                                         _read_text(_DATA["reference"]["transcript_file"]),
                                         _DATA["reference"]["expert_points"])
# What a learner submits on the first and the second try; {first_name} is the learner's first name.
PERFORMANCE_TRANSCRIPTS: list[str] = [_read_text(name) for name in _DATA["performances"]]


def _quality(index: int, attempt: int, criterion: int) -> int:
    """The 'true' level of a demo performance: learners differ, second tries are better."""
    return max(0, min(4, 1 + (index + criterion) % 3 + attempt))


# A fixed leniency for two demo reviewers, so the agreement report has something to show. Keyed by
# address, not by primary key: ids depend on what the database held before the demo was loaded.
REVIEWER_BIAS = {"learner2@acme.example": 1, "learner6@acme.example": -1}


def _bias(reviewer: User) -> int:
    return REVIEWER_BIAS.get(reviewer.email, 0)


def _transcript(first_name: str, attempt: int) -> str:
    return PERFORMANCE_TRANSCRIPTS[attempt].format(first_name=first_name)


def _people() -> list[tuple[User, str]]:
    by_email = {u.email: u for u in User.objects.filter(email__in=[e for e, _ in FIRST_LEARNERS + COHORT])}
    return [(by_email[email], cohort) for email, cohort in FIRST_LEARNERS + COHORT if email in by_email]


def _answers(instrument, level: int, index: int) -> dict[str, int]:
    answers = {}
    for position, item in enumerate(instrument.items.all()):
        value = max(1, min(5, level + (index + position) % 2))
        answers[item.key] = 6 - value if item.reverse else value
    return answers


def _review_round(scenario: Scenario, performances: dict[int, tuple[Performance, int]], attempt: int) -> None:
    criteria = list(Criterion.objects.filter(rubric_id=scenario.rubric_id).order_by("position", "id"))
    pending = ReviewAssignment.objects.filter(performance__in=[p for p, _ in performances.values()],
                                              status=ReviewAssignment.Status.PENDING).select_related(
        "performance", "reviewer")
    for assignment in pending.order_by("id"):
        performance, index = performances[assignment.performance_id]
        if assignment.role == ReviewerRole.PARTNER:
            roleplay_reviews.review_submit(performance=performance, reviewer=assignment.reviewer, cared_for=3 + attempt,
                                           role=ReviewerRole.PARTNER,
                                           comments="I felt listened to." if attempt else "It felt rushed.")
            continue
        bias = 0 if assignment.role == ReviewerRole.SUPERVISOR else _bias(assignment.reviewer)
        scores = [{"criterion": c.pk, "points": max(0, min(4, _quality(index, attempt, n) + bias))}
                  for n, c in enumerate(criteria)]
        roleplay_reviews.review_submit(performance=performance, reviewer=assignment.reviewer, scores=scores,
                                       role=assignment.role, opportunity_codes={"party-tomorrow": "explored" if attempt
                                                                        else "perfunctory"})


@demo_loader(order=30)
def load_roleplays(credentials: dict) -> None:
    course = Course.objects.filter(slug=EMPATHY_SLUG_EN).first()
    organization = Organization.objects.filter(slug=ORG_SLUG).first()
    if course is None or organization is None or Scenario.objects.filter(activity__course=course).exists():
        return
    rubric = roleplay_rubrics.default_rubric_ensure()
    instrument = instrument_services.default_instrument_ensure()
    modules = list(course.modules.order_by("position", "id"))
    with transaction.atomic():
        before = instrument_services.survey_activity_create(module=modules[0],
                                                            title="Before you start: how you listen today",
                                                 instrument=instrument, timing="before", required=False, position=0)
        scenario = roleplay_performances.roleplay_activity_create(module=modules[-1], title=SCENARIO["title"],
                                                                  rubric=rubric,
                                                                  required=False, **{k: v for k, v in SCENARIO.items()
                                                                        if k != "title"})
        after = instrument_services.survey_activity_create(module=modules[-1],
                                                           title="After the course: how you listen now",
                                                           instrument=instrument, timing="after", required=False)
        instructor = course.instructors.order_by("id").first() or User.objects.get(email="instructor@acme.example")
        title, transcript, expert = REFERENCE
        criteria = list(Criterion.objects.filter(rubric=rubric).order_by("position", "id"))
        roleplay_reviews.calibration_example_create(scenario=scenario, title=title, transcript=transcript,
                                                    expert=instructor,
                                                    scores=[{"criterion": c.pk, "points": p} for c, p in
                                                    zip(criteria, expert, strict=True)])
    people = _people()
    enrollments: list[tuple[Enrollment, str]] = []
    for index, (user, cohort) in enumerate(people):
        enrollment, _ = course_services.enrollment_create(user=user, course=course, organization=organization)
        instrument_services.survey_respond(survey=before, enrollment=enrollment,
                                           answers=_answers(instrument, 2 + index % 2, index))
        enrollments.append((enrollment, cohort))
    cohort_ids = {u.pk for u, _ in people if u.email in dict(COHORT)}
    for enrollment, _ in enrollments:
        if enrollment.user_id in cohort_ids:
            lessons = Activity.objects.filter(course=course, kind=Activity.Kind.LESSON).order_by(
                "module__position", "position", "id")
            for activity in lessons:
                course_services.lesson_complete(enrollment=enrollment, activity=activity, time_spent_seconds=300)
    pass_quizzes(course)
    example = scenario.calibration_examples.get()
    for user, _ in people:
        bias = _bias(user)
        roleplay_reviews.calibration_review_submit(example=example, reviewer=user, scores=[
            {"criterion": c.pk, "points": max(0, min(4, p + bias))} for c, p in zip(criteria, expert, strict=True)])
    for attempt in range(2):
        performances = {}
        for index, (enrollment, cohort) in enumerate(enrollments):
            partner = enrollments[(index + 1) % len(enrollments)][0].user
            performance = roleplay_performances.performance_submit(
                enrollment=enrollment, scenario=scenario, transcript=_transcript(enrollment.user.first_name, attempt),
                partner=partner, cohort=cohort)
            performances[performance.pk] = (performance, index)
        roleplay_performances.peer_allocate(scenario=scenario, seed=2026 + attempt, actor=instructor)
        _review_round(scenario, performances, attempt)
    for index, (enrollment, _) in enumerate(enrollments):
        enrollment.refresh_from_db()
        if instrument_services.survey_is_open(survey=after, enrollment=enrollment):
            instrument_services.survey_respond(survey=after, enrollment=enrollment,
                                               answers=_answers(instrument, 3 + (index % 3 == 0), index + 1))

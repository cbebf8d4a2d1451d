"""Nobody waits forever: seeded random worlds driven through time by the role-play sweep.

Each world is one organization and one role-play course with many learners, built in bulk. At
random: peers who never review, learners without a manager (or with an inactive one), courses
without an instructor, organizations without an admin, some reviewers who do review on time. The
clock moves forward in random steps and the sweep (what the reconciler runs) runs at each moment.
After every sweep no open performance is past its resolution date; at the end every performance is
resolved exactly once (one result on the learner's activity) by the first sweep at or after that date.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from assessments.roleplays import escalation
from assessments.roleplays.models import Performance, ReviewAssignment
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services.escalation import performance_deadlines_set
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.models import Membership, Organization, User
from tests.assessments.roleplays.factories import roleplay_course, scores

OPEN = ("submitted", "in_review")
WORLDS = 16


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    moment = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", moment)
    return moment


def build_world(number: int, rng: random.Random, start: datetime) -> list[int]:
    """One organization and course, with performances submitted over the first week; their ids."""
    organization = Organization.objects.create(slug=f"sim-{number}", name=f"Simulated {number}", timezone="UTC")
    instructor = User.objects.create(email=f"sim{number}-instructor@example.com")
    Membership.objects.create(user=instructor, organization=organization, is_instructor=True)
    review_days = rng.choice([1, 2, 3, 7])
    _, scenario = roleplay_course(organization=organization, instructor=instructor, review_days=review_days,
                                  peer_count=rng.choice([1, 2]),
                                  role_weights=rng.choice([{"peer": 1, "supervisor": 1, "partner": 0},
                                                           {"peer": 1, "supervisor": 0, "partner": 0}]))
    if rng.random() < 0.4:
        scenario.activity.course.instructors.clear()  # nobody to escalate to at the instructors' step
    if rng.random() < 0.6:
        admin = User.objects.create(email=f"sim{number}-admin@example.com")
        Membership.objects.create(user=admin, organization=organization, is_org_admin=True, is_learner=False)
    learners = rng.randint(20, 300)
    users = User.objects.bulk_create([User(email=f"sim{number}-{i}@example.com") for i in range(learners)])
    managers = User.objects.bulk_create([User(email=f"sim{number}-manager{i}@example.com") for i in range(3)])
    manager_rows = Membership.objects.bulk_create([
        Membership(user=user, organization=organization, is_supervisor=True, is_active=rng.random() < 0.8)
        for user in managers])
    Membership.objects.bulk_create([
        Membership(user=user, organization=organization,
                   manager=rng.choice(manager_rows) if rng.random() < 0.6 else None) for user in users])
    course = scenario.activity.course
    enrollments = Enrollment.objects.bulk_create([
        Enrollment(user=user, course=course, organization=organization, enrolled_at=start) for user in users])
    performances = []
    for enrollment in enrollments:
        performance = Performance(scenario=scenario, enrollment=enrollment, kind=Performance.Kind.TRANSCRIPT,
                                  transcript="Agent: I am sorry.",
                                  submitted_at=start + timedelta(minutes=rng.randint(0, 7 * 24 * 60)))
        performance.scenario = scenario
        performance_deadlines_set(performance=performance)
        performances.append(performance)
    return [p.pk for p in Performance.objects.bulk_create(performances)]


def review_some(rng: random.Random, now: datetime, share: float) -> None:
    """A few reviewers with a pending, open assignment do their review (the others stay absent)."""
    pending = list(ReviewAssignment.objects.filter(status="pending", due_at__gt=now).exclude(role="partner")
                   .select_related("performance__scenario", "reviewer").order_by("id"))
    for assignment in rng.sample(pending, k=min(len(pending), int(len(pending) * share))):
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       role=assignment.role,
                                       scores=scores(assignment.performance.scenario, rng.randint(1, 4)))


@pytest.mark.django_db
def test_every_performance_resolves_by_its_computed_date(clock, settings):
    settings.ROLEPLAY_ESCALATION_STEP_DAYS = 2
    rng = random.Random(20260323)
    start = clock.moment
    ids = [pk for number in range(WORLDS) for pk in build_world(number, rng, start)]
    assert len(ids) >= 2000
    due = dict(Performance.objects.filter(pk__in=ids).values_list("pk", "resolution_due_at"))
    for performance in Performance.objects.filter(pk__in=ids).select_related("scenario")[:50]:
        assert due[performance.pk] == escalation.performance_resolution_due(
            performance.submitted_at, review_days=performance.scenario.review_days, step_days=2)
    resolved_at: dict[int, datetime] = {}
    sweeps: list[datetime] = []
    end = max(due.values()) + timedelta(hours=1)
    while clock.moment < end:
        clock.moment += timedelta(minutes=rng.randint(30, 48 * 60))
        review_some(rng, clock.moment, share=rng.choice([0.0, 0.01, 0.02]))
        roleplay_performances.roleplays_sweep(now=clock.moment)
        sweeps.append(clock.moment)
        late = Performance.objects.filter(pk__in=ids, status__in=OPEN, resolution_due_at__lte=clock.moment)
        assert not late.exists(), f"open past its date at {clock.moment}: {list(late.values_list('pk', flat=True))}"
        for pk in Performance.objects.filter(pk__in=ids).exclude(status__in=OPEN).exclude(
                pk__in=resolved_at).values_list("pk", flat=True):
            resolved_at[pk] = clock.moment
    assert set(resolved_at) == set(ids)
    for pk, moment in resolved_at.items():
        first_sweep_after_due = next(s for s in sweeps if s >= due[pk])
        assert moment <= first_sweep_after_due
    rows = Performance.objects.filter(pk__in=ids)
    outcomes = {(p.status, p.resolution) for p in rows.only("status", "resolution")}
    assert outcomes <= {("scored", ""), ("scored", "deadline"), ("unscored", "unscored")}
    assert {("scored", "deadline"), ("unscored", "unscored")} <= outcomes  # both ends were reached
    assert not rows.filter(status="unscored", resolution_reason="").exists()
    assert not rows.filter(resolution="deadline", reviewers_counted__lt=1).exists()
    assert not ReviewAssignment.objects.filter(performance_id__in=ids, status="pending").exists()
    # Resolved once: one result on each learner's activity, never two.
    attempts = list(ActivityProgress.objects.filter(enrollment__roleplay_performances__in=ids)
                    .values_list("attempts", flat=True))
    assert len(attempts) == len(ids) and set(attempts) == {1}

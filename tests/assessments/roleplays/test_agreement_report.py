"""The agreement report by real cohorts (department, workshop session, dates), alpha per criterion and per
cohort against the krippendorff package, and the live calibration weights."""
from __future__ import annotations

import random
from datetime import timedelta
from unittest import mock

import krippendorff
import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from assessments.roleplays import reconcilers
from assessments.roleplays.models import Performance, ReviewAssignment, ReviewerCalibration, ReviewScore
from assessments.roleplays.services import calibration_live
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity
from courses.workshops.models import Registration
from tests import factories as people
from tests.assessments.roleplays.factories import add_learner, criteria_of, perform, scores, world
from tests.courses.workshops.conftest import make_session, make_workshop
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _package_alpha(rows: list[tuple[int, object, int]]) -> float:
    """rows: (reviewer, unit, points)."""
    raters, units = sorted({r[0] for r in rows}), sorted({r[1] for r in rows}, key=str)
    matrix = np.full((len(raters), len(units)), np.nan)
    for reviewer, unit, points in rows:
        matrix[raters.index(reviewer), units.index(unit)] = points
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal")


def _reviewed_world(org, *, seed: int):
    sales = people.DepartmentFactory(organization=org, name="Sales")
    support = people.DepartmentFactory(organization=org, name="Support")
    w = world(org, learners=3, department=sales, role_weights={"peer": 1, "supervisor": 1})
    for _ in range(3):
        add_learner(w, org, department=support, manager=w.supervisor.memberships.get())
    performances = [perform(w, i) for i in range(6)]
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=seed)
    rng = random.Random(seed)
    for assignment in ReviewAssignment.objects.select_related("performance").order_by("id"):
        index = performances.index(assignment.performance)
        base = [(index + n) % 5 for n in range(len(criteria_of(w.scenario)))]
        points = [min(4, max(0, b + rng.choice([-1, 0, 0, 1]))) for b in base]
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, points), role=assignment.role)
    return w, performances, sales, support


def test_alpha_per_criterion_and_per_department_equals_the_package(org, client_for):
    w, performances, sales, support = _reviewed_world(org, seed=3)
    url = f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/"
    body = client_for(w.instructor).get(url).json()
    rows = list(ReviewScore.objects.values_list("review__reviewer_id", "review__performance_id", "criterion_id",
                                                "points"))
    for entry in body["criteria"]:
        expected = _package_alpha([(r, p, v) for r, p, c, v in rows if c == entry["criterion"]])
        assert entry["alpha"] == pytest.approx(expected, abs=1e-9)
        assert entry["ci_low"] <= entry["alpha"] <= entry["ci_high"] and entry["units"] == 6
    sales_ids = {p.pk for p in performances[:3]}
    cohorts = {c["key"]: c for c in body["cohorts"]}
    assert [c["cohort"] for c in body["cohorts"]] == ["Sales", "Support"]
    for key, members in ((f"department:{sales.pk}", sales_ids),
                         (f"department:{support.pk}", {p.pk for p in performances[3:]})):
        expected = _package_alpha([(r, (p, c), v) for r, p, c, v in rows if p in members])
        assert cohorts[key]["alpha"] == pytest.approx(expected, abs=1e-9)
        assert cohorts[key]["units"] == 18 and cohorts[key]["kind"] == "department"
    assert body["bootstrap"] == {"method": "percentile over units", "resamples": 1000, "seed": 20261206,
                                 "confidence": 0.95}
    # The same request gives the same interval (seeded); a department filter keeps only its performances.
    assert client_for(w.instructor).get(url).json()["overall"] == body["overall"]
    only_sales = client_for(w.instructor).get(f"{url}?cohort=department:{sales.pk}").json()
    assert only_sales["overall"]["alpha"] == pytest.approx(cohorts[f"department:{sales.pk}"]["alpha"], abs=1e-12)
    assert only_sales["overall"]["units"] == 18


def test_cohort_by_workshop_session_and_by_dates(org, client_for):
    w, performances, _, _ = _reviewed_world(org, seed=8)
    activity = catalog_services.activity_create(module=w.course.modules.first(), title="Live practice",
                                                kind=Activity.Kind.WORKSHOP)
    session = make_session(make_workshop(course=w.course, instructors=[w.instructor]), title="Tuesday group")
    assert activity.workshop.sessions.get() == session
    for ticket, enrollment in enumerate(w.enrollments[:2], start=1):
        Registration.objects.create(session=session, user=enrollment.user, enrollment=enrollment,
                                    status=Registration.Status.BOOKED, ticket=ticket)
    Registration.objects.create(session=session, user=w.enrollments[2].user, enrollment=w.enrollments[2],
                                status=Registration.Status.CANCELLED, ticket=3)
    url = f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/"
    body = client_for(w.instructor).get(f"{url}?cohort=session:{session.pk}").json()
    assert body["overall"]["units"] == 12  # two booked learners x six criteria; the cancelled one is out
    listed = {c["key"]: c for c in client_for(w.instructor).get(url).json()["cohorts"]}
    assert listed[f"session:{session.pk}"]["cohort"].startswith("Tuesday group (")
    Performance.objects.filter(pk__in=[p.pk for p in performances[:2]]).update(
        submitted_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate()
    recent = client_for(w.instructor).get(f"{url}?from={today - timedelta(days=7)}&to={today}").json()
    assert recent["overall"]["units"] == 24
    older = client_for(w.instructor).get(f"{url}?to={today - timedelta(days=30)}").json()
    assert older["overall"]["units"] == 12


def test_bad_or_foreign_cohorts_are_refused(org, other_org, client_for):
    w, _, _, _ = _reviewed_world(org, seed=1)
    url = f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/"
    client = client_for(w.instructor)
    for query, field in (("from=yesterday", "from"), ("from=2026-05-02&to=2026-05-01", "to"),
                         ("scenario=x", "scenario")):
        assert list(assert_error(client.get(f"{url}?{query}"), 400)["fields"]) == [field]
    foreign = people.DepartmentFactory(organization=other_org)
    assert_error(client.get(f"{url}?cohort=department:{foreign.pk}"), 404)
    assert_error(client.get(f"{url}?cohort=session:999999"), 404)
    # An old free-text label still filters: nothing carries this one.
    assert client.get(f"{url}?cohort=spring").json()["overall"]["units"] == 0


def test_undefined_alpha_is_not_flagged_in_the_report(org, client_for):
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 0})
    for i in range(4):
        perform(w, i)
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=2)
    for assignment in ReviewAssignment.objects.order_by("id"):
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, 3))
    overall = client_for(w.instructor).get(f"/api/v1/roleplays/rubrics/{w.scenario.rubric_id}/agreement/").json()[
        "overall"]
    assert overall["alpha"] is None and overall["undefined_reason"] == "no_variation"
    assert overall["flagged"] is False and overall["ci_low"] is None and overall["units"] == 24


@override_settings(ROLEPLAY_LIVE_MIN_PAIRS=6, ROLEPLAY_LIVE_WEIGHT_FLOOR=0.3, ROLEPLAY_LIVE_WEIGHT_CAP=0.95)
def test_live_calibration_follows_the_supervisors_with_floor_and_cap(org):
    w = world(org, learners=4, role_weights={"peer": 1, "supervisor": 1})
    for i in range(4):
        perform(w, i)
    roleplay_performances.peer_allocate(scenario=w.scenario, seed=6)
    wild = w.learners[0]
    for assignment in ReviewAssignment.objects.order_by("id"):
        points = 0 if assignment.reviewer == wild else 4
        roleplay_reviews.review_submit(performance=assignment.performance, reviewer=assignment.reviewer,
                                       scores=scores(w.scenario, points), role=assignment.role)
    with mock.patch.object(reconcilers.roleplays_calibration_live_refresh, "apply_async") as nudged:
        assert reconcilers.roleplay_live_calibration() > 0
    nudged.assert_called_once()
    assert calibration_live.calibrations_live_refresh() > 0
    calibrations = {c.reviewer_id: c for c in ReviewerCalibration.objects.filter(scenario=w.scenario)}
    # The wild peer scores 0 where the supervisor gave 4: agreement 0, half of it is 0, held at the floor.
    assert (float(calibrations[wild.pk].live_agreement), float(calibrations[wild.pk].weight)) == (0.0, 0.3)
    assert calibrations[wild.pk].flagged and calibrations[wild.pk].live_pairs >= 6
    agreeing = [c for reviewer, c in calibrations.items() if reviewer != wild.pk]
    assert agreeing and all((float(c.live_agreement), float(c.weight)) == (1.0, 0.95) for c in agreeing)
    assert calibration_live.calibrations_live_refresh() == 0  # nothing new: nothing changes

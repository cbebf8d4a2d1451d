"""The before/after report against figures computed here by hand, suppression, scope and query counts."""
from __future__ import annotations

import math
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.outcomes import services
from tests import factories as people
from tests.assessments.outcomes.helpers import complete
from tests.assessments.roleplays.factories import world
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
REPORT = "/api/v1/outcomes/report/"
T_4 = 2.7764451052  # t(0.975, 4)
T_8 = 2.3060041350  # t(0.975, 8): Welch's df for two groups of 5 with equal variances
# Trained, on 1-5: before -> after. As 0-100: 50->75, 50->50, 25->75, 75->100, 50->75; changes 25, 0, 50, 25, 25.
TRAINED = [(3, 4), (3, 3), (2, 4), (4, 5), (3, 4)]
# Not yet trained, on 0-100: changes 5, -20, 30, 5, 5.
UNTRAINED = [(50, 55), (60, 40), (40, 70), (50, 55), (70, 75)]


def _row(external_id, membership, start, end, score, low, high, metric="csat"):
    return {"external_id": external_id, "employee_id": membership.employee_id, "metric": metric,
            "period_start": start, "period_end": end, "score": str(score), "scale_min": str(low),
            "scale_max": str(high)}


def _world(org, trained=5, untrained=5, department=None, prefix=""):
    w = world(org, learners=trained, department=department)
    rows = []
    for index, enrollment in enumerate(w.enrollments):
        complete(enrollment, datetime(2026, 3, 1, 15))
        membership = enrollment.user.memberships.get(organization=org)
        membership.employee_id = f"{prefix}T{index}"
        membership.save()
        before, after = TRAINED[index % 5]
        rows += [_row(f"{prefix}t{index}b", membership, "2026-01-01", "2026-01-31", before, 1, 5),
                 _row(f"{prefix}t{index}a", membership, "2026-04-01", "2026-04-30", after, 1, 5),
                 # left out: spans the completion day; after the 90-day window; another metric
                 _row(f"{prefix}t{index}x", membership, "2026-02-15", "2026-03-15", 1, 1, 5),
                 _row(f"{prefix}t{index}y", membership, "2026-06-01", "2026-06-30", 1, 1, 5),
                 _row(f"{prefix}t{index}q", membership, "2026-04-01", "2026-04-30", 1, 1, 5, metric="quality")]
    for index in range(untrained):
        membership = people.MembershipFactory(organization=org, employee_id=f"{prefix}U{index}")
        before, after = UNTRAINED[index % 5]
        rows += [_row(f"{prefix}u{index}b", membership, "2026-01-10", "2026-01-20", before, 0, 100),
                 _row(f"{prefix}u{index}a", membership, "2026-04-10", "2026-04-20", after, 0, 100)]
    services.outcome_scores_import(organization=org, rows=services.rows_from_list(rows))
    return w


def _mean_sd(values):
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _query(w, org, **extra):
    return {"organization": org.slug, "course": w.course.slug, "completed_from": "2026-02-01",
            "completed_to": "2026-03-31", **extra}


def test_report_against_hand_computed_figures(org, client_for):
    w = _world(org)
    body = client_for(people.member(org, "hr")).get(REPORT, _query(w, org)).json()
    trained = [(a - 1) / 4 * 100 - (b - 1) / 4 * 100 for b, a in TRAINED]
    untrained = [a - b for b, a in UNTRAINED]
    mean_t, sd_t = _mean_sd(trained)
    mean_u, sd_u = _mean_sd(untrained)
    assert (mean_t, mean_u) == (25.0, 5.0)
    margin_t = T_4 * sd_t / math.sqrt(5)
    margin_u = T_4 * sd_u / math.sqrt(5)
    margin_d = T_8 * math.sqrt(sd_t ** 2 / 5 + sd_u ** 2 / 5)
    assert body["trained"] == {"suppressed": False, "suppression": None, "n": 5, "mean_change": 25.0,
                               "ci_low": round(25 - margin_t, 4), "ci_high": round(25 + margin_t, 4)}
    assert body["comparison"] == {"suppressed": False, "suppression": None, "n": 5, "mean_change": 5.0,
                                  "ci_low": round(5 - margin_u, 4), "ci_high": round(5 + margin_u, 4)}
    assert body["difference"] == {"shown": True, "estimate": 20.0, "ci_low": round(20 - margin_d, 4),
                                  "ci_high": round(20 + margin_d, 4), "method": "welch"}
    assert (body["completed"], body["without_scores"], body["reference_date"]) == (5, 0, "2026-03-01")
    assert body["trained_method"] == "paired t" and "Observational" in body["caveat"]


def test_quality_metric_and_window_are_parameters(org, client_for):
    w = _world(org)
    client = client_for(people.member(org, "hr"))
    quality = client.get(REPORT, _query(w, org, metric="quality")).json()
    assert quality["trained"]["suppressed"] and quality["without_scores"] is None
    short = client.get(REPORT, _query(w, org, window_days=30)).json()  # January ends 29 days before completion
    assert short["trained"]["n"] is None and short["window_days"] == 30


def test_small_groups_show_no_figure(org, client_for):
    w = _world(org, trained=4, untrained=5)
    body = client_for(people.member(org, "hr")).get(REPORT, _query(w, org)).json()
    assert body["trained"] == {"suppressed": True, "suppression": "primary", "n": None, "mean_change": None,
                               "ci_low": None, "ci_high": None}
    assert body["comparison"]["n"] == 5
    assert body["difference"]["shown"] is False and body["difference"]["estimate"] is None
    assert body["without_scores"] is None


def test_department_narrows_the_cohort(org, client_for):
    care = people.DepartmentFactory(organization=org, name="Care")
    w = _world(org, department=care)
    other = people.DepartmentFactory(organization=org, name="Sales")
    client = client_for(people.member(org, "hr"))
    assert client.get(REPORT, _query(w, org, department=care.pk)).json()["trained"]["n"] == 5
    assert client.get(REPORT, _query(w, org, department=other.pk)).json()["completed"] == 0


def test_scope_and_bad_input(org, other_org, client_for):
    w = _world(org)
    outsider = client_for(people.member(other_org, "hr"))
    assert_error(outsider.get(REPORT, _query(w, org)), 404, "organization_not_found")
    assert client_for(w.learners[0]).get(REPORT, _query(w, org)).status_code == 403
    hr = client_for(people.member(org, "hr"))
    assert_error(hr.get(REPORT, _query(w, org, course="nope")), 404, "outcome_course_not_found")
    assert_error(hr.get(REPORT, _query(w, org, completed_to="2026-01-01")), 422, "outcome_invalid_report")
    assert hr.get(REPORT, _query(w, org, window_days=0)).status_code == 400


def test_api_key_reads_the_report(org, api_client):
    w = _world(org)
    _, raw = people.api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get(REPORT, _query(w, org)).json()["trained"]["n"] == 5


def test_constant_query_count(org, client_for, django_assert_num_queries):
    w = _world(org, trained=5, untrained=5)
    client = client_for(people.member(org, "hr"))
    client.get(REPORT, _query(w, org))
    with CaptureQueriesContext(connection) as small:
        client.get(REPORT, _query(w, org))
    more = _world(org, trained=10, untrained=10, prefix="m")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(REPORT, _query(more, org)).json()["completed"] == 10

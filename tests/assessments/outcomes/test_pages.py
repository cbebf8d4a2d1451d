"""HR's customer-satisfaction pages: import with per-line errors, the list, the report; scope; both languages."""
from __future__ import annotations

from datetime import datetime

import pytest

from assessments.demo_outcomes import demo_outcome_rows
from assessments.outcomes import services
from assessments.outcomes.models import OutcomeScore
from tests import factories as people
from tests.assessments.outcomes.helpers import complete, csv_file
from tests.assessments.roleplays.factories import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(org, client):
    client.force_login(people.member(org, "hr"))
    return client


def test_upload_shows_each_bad_line_and_writes_nothing(org, hr_client):
    people.MembershipFactory(organization=org, employee_id="E1")
    page = hr_client.post(f"/hr/outcomes/?organization={org.slug}", {"file": csv_file(
        "r1,E1,,csat,2026-01-01,2026-01-31,4,1,5,,",
        '"=1+2",E1,,csat,2026-01-01,2026-01-31,9,1,5,,')})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Nothing was imported. Lines with errors: 1." in html
    assert "<th scope=\"row\" rowspan=\"1\">3</th>" in html and "&#x27;=1+2" in html
    assert not OutcomeScore.objects.exists()
    fixed = hr_client.post(f"/hr/outcomes/?organization={org.slug}", {"file": csv_file(
        "r1,E1,,csat,2026-01-01,2026-01-31,4,1,5,,", "r2,E1,,csat,2026-02-01,2026-02-28,5,1,5,,")})
    assert fixed.status_code == 200 and "Imported: 2 new, 0 updated, 0 unchanged." in fixed.content.decode()


def test_list_page_filters_by_agent(org, hr_client, django_assert_max_num_queries):
    agents = [people.MembershipFactory(organization=org, employee_id=f"E{n}") for n in range(3)]
    rows = [{"external_id": f"k{n}", "employee_id": agents[n % 3].employee_id, "metric": "csat",
             "period_start": "2026-01-01", "period_end": "2026-01-31", "score": "3", "scale_min": "1",
             "scale_max": "5"} for n in range(6)]
    services.outcome_scores_import(organization=org, rows=services.rows_from_list(rows))
    with django_assert_max_num_queries(12):
        html = hr_client.get(f"/hr/outcomes/scores/?organization={org.slug}&agent=E1").content.decode()
    assert "Scores found: 2" in html and ">k1<" in html and ">k0<" not in html and ">k2<" not in html


def test_report_page_shows_figures_and_the_caveat(org, hr_client):
    w = world(org, learners=5)
    for enrollment in w.enrollments:
        complete(enrollment, datetime(2026, 3, 1, 12))
    html = hr_client.get("/hr/outcomes/report/", {
        "organization": org.slug, "course": w.course.slug, "completed_from": "2026-01-01",
        "completed_to": "2026-12-31", "metric": "csat", "window_days": "90", "department": ""}).content.decode()
    assert "Observational, not a controlled trial." in html
    assert "5 people completed the course" in html and "Hidden: fewer than 5 people" in html


def test_pages_in_portuguese(org, hr_client):
    hr_client.cookies["django_language"] = "pt-br"
    html = hr_client.get(f"/hr/outcomes/report/?organization={org.slug}", HTTP_ACCEPT_LANGUAGE="pt-br").content
    assert "Satisfação" in html.decode()


def test_other_roles_and_organizations(org, other_org, client):
    client.force_login(people.member(org))
    assert client.get("/hr/outcomes/").status_code == 403
    client.force_login(people.member(other_org, "hr"))
    assert client.get(f"/hr/outcomes/scores/?organization={org.slug}").status_code == 404


def test_demo_scores_fill_the_report(org, hr_client):
    w = world(org, learners=6)
    for enrollment in w.enrollments:
        complete(enrollment, datetime(2026, 3, 10, 12))
    rows = demo_outcome_rows(org, datetime(2026, 12, 1).date())
    first = services.outcome_scores_import(organization=org, rows=services.rows_from_list(rows))
    again = services.outcome_scores_import(organization=org, rows=services.rows_from_list(rows))
    assert first["ok"] and first["created"] == len(rows) and again["unchanged"] == len(rows)
    body = hr_client.get("/api/v1/outcomes/report/", {"course": w.course.slug, "completed_from": "2026-01-01",
                                                      "completed_to": "2026-12-31"}).json()
    assert body["trained"]["n"] == 6 and body["trained"]["mean_change"] > 0

"""Importing CSAT and quality scores: per-line errors, all or nothing, idempotent by external id, scope."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.outcomes import services
from assessments.outcomes.models import OutcomeScore
from tests import factories as people
from tests.assessments.outcomes.helpers import HEADER, csv_file
from tests.helpers import assert_error, request_property

pytestmark = pytest.mark.django_db
UPLOAD = "/api/v1/outcomes/scores/upload/"
SCORES = "/api/v1/outcomes/scores/"


@pytest.fixture
def agents(org):
    return [people.MembershipFactory(organization=org, employee_id=f"E{n}") for n in range(1, 4)]


def _upload(client, org, *lines, **extra):
    return client.post(UPLOAD, {"organization": org.slug, "file": csv_file(*lines, **extra)}, format="multipart")


def test_bad_rows_are_reported_with_their_lines_and_nothing_is_written(org, agents, client_for):
    hr = people.member(org, "hr")
    response = _upload(
        client_for(hr), org,
        "r1,E1,,csat,2026-01-01,2026-01-31,4.5,1,5,30,zendesk",
        "",  # a blank line is skipped but still counted, as a spreadsheet counts it
        "r2,E2,,csat,2026-01-01,2026-01-31,7,1,5,,",
        "r3,NOPE,,nps,2026-02-31,2026-01-31,abc,1,5,-2,",
        "r1,E3,,quality,2026-01-01,2026-01-31,80,0,100,,",
    )
    error = assert_error(response, 422, "outcome_invalid_rows")
    assert error["message"] == "Nothing was imported: 4 row(s) have errors."
    rows = {row["row"]: row for row in error["fields"]["rows"]}
    assert set(rows) == {2, 4, 5, 6}
    assert rows[2]["action"] == "error"  # r1 is repeated on line 6
    assert {e["field"] for e in rows[2]["errors"]} == {"external_id"}
    assert rows[4]["errors"] == [{"field": "score", "message": "score 7.000 is outside the scale 1.000 to 5.000."}]
    assert {e["field"] for e in rows[5]["errors"]} == {"metric", "period_start", "score", "responses", "employee_id"}
    assert "line(s) 2" in rows[6]["errors"][0]["message"]
    assert not OutcomeScore.objects.exists()


def test_a_good_file_writes_and_the_same_ids_again_update(org, agents, client_for):
    client = client_for(people.member(org, "org_admin"))
    agents[1].user.email = "Agent.Two@example.com"
    agents[1].user.save()
    first = _upload(client, org, "r1,E1,,csat,2026-01-01,2026-01-31,4.5,1,5,30,zendesk",
                    "r2,,agent.two@example.com,quality,2026-01-01,2026-01-31,\"80,5\",0,100,,qa")
    assert first.status_code == 200, first.json()
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    again = _upload(client, org, "r1,E1,,csat,2026-01-01,2026-01-31,4.0,1,5,30,zendesk",
                    "r2,,agent.two@example.com,quality,2026-01-01,2026-01-31,80.5,0,100,,qa")
    assert [row["action"] for row in again.json()["rows"]] == ["update", "unchanged"]
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 1, 1)
    assert OutcomeScore.objects.count() == 2
    assert OutcomeScore.objects.get(external_id="r1").score == Decimal("4.000")
    assert OutcomeScore.objects.get(external_id="r2").membership == agents[1]


def test_another_organizations_agents_are_unknown(org, other_org, agents, client_for):
    people.MembershipFactory(organization=other_org, employee_id="X9")
    outsider = people.MembershipFactory(organization=other_org)
    response = _upload(client_for(people.member(org, "hr")), org,
                       "r1,X9,,csat,2026-01-01,2026-01-31,4,1,5,,",
                       f"r2,,{outsider.user.email},csat,2026-01-01,2026-01-31,4,1,5,,")
    error = assert_error(response, 422, "outcome_invalid_rows")
    assert [row["errors"][0]["field"] for row in error["fields"]["rows"]] == ["employee_id", "email"]
    assert not OutcomeScore.objects.exists()


def test_another_organization_is_not_found(org, other_org, agents, client_for):
    hr_elsewhere = people.member(other_org, "hr")
    assert_error(_upload(client_for(hr_elsewhere), org, "r1,E1,,csat,2026-01-01,2026-01-31,4,1,5,,"),
                 404, "organization_not_found")
    assert_error(client_for(hr_elsewhere).get(SCORES, {"organization": org.slug}), 404, "organization_not_found")


def test_formula_looking_text_is_echoed_inert(org, agents, client_for):
    response = _upload(client_for(people.member(org, "hr")), org,
                       '"=HYPERLINK(""http://x"")",NOPE,,csat,2026-01-01,2026-01-31,4,1,5,,')
    rows = assert_error(response, 422, "outcome_invalid_rows")["fields"]["rows"]
    assert rows[0]["external_id"] == "'=HYPERLINK(\"http://x\")"


def test_file_conventions(org, agents, client_for):
    client = client_for(people.member(org, "hr"))
    bom = SimpleUploadedFile("s.csv", ("\ufeff" + HEADER + "\nr1;E1;;csat;2026-01-01;2026-01-31;4;1;5;;\n")
                             .replace(",", ";").encode(), content_type="text/csv")
    assert client.post(UPLOAD, {"organization": org.slug, "file": bom}, format="multipart").status_code == 200
    nul = SimpleUploadedFile("s.csv", (HEADER + "\nr2,E1\x00,,csat\n").encode(), content_type="text/csv")
    assert_error(client.post(UPLOAD, {"organization": org.slug, "file": nul}, format="multipart"), 422, "invalid_csv")
    assert_error(_upload(client, org, "r1,E1", header="external_id,employee_id"), 422, "missing_columns")
    assert_error(_upload(client, org, header=HEADER), 422, "outcome_no_rows")


def test_an_empty_file_is_refused_as_the_schema_says(org, agents, client_for):
    """The API fuzzer sent an empty file, valid by the schema then, and met a 400: the schema now asks for at
    least one byte, and an empty file is a 422 that writes nothing."""
    assert request_property("POST", UPLOAD, "file")["minLength"] == 1
    empty = SimpleUploadedFile("scores.csv", b"", content_type="text/csv")
    response = client_for(people.member(org, "hr")).post(UPLOAD, {"organization": org.slug, "file": empty},
                                                         format="multipart")
    assert "file" in assert_error(response, 422)["fields"]
    assert not OutcomeScore.objects.exists()


def test_too_large_file_is_refused(org, agents, client_for, monkeypatch):
    monkeypatch.setattr(services, "MAX_BYTES", 10)
    assert_error(_upload(client_for(people.member(org, "hr")), org, "r1,E1,,csat,2026-01-01,2026-01-31,4,1,5,,"),
                 413, "file_too_large")


def test_json_import_numbers_rows_from_one(org, agents, client_for):
    client = client_for(people.member(org, "hr"))
    row = {"external_id": "j1", "employee_id": "E1", "metric": "csat", "period_start": "2026-01-01",
           "period_end": "2026-01-31", "score": "4", "scale_min": "1", "scale_max": "5"}
    bad = client.post(SCORES, {"organization": org.slug, "rows": [row, {**row, "external_id": "j2",
                                                                          "period_end": "2025-12-01"}]}, format="json")
    assert assert_error(bad, 422, "outcome_invalid_rows")["fields"]["rows"] == [{
        "row": 2, "external_id": "j2", "action": "error", "errors": [
        {"field": "period_end", "message": "period_end is before period_start."}]}]
    assert not OutcomeScore.objects.exists()
    good = client.post(SCORES, {"organization": org.slug, "rows": [row]}, format="json")
    assert good.status_code == 200 and good.json()["created"] == 1
    dry = client.post(SCORES, {"organization": org.slug, "dry_run": True, "rows": [{**row, "score": "5"}]},
                      format="json")
    assert dry.json()["updated"] == 1 and OutcomeScore.objects.get().score == Decimal("4.000")


def test_api_keys_read_but_cannot_import(org, agents, api_client):
    _, raw = people.api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.get(SCORES).status_code == 200
    response = api_client.post(SCORES, {"rows": []}, format="json")
    assert response.status_code == 403


def test_learners_cannot_read_or_import(org, agents, client_for):
    client = client_for(agents[0].user)
    assert client.get(SCORES, {"organization": org.slug}).status_code == 403
    assert _upload(client, org, "r1,E1,,csat,2026-01-01,2026-01-31,4,1,5,,").status_code == 403


def test_list_filters_and_constant_queries(org, agents, client_for, django_assert_max_num_queries):
    rows = [{"external_id": f"k{n}", "employee_id": agents[n % 3].employee_id, "metric": "csat",
             "period_start": f"2026-0{1 + n % 3}-01", "period_end": f"2026-0{1 + n % 3}-28", "score": "3",
             "scale_min": "1", "scale_max": "5"} for n in range(9)]
    services.outcome_scores_import(organization=org, rows=services.rows_from_list(rows))
    client = client_for(people.member(org, "hr"))
    body = client.get(SCORES, {"organization": org.slug, "agent": "E1"}).json()
    assert body["count"] == 3 and {row["employee_id"] for row in body["results"]} == {"E1"}
    assert body["results"][0]["percent"] == 50.0
    assert client.get(SCORES, {"organization": org.slug, "period_from": "2026-03-01"}).json()["count"] == 3
    with django_assert_max_num_queries(6):
        assert client.get(SCORES, {"organization": org.slug}).json()["count"] == 9

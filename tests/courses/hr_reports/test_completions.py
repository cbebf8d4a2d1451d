"""GET /api/v1/reports/completions/: scope, filters, formats, CSV safety, audit, query counts."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportAuditEntry
from courses.hr_reports.queries import COLUMNS
from lms import services as people_services
from tests import factories as people
from tests.courses.hr_reports.conftest import add_member, complete
from tests.helpers import assert_error

URL = "/api/v1/reports/completions/"
pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    text = body(response).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def ndjson_rows(response) -> list[dict]:
    return [json.loads(line) for line in body(response).decode().splitlines()]


def ids(rows) -> list[int]:
    return [int(row["enrollment_id"]) for row in rows]


# --- scope ---------------------------------------------------------------------------------

def test_hr_sees_only_enrollments_taken_for_their_organization(world, client_for):
    rows = client_for(world.hr).get(URL).json()["results"]
    e = world.enrollments
    assert sorted(ids(rows)) == sorted([e["alice"].pk, e["bob"].pk, e["bob_calm"].pk, e["cleo_acme"].pk])
    cleo = next(row for row in rows if row["enrollment_id"] == e["cleo_acme"].pk)
    # The learner in both organizations shows Acme's employee id and department, not Globex's.
    assert (cleo["employee_id"], cleo["department"], cleo["organization"]) == ("E-4", "Sales", "acme")


def test_the_other_organization_sees_only_its_own_row_of_the_shared_learner(world, client_for):
    rows = client_for(world.globex_hr).get(URL).json()["results"]
    assert ids(rows) == [world.enrollments["cleo_globex"].pk]
    assert (rows[0]["employee_id"], rows[0]["department"]) == ("G-77", "Operations")


def test_api_key_reads_its_one_organization_in_every_format(world, api_client):
    _, raw = people.api_key_for(world.globex)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    expected = [world.enrollments["cleo_globex"].pk]
    assert ids(api_client.get(URL).json()["results"]) == expected
    assert ids(csv_rows(api_client.get(URL, {"format": "csv"}))) == expected
    assert ids(ndjson_rows(api_client.get(URL, {"format": "ndjson"}))) == expected


def test_naming_another_organization_is_404(world, client_for, api_client):
    assert_error(client_for(world.hr).get(URL, {"organization": "globex"}), 404, "organization_not_found")
    assert_error(client_for(world.hr).get(URL, {"organization": "nope"}), 404, "organization_not_found")
    _, raw = people.api_key_for(world.acme)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_error(api_client.get(URL, {"organization": "globex"}), 404)


def test_learners_supervisors_and_anonymous_get_no_report(world, client_for, api_client):
    assert_error(client_for(world.alice).get(URL), 403)
    assert_error(client_for(world.boss.user).get(URL), 403)
    assert api_client.get(URL).status_code in (401, 403)


def test_hr_of_two_organizations_sees_both_and_can_narrow(world, client_for):
    people_services.membership_create(organization=world.globex, user=world.hr, roles=["hr"])
    client = client_for(world.hr)
    assert len(client.get(URL).json()["results"]) == 5
    assert ids(client.get(URL, {"organization": "globex"}).json()["results"]) == [world.enrollments["cleo_globex"].pk]


# --- filters -------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "expected"), [
    ({"course": "calm"}, ["bob_calm"]),
    ({"status": "completed"}, ["alice"]),
    ({"status": "active"}, ["bob", "bob_calm", "cleo_acme"]),
    ({"overdue": "true"}, ["bob"]),
    ({"overdue": "false"}, ["alice", "bob_calm", "cleo_acme"]),
    ({"manager": "BOSS@acme.example"}, ["alice"]),
    ({"course": "listening", "status": "active"}, ["bob", "cleo_acme"]),
])
def test_filters(world, client_for, params, expected):
    complete(world.enrollments["alice"])
    rows = client_for(world.hr).get(URL, params).json()["results"]
    assert sorted(ids(rows)) == sorted(world.enrollments[name].pk for name in expected)


def test_department_filter(world, client_for):
    rows = client_for(world.hr).get(URL, {"department": world.sales.pk}).json()["results"]
    e = world.enrollments
    assert sorted(ids(rows)) == sorted([e["bob"].pk, e["bob_calm"].pk, e["cleo_acme"].pk])


def test_date_range_filters(world, client_for):
    e, now = world.enrollments, timezone.now()
    Enrollment.objects.filter(pk=e["bob"].pk).update(enrolled_at=now - timedelta(days=40))
    complete(e["alice"])
    Enrollment.objects.filter(pk=e["alice"].pk).update(completed_at=now - timedelta(days=3))
    Enrollment.objects.filter(pk=e["bob_calm"].pk).update(updated_at=now - timedelta(days=10))
    client = client_for(world.hr)

    def names(params) -> set[int]:
        return set(ids(client.get(URL, params).json()["results"]))

    iso = lambda moment: moment.isoformat()  # noqa: E731
    assert names({"enrolled_before": iso(now - timedelta(days=30))}) == {e["bob"].pk}
    assert e["bob"].pk not in names({"enrolled_after": iso(now - timedelta(days=30))})
    assert names({"completed_after": iso(now - timedelta(days=4)), "completed_before": iso(now)}) == {e["alice"].pk}
    assert names({"completed_before": iso(now - timedelta(days=4))}) == set()
    assert names({"updated_before": iso(now - timedelta(days=5))}) == {e["bob_calm"].pk}
    assert e["bob_calm"].pk not in names({"updated_after": iso(now - timedelta(days=5))})
    assert e["bob_calm"].pk not in names({"updated_since": iso(now - timedelta(days=5))})


@pytest.mark.parametrize(("params", "status"), [
    ({"status": "paused"}, 400), ({"overdue": "maybe"}, 400), ({"enrolled_after": "yesterday"}, 400),
    ({"department": "sales"}, 400), ({"manager": "not-an-email"}, 400), ({"page_size": 1001}, 400),
    ({"page_size": 0}, 400), ({"updated_since": "2026-13-40T00:00:00Z"}, 400), ({"bom": "yes"}, 400),
    ({"cursor": "garbage!"}, 422),  # a string, as the schema says, that no page of ours returned
])
def test_bad_filters_are_refused_in_every_format(world, client_for, params, status):
    client = client_for(world.hr)
    for output in ("json", "csv", "ndjson"):
        assert_error(client.get(URL, {**params, "format": output}), status)
    assert not ReportAuditEntry.objects.exists()  # a refused request reads nothing


# --- formats -------------------------------------------------------------------------------

def test_json_csv_and_ndjson_agree(world, client_for):
    complete(world.enrollments["alice"])
    from courses.certificates import services as certificate_services

    certificate_services.certificate_issue(enrollment_id=world.enrollments["alice"].pk)
    client = client_for(world.hr)
    as_json = client.get(URL, {"page_size": 1000}).json()["results"]
    as_csv = csv_rows(client.get(URL, {"format": "csv"}))
    as_ndjson = ndjson_rows(client.get(URL, HTTP_ACCEPT="application/x-ndjson"))
    assert list(as_json[0]) == COLUMNS and list(as_csv[0]) == COLUMNS and list(as_ndjson[0]) == COLUMNS
    assert as_json == as_ndjson
    assert len(as_csv) == len(as_json) == 4

    def text(value) -> str:
        return {None: "", True: "true", False: "false"}.get(value, str(value)) if not isinstance(value, int) \
            or isinstance(value, bool) else str(value)

    assert [{k: text(v) for k, v in row.items()} for row in as_json] == as_csv
    alice = next(row for row in as_json if row["enrollment_id"] == world.enrollments["alice"].pk)
    assert alice["certificate_status"] == "valid" and alice["certificate_code"]
    assert alice["certificate_verify_url"].endswith(f"/verify/{alice['certificate_code']}/")
    assert alice["manager_name"] == "Bea Boss" and alice["manager_email"] == "boss@acme.example"
    assert alice["final_score"] == "90.00" and alice["progress_percent"] == 100


def test_format_by_accept_header_and_content_types(world, client_for):
    client = client_for(world.hr)
    response = client.get(URL, HTTP_ACCEPT="text/csv")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="completions.csv"'
    response = client.get(URL, {"format": "ndjson"})
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert client.get(URL)["Content-Type"] == "application/json"


def test_csv_neutralizes_formula_cells(world, client_for):
    from lms.models import Membership
    from tests.courses.hr_reports.conftest import enroll

    dangerous = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]
    for index, value in enumerate(dangerous):
        member = add_member(world.acme, first_name=value.strip(), last_name="", email=f"evil{index}@acme.example")
        Membership.objects.filter(pk=member.pk).update(employee_id=value)  # as an HR import could store it
        enroll(member.user, world.course, world.acme)
    rows = csv_rows(client_for(world.hr).get(URL, {"format": "csv", "course": world.course.slug}))
    employee_ids = {row["employee_id"] for row in rows}
    names = {row["name"] for row in rows}
    for value in dangerous:
        assert "'" + value in employee_ids
    assert {"'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)"} <= names
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # JSON is data, not a spreadsheet: values come back as they are.
    json_ids = {row["employee_id"] for row in client_for(world.hr).get(URL, {"page_size": 100}).json()["results"]}
    assert set(dangerous) <= json_ids


def test_bom_option(world, client_for):
    client = client_for(world.hr)
    with_bom = body(client.get(URL, {"format": "csv", "bom": "true"}))
    without = body(client.get(URL, {"format": "csv"}))
    assert with_bom.startswith(b"\xef\xbb\xbf" + b"enrollment_id,")
    assert without.startswith(b"enrollment_id,")
    assert with_bom[3:] == without
    with_bom.decode("utf-8")


def test_every_request_is_audited_with_who_and_filters(world, client_for, api_client):
    client_for(world.hr).get(URL, {"format": "csv", "course": "calm"})
    key, raw = people.api_key_for(world.acme)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    api_client.get(URL, {"status": "active"})
    first, second = ReportAuditEntry.objects.order_by("id")
    assert (first.kind, first.user, first.format, first.filters) == ("completions", world.hr, "csv", {"course": "calm"})
    assert (second.user, second.api_key_prefix, second.filters) == (None, key.prefix, {"status": "active"})


# --- query counts --------------------------------------------------------------------------

def _many(world, count: int, start: int = 0) -> None:
    """``count`` more enrollments in Acme, each with its own learner, department, manager and certificate."""
    from django.contrib.auth.hashers import make_password

    from courses.certificates.models import Certificate
    from lms.models import Membership, User

    users = User.objects.bulk_create([User(email=f"bulk{n}@acme.example", first_name="Bulk", last_name=str(n),
                                           password=make_password(None)) for n in range(start, start + count)])
    Membership.objects.bulk_create([Membership(user=u, organization=world.acme, department=world.support,
                                               manager=world.boss, employee_id=f"B{u.pk}")
                                    for n, u in enumerate(users)])
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create([
        Enrollment(user=u, course=world.course, organization=world.acme, status="completed", completed_at=now,
                   progress_percent=100, final_score=80) for u in users])
    if connection.vendor != "postgresql":  # bulk_create sets ids on SQLite 3.35+ too, but be sure
        enrollments = list(Enrollment.objects.filter(user__in=users))
    Certificate.objects.bulk_create([
        Certificate(enrollment=e, code=f"code{e.pk}", learner_name="x", course_title="t", course_language="en",
                    issuer_name="Acme", hours_credited=1) for e in enrollments])


@pytest.mark.parametrize("output", ["json", "csv", "ndjson"])
def test_query_count_is_the_same_at_10_and_1000_rows(world, client_for, django_assert_num_queries, output):
    from lms.models import User

    counts = []
    for size, start in ((10, 0), (1000, 10)):
        _many(world, size - start, start)
        client = client_for(User.objects.get(pk=world.hr.pk))  # a fresh request user: roles loaded again
        params = {"format": output, "page_size": 1000}
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params)
            rows = response.json()["results"] if output == "json" else (
                csv_rows(response) if output == "csv" else ndjson_rows(response))
        assert len(rows) >= size
        counts.append(len(queries))
    # roles, the audit row, the access-log row, the rows themselves
    assert counts == [4, 4], counts
    client = client_for(User.objects.get(pk=world.hr.pk))
    with django_assert_num_queries(4):
        body(client.get(URL, {"format": output, "page_size": 1000}))


def test_reports_have_their_own_throttle(world, client_for, settings, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    assert SimpleRateThrottle.THROTTLE_RATES["reports"] == settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["reports"]
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "reports", "2/min")
    client = client_for(world.hr)
    assert client.get(URL).status_code == 200 and client.get(URL).status_code == 200
    response = client.get(URL, {"format": "csv"})
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


DISGUISED_FORMULAS = ["\uff1d1+1", "\uff0b1+1", "\uff0d1+1", "\uff20SUM(A1)", " =1+1", "\t=cmd",
                      "\r@SUM(A1)", "\u00a0=HYPERLINK(\"http://x\")", "\u3000+1+1"]


def test_csv_neutralizes_disguised_formula_cells(world, client_for):
    """Full-width triggers, and triggers behind whitespace or control characters, are quoted too."""
    from lms.models import Membership
    from tests.courses.hr_reports.conftest import enroll

    for index, value in enumerate(DISGUISED_FORMULAS):
        member = add_member(world.acme, email=f"disguised{index}@acme.example")
        Membership.objects.filter(pk=member.pk).update(employee_id=value)
        enroll(member.user, world.course, world.acme)
    rows = csv_rows(client_for(world.hr).get(URL, {"format": "csv", "course": world.course.slug}))
    employee_ids = {row["employee_id"] for row in rows}
    assert {"'" + value for value in DISGUISED_FORMULAS} <= employee_ids

"""Every door a change can come through moves the report row's sync key: the course and user admins,
deletions (tombstones, cascades included), withdrawal, and time itself (the clock task)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.catalog import services as catalog_services
from courses.certificates import services as certificate_services
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportSyncMark, ReportTombstone
from courses.hr_reports.services import sync as sync_services
from courses.hr_reports.tasks import reports_sync_clock
from tests import factories as people
from tests.courses.hr_reports.conftest import add_member, complete, enroll

URL = "/api/v1/reports/completions/"
pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    moment = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", moment)
    return moment


def _sync(client, cursor=None, **params) -> tuple[list[dict], str]:
    """Every page from ``cursor``: the results in order and the last sync cursor."""
    query = {"page_size": 3, **params}
    if cursor:
        query["cursor"] = cursor
    results = []
    response = client.get(URL, query)
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        results += page["results"]
        if page["next"] is None:
            return results, page["sync_cursor"]
        response = client.get(page["next"])


def _changed_ids(results) -> set[int]:
    return {row["enrollment_id"] for row in results if not row.get("deleted")}


def _deleted_ids(results) -> set[int]:
    return {row["enrollment_id"] for row in results if row.get("deleted")}


def test_a_course_title_set_on_the_instance_before_the_service_still_moves_its_rows(world, client_for):
    # What the admin and the authoring pages do: the form writes the new values on the instance first.
    client = client_for(world.hr)
    _, cursor = _sync(client)
    world.course.title = "Listening, for real"
    world.course.slug = "listening-for-real"
    catalog_services.course_update(course=world.course)
    results, _ = _sync(client, cursor)
    expected = {world.enrollments[name].pk for name in ("alice", "bob", "cleo_acme")}
    assert _changed_ids(results) == expected
    assert {row["course_title"] for row in results} == {"Listening, for real"}


def test_a_name_and_email_edited_in_the_user_admin_move_the_rows(world, client_for):
    superuser = people.UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    browser = Client()
    browser.force_login(superuser)
    api = client_for(world.hr)
    _, cursor = _sync(api)
    page = browser.get(f"/admin/lms/user/{world.alice.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items()
            if value is not None and name not in ("password", "groups", "user_permissions", "last_login",
                                                  "date_joined")}
    data.update({"first_name": "Alicia", "email": "alicia@acme.example",
                 "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"})
    for inline in page.context["inline_admin_formsets"]:  # her memberships, unchanged
        formset = inline.formset
        data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
        for number, each in enumerate(formset.forms):
            data.update({f"{formset.prefix}-{number}-{key}": value for key, value in each.initial.items()
                         if value is not None and value is not False})
            data[f"{formset.prefix}-{number}-id"] = each.instance.pk
            data[f"{formset.prefix}-{number}-user"] = world.alice.pk
    response = browser.post(f"/admin/lms/user/{world.alice.pk}/change/", data)
    assert response.status_code == 302, [f.errors for f in response.context["inline_admin_formsets"][0].formset]
    results, _ = _sync(api, cursor)
    alice = [row for row in results if row["enrollment_id"] == world.enrollments["alice"].pk]
    assert alice and alice[-1]["name"] == "Alicia Able" and alice[-1]["email"] == "alicia@acme.example"


def test_deleted_enrollments_come_as_tombstones_in_key_order_even_through_cascades(world, client_for):
    client = client_for(world.hr)
    _, cursor = _sync(client)
    bob_calm, alice, globex_row = (world.enrollments[name].pk for name in ("bob_calm", "alice", "cleo_globex"))
    Enrollment.objects.filter(pk=bob_calm).delete()
    world.alice.delete()  # her enrollment goes with her
    world.enrollments["cleo_globex"].delete()  # another organization's row: not in Acme's feed
    results, cursor = _sync(client, cursor)
    assert _deleted_ids(results) == {bob_calm, alice}
    assert all(set(row) == {"enrollment_id", "deleted", "updated_at"} for row in results if row.get("deleted"))
    keys = [row["updated_at"] for row in results]
    assert keys == sorted(keys)
    assert _sync(client, cursor)[0] == []  # each tombstone once
    globex = client_for(world.globex_hr)
    assert _deleted_ids(_sync(globex, updated_since="2000-01-01T00:00:00Z")[0]) == {globex_row}


def test_a_full_fetch_without_a_cursor_has_no_tombstones(world, client_for):
    gone = world.enrollments["bob_calm"].pk
    world.enrollments["bob_calm"].delete()
    results, _ = _sync(client_for(world.hr), page_size=1000)
    assert not _deleted_ids(results) and gone not in _changed_ids(results)


def test_a_withdrawal_is_a_change_the_row_stays_as_withdrawn(world, client_for):
    client = client_for(world.hr)
    _, cursor = _sync(client)
    enrollment_services.enrollment_withdraw(enrollment=world.enrollments["alice"])
    results, _ = _sync(client, cursor)
    assert [(row["enrollment_id"], row["status"]) for row in results] == [(world.enrollments["alice"].pk,
                                                                           "withdrawn")]


def test_the_clock_task_moves_rows_that_became_overdue_or_whose_certificate_expired(world, client_for, clock):
    alice = complete(world.enrollments["alice"])
    certificate = certificate_services.certificate_issue(enrollment_id=alice.pk)
    certificate.expires_at = clock.moment + timedelta(days=10)
    certificate.save(update_fields=["expires_at"])
    Enrollment.objects.filter(pk=world.enrollments["cleo_acme"].pk).update(due_at=clock.moment + timedelta(days=5))
    reports_sync_clock()  # first run: everything overdue so far (bob) moves once
    client = client_for(world.hr)
    _, cursor = _sync(client)
    reports_sync_clock()
    assert _sync(client, cursor)[0] == []  # nothing changed with time since
    clock.moment += timedelta(days=6)
    assert reports_sync_clock() == 1
    results, cursor = _sync(client, cursor)
    assert [(row["enrollment_id"], row["overdue"]) for row in results] == [(world.enrollments["cleo_acme"].pk, True)]
    clock.moment += timedelta(days=5)
    reports_sync_clock()
    results, cursor = _sync(client, cursor)
    assert [(row["enrollment_id"], row["certificate_status"]) for row in results] == [(alice.pk, "expired")]
    assert ReportSyncMark.objects.get(name=sync_services.CLOCK_MARK).at == clock.moment


def test_tombstones_past_retention_are_deleted_by_the_clock_task(world, settings, clock):
    settings.REPORTS_TOMBSTONE_RETENTION_DAYS = 7
    world.enrollments["bob_calm"].delete()
    assert ReportTombstone.objects.count() == 1
    clock.moment += timedelta(days=6)
    reports_sync_clock()
    assert ReportTombstone.objects.count() == 1
    clock.moment += timedelta(days=2)
    reports_sync_clock()
    assert ReportTombstone.objects.count() == 0


def test_a_sync_page_with_tombstones_takes_the_same_queries_whatever_their_number(world, client_for):
    client = client_for(world.hr)
    _, cursor = _sync(client)

    def queries_for_a_page(deletions: int) -> int:
        for _ in range(deletions):
            member = add_member(world.acme)
            enroll(member.user, world.other_course, world.acme).delete()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"cursor": cursor, "page_size": 1000})
        assert response.status_code == 200
        assert len(_deleted_ids(response.json()["results"])) >= deletions
        return len(captured)

    assert queries_for_a_page(1) == queries_for_a_page(12)

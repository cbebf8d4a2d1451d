"""Incremental sync: the (updated_at, id) cursor never skips or repeats a row while data changes, and every
change a report row shows moves the row's updated_at."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.catalog import services as catalog_services
from courses.certificates import services as certificate_services
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from lms import services as people_services
from lms.models import Membership
from tests.courses.factories import activities_of
from tests.courses.hr_reports.conftest import add_member, complete, enroll
from tests.helpers import assert_error

URL = "/api/v1/reports/completions/"
pytestmark = pytest.mark.django_db


def _page(client, cursor=None, **params):
    query = {"page_size": 7, **params}
    if cursor:
        query["cursor"] = cursor
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return response.json()


def test_paging_while_rows_change_skips_and_repeats_nothing(world, client_for):
    learners = [add_member(world.acme, email=f"sync{n}@acme.example") for n in range(30)]
    for member in learners:
        enroll(member.user, world.course, world.acme)
    client = client_for(world.hr)
    seen: list[tuple[int, str]] = []
    cursor, pages, created = None, 0, []
    while True:
        page = _page(client, cursor)
        seen += [(row["enrollment_id"], row["updated_at"]) for row in page["results"]]
        cursor = page["sync_cursor"]
        pages += 1
        # Between pages, the world moves: rows already read and rows still ahead change, new rows appear.
        if pages == 1:
            first_id = page["results"][0]["enrollment_id"]
            complete(Enrollment.objects.get(pk=first_id))  # an already-read row changes
        if pages == 2:
            ahead = Enrollment.objects.filter(user=learners[-1].user).get()
            enrollment_services.activity_heartbeat(enrollment=ahead, activity=activities_of(world.course)[0],
                                                   seconds=30)
            member = add_member(world.acme, email="late@acme.example")
            created.append(enroll(member.user, world.other_course, world.acme).pk)  # a new row
        if pages == 3:
            people_services.membership_update(membership=Membership.objects.get(user=learners[3].user),
                                              department=world.sales)
        if page["next"] is None:
            break
        assert pages < 50
    versions = set(seen)
    assert len(versions) == len(seen), "a row version was delivered twice"
    current = {e.pk: e.updated_at for e in Enrollment.objects.filter(organization=world.acme)}
    latest = {}
    for pk, stamp in seen:
        latest[pk] = stamp
    assert set(latest) == set(current), "a row was skipped"
    for pk, stamp in latest.items():  # everyone's last delivered version is the current one
        assert stamp == current[pk].isoformat().replace("+00:00", "Z")
    assert set(created) <= set(latest)
    changed = [pk for pk in latest if [s for p, s in seen if p == pk].__len__() > 1]
    assert len(changed) >= 2  # the rows changed behind the cursor came again, with their new values
    # Nothing happened since: the stored cursor answers an empty page and keeps its place.
    again = _page(client, cursor)
    assert again["results"] == [] and again["next"] is None and again["sync_cursor"] == cursor


@pytest.mark.parametrize("change", ["certificate_issued", "certificate_revoked", "learner_renamed",
                                    "membership_changed", "department_renamed", "manager_renamed",
                                    "course_renamed", "progress"])
def test_every_change_shown_in_a_row_reaches_incremental_sync(world, client_for, change):
    alice = complete(world.enrollments["alice"])
    certificate = certificate_services.certificate_issue(enrollment_id=alice.pk)
    client = client_for(world.hr)
    cursor = _page(client, page_size=1000)["sync_cursor"]
    expected = {alice.pk}
    if change == "certificate_issued":
        bob = complete(world.enrollments["bob"])
        certificate_services.certificate_issue(enrollment_id=bob.pk)
        expected = {bob.pk}
    elif change == "certificate_revoked":
        certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="issued by mistake")
    elif change == "learner_renamed":
        people_services.user_update_profile(user=world.alice, first_name="Alicia")
    elif change == "membership_changed":
        people_services.membership_update(membership=Membership.objects.get(user=world.alice, organization=world.acme),
                                          employee_id="E-200")
    elif change == "department_renamed":
        people_services.department_update(department=world.support, name="Customer care")
    elif change == "manager_renamed":
        people_services.user_update_profile(user=world.boss.user, last_name="Bossley")
    elif change == "course_renamed":
        catalog_services.course_update(course=world.course, title="Listening, really")
        expected = {world.enrollments[n].pk for n in ("alice", "bob", "cleo_acme")}
    elif change == "progress":
        bob = world.enrollments["bob"]
        enrollment_services.activity_heartbeat(enrollment=bob, activity=activities_of(world.course)[0], seconds=60)
        expected = {bob.pk}
    rows = _page(client, cursor, page_size=1000)["results"]
    assert expected <= {row["enrollment_id"] for row in rows}
    if change == "certificate_revoked":
        assert rows[0]["certificate_status"] == "revoked"
    if change == "department_renamed":
        assert rows[0]["department"] == "Customer care"


def test_rows_younger_than_the_lag_are_held_back(world, client_for, settings):
    settings.REPORTS_SYNC_LAG_SECONDS = 60
    client = client_for(world.hr)
    assert _page(client)["results"] == []
    Enrollment.objects.filter(pk=world.enrollments["bob"].pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    assert [row["enrollment_id"] for row in _page(client)["results"]] == [world.enrollments["bob"].pk]


def test_updated_since_starts_the_sync_at_a_moment(world, client_for):
    now = timezone.now()
    Enrollment.objects.filter(organization=world.acme).update(updated_at=now - timedelta(days=2))
    Enrollment.objects.filter(pk=world.enrollments["bob"].pk).update(updated_at=now - timedelta(hours=1))
    rows = _page(client_for(world.hr), updated_since=(now - timedelta(days=1)).isoformat())["results"]
    assert [row["enrollment_id"] for row in rows] == [world.enrollments["bob"].pk]


def test_pages_follow_next_links_in_updated_order(world, client_for):
    client = client_for(world.hr)
    first = _page(client, page_size=2)
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    stamps = [(r["updated_at"], r["enrollment_id"]) for r in first["results"] + second["results"]]
    assert stamps == sorted(stamps) and len(stamps) == 4
    assert second["next"] is None


def test_a_tampered_cursor_is_422(world, client_for):
    assert_error(client_for(world.hr).get(URL, {"cursor": "WzEsMl0"}), 422, "invalid_cursor")

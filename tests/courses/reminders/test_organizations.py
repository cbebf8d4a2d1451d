"""A learner in two organizations: each reminder follows its own organization's quiet hours, days and
zone; the person's own choices apply to all of them; the daily cap counts the person's messages from
every organization, bounded by the strictest cap among the reminders going out."""
from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from lms.models import Organization
from tests import factories as people
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db
Status = ReminderLog.Status
UTC = datetime.UTC
TOMORROW = datetime.datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def two_organizations(org, other_org):
    person = learner(org)
    people.MembershipFactory(user=person, organization=other_org)
    return person


def sweep(now=NOW) -> dict:
    reminders.reminders_select(now=now)
    return reminders.reminders_dispatch(now=now)


def rows_of(organization) -> list[ReminderLog]:
    """The organization's reminders logged by the sweep (not the digest, not the earlier messages)."""
    return list(ReminderLog.objects.filter(organization=organization).exclude(kind="digest").exclude(period="earlier"))


def make_quiet(organization, how: str) -> datetime.datetime:
    """Quiet time for ``organization`` at NOW (a Wednesday, 15:00 UTC); the moment its rows may go."""
    if how == "hours":
        always_open(organization, quiet_start=datetime.time(14, 0), quiet_end=datetime.time(17, 30))
        return datetime.datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
    if how == "days":
        always_open(organization, quiet_days=[3])
        return TOMORROW
    # "zone": the same 21:00-08:00 as the other organization, but midnight in Tokyo.
    Organization.objects.filter(pk=organization.pk).update(timezone="Asia/Tokyo")
    always_open(organization, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))
    return datetime.datetime(2026, 11, 25, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("how", ["hours", "days", "zone"])
@pytest.mark.parametrize("quiet_first", [True, False], ids=["quiet-row-first", "open-row-first"])
@pytest.mark.parametrize("quiet_is_other", [True, False], ids=["B-quiet", "A-quiet"])
def test_each_reminder_follows_its_own_organizations_quiet_time(org, other_org, mailoutbox, how, quiet_first,
                                                                 quiet_is_other):
    quiet, open_ = (other_org, org) if quiet_is_other else (org, other_org)
    person = two_organizations(org, other_org)
    may_go = make_quiet(quiet, how)
    if how == "zone":
        always_open(open_, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))
    else:
        always_open(open_)
    for organization in ([quiet, open_] if quiet_first else [open_, quiet]):
        enroll(person, build_course(title=f"Course of {organization.slug}", activities=[{}]), organization,
               enrolled_days_ago=30, idle_days=10)

    assert sweep() == {"sent": 1, "deferred": 1, "suppressed": 0, "folded": 0}
    [deferred] = rows_of(quiet)
    assert (deferred.status, deferred.not_before) == (Status.PENDING, may_go)
    [going] = rows_of(open_)
    assert (going.status, going.not_before) == (Status.PENDING, NOW)
    ids = list(ReminderLog.objects.filter(not_before__lte=NOW, status=Status.PENDING).values_list("pk", flat=True))
    assert reminders.reminders_send(log_ids=ids, now=NOW)["sent"] == 1
    assert sweep(may_go)["sent"] == 1  # deferred, never dropped


@pytest.mark.parametrize("first", ["A", "B"])
def test_a_persons_own_quiet_hours_apply_to_every_organization(org, other_org, first):
    person = two_organizations(org, other_org)
    always_open(org)
    always_open(other_org)
    reminders.notification_preference_update(user=person, quiet_hours={
        "quiet_start": datetime.time(14, 0), "quiet_end": datetime.time(16, 0), "quiet_days": []})
    for organization in ([org, other_org] if first == "A" else [other_org, org]):
        enroll(person, build_course(title=f"Course of {organization.slug}", activities=[{}]), organization,
               enrolled_days_ago=30, idle_days=10)
    assert sweep()["deferred"] == 2
    assert set(ReminderLog.objects.values_list("not_before", flat=True)) == {
        datetime.datetime(2026, 11, 25, 16, 0, tzinfo=UTC)}


@pytest.mark.parametrize("strict_first", [True, False], ids=["strict-enrolled-first", "lenient-enrolled-first"])
def test_the_strictest_cap_among_the_reminders_going_out_bounds_the_persons_day(org, other_org, strict_first):
    person = two_organizations(org, other_org)
    always_open(org, daily_cap=10)
    always_open(other_org, daily_cap=2)
    plan = [(org, 3), (other_org, 1)]
    for organization, count in (plan[::-1] if strict_first else plan):
        for n in range(count):
            enroll(person, build_course(title=f"{organization.slug} {n}", activities=[{}]), organization,
                   enrolled_days_ago=30, idle_days=10)
    # Two messages in all: one reminder alone, then the digest carrying the other three.
    assert sweep() == {"sent": 2, "deferred": 0, "suppressed": 0, "folded": 3}
    assert ReminderLog.objects.filter(kind="digest").count() == 1


def earlier_messages(person, organization, count: int) -> None:
    ReminderLog.objects.bulk_create([
        ReminderLog(recipient=person, kind="inactivity", subject_id=10_000 + n, period="earlier",
                    organization=organization, status=Status.SENT, claimed_at=NOW - datetime.timedelta(hours=1),
                    sent_at=NOW - datetime.timedelta(hours=1)) for n in range(count)])


@pytest.mark.parametrize("earlier_from", ["A", "B"])
def test_messages_from_every_organization_count_against_the_cap(org, other_org, earlier_from):
    person = two_organizations(org, other_org)
    always_open(org, daily_cap=10)
    always_open(other_org, daily_cap=2)
    earlier_messages(person, org if earlier_from == "A" else other_org, 2)
    lenient = enroll(person, build_course(title="A course", activities=[{}]), org, enrolled_days_ago=30,
                     idle_days=10)
    reminders.reminders_select(now=NOW)
    # Alone, a reminder of the lenient organization goes: 2 of its 10 used today.
    assert reminders.reminders_dispatch(now=NOW)["sent"] == 1
    ReminderLog.objects.filter(enrollment=lenient).update(status=Status.SENT, claimed_at=NOW)
    # The strict organization's cap of 2 is already reached, whoever sent them: it waits for tomorrow.
    enroll(person, build_course(title="B course", activities=[{}]), other_org, enrolled_days_ago=30, idle_days=10)
    assert sweep() == {"sent": 0, "deferred": 1, "suppressed": 0, "folded": 0}
    assert rows_of(other_org)[0].not_before == TOMORROW


def test_with_both_pending_the_strict_cap_holds_both_back_until_tomorrow(org, other_org):
    person = two_organizations(org, other_org)
    always_open(org, daily_cap=10)
    always_open(other_org, daily_cap=2)
    earlier_messages(person, org, 2)
    enroll(person, build_course(title="A course", activities=[{}]), org, enrolled_days_ago=30, idle_days=10)
    enroll(person, build_course(title="B course", activities=[{}]), other_org, enrolled_days_ago=30, idle_days=10)
    assert sweep() == {"sent": 0, "deferred": 2, "suppressed": 0, "folded": 0}
    assert set(ReminderLog.objects.filter(status=Status.PENDING).values_list("not_before", flat=True)) == {TOMORROW}


def test_the_cap_day_is_read_in_the_zone_of_the_strictest_organization(org, other_org):
    # 15:00 UTC Wednesday is 00:00 Thursday in Tokyo: messages from 14:00 UTC were "yesterday" there.
    person = two_organizations(org, other_org)
    Organization.objects.filter(pk=other_org.pk).update(timezone="Asia/Tokyo")
    always_open(org, daily_cap=10)
    always_open(other_org, daily_cap=2)
    earlier_messages(person, org, 2)
    enroll(person, build_course(title="A course", activities=[{}]), org, enrolled_days_ago=30, idle_days=10)
    enroll(person, build_course(title="B course", activities=[{}]), other_org, enrolled_days_ago=30, idle_days=10)
    assert sweep() == {"sent": 2, "deferred": 0, "suppressed": 0, "folded": 0}


def test_deciding_by_each_rows_organization_adds_no_query(org, other_org, django_capture_on_commit_callbacks):
    Organization.objects.filter(pk=other_org.pk).update(timezone="Asia/Tokyo")
    always_open(org, daily_cap=10)
    always_open(other_org, daily_cap=2, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))

    def dispatch_queries(people_count: int) -> int:
        ReminderLog.objects.all().delete()
        for _ in range(people_count):
            person = two_organizations(org, other_org)
            for organization in (org, other_org, org):
                enroll(person, build_course(title="Course", activities=[{}]), organization, enrolled_days_ago=30,
                       idle_days=10)
        reminders.reminders_select(now=NOW)
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
            result = reminders.reminders_dispatch(now=NOW)
        assert result["sent"] > 0 and result["deferred"] > 0, result
        return len(queries)

    assert dispatch_queries(2) == dispatch_queries(20)

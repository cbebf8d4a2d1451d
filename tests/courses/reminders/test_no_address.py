"""A person nobody can write to (no email address, an account switched off, a person deleted) is never
logged as sent: the row ends suppressed with the reason, at dispatch or, if it changed since, at send."""
from __future__ import annotations

import pytest

from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from lms.models import User
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db
Status = ReminderLog.Status

NO_ADDRESS = ["", " ", "\t \n"]


def send_all(now=NOW) -> dict:
    ids = list(ReminderLog.objects.filter(status=Status.PENDING).values_list("pk", flat=True))
    return reminders.reminders_send(log_ids=ids, now=now)


@pytest.mark.parametrize("address", NO_ADDRESS, ids=["empty", "space", "whitespace"])
def test_a_person_without_an_address_is_suppressed_at_dispatch_not_sent(org, course, mailoutbox, address):
    always_open(org)
    nobody = learner(org)
    User.objects.filter(pk=nobody.pk).update(email=address)
    somebody = learner(org)
    enroll(nobody, course, org, enrolled_days_ago=30, idle_days=10, due_in_days=-1)
    enroll(somebody, course, org, enrolled_days_ago=30, idle_days=10)

    reminders.reminders_select(now=NOW)
    result = reminders.reminders_dispatch(now=NOW)
    assert result["suppressed"] == 2 and result["sent"] == 1
    rows = ReminderLog.objects.filter(recipient=nobody)
    assert {(row.status, row.detail) for row in rows} == {(Status.SUPPRESSED, "no email address")}
    assert send_all() == {"sent": 1, "retry": 0, "failed": 0, "suppressed": 0}
    assert [m.to for m in mailoutbox] == [[somebody.email]]
    assert not ReminderLog.objects.filter(status=Status.SENT, recipient=nobody).exists()


@pytest.mark.parametrize("address", NO_ADDRESS, ids=["empty", "space", "whitespace"])
def test_an_address_removed_between_dispatch_and_send_is_suppressed_at_send(org, course, mailoutbox, address):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    assert reminders.reminders_dispatch(now=NOW)["sent"] == 1
    User.objects.filter(pk=person.pk).update(email=address)

    assert send_all() == {"sent": 0, "retry": 0, "failed": 0, "suppressed": 1}
    row = ReminderLog.objects.get()
    assert (row.status, row.detail, row.sent_at) == (Status.SUPPRESSED, "no email address", None)
    assert mailoutbox == []


def test_no_digest_is_built_for_a_person_without_an_address(org, mailoutbox):
    always_open(org, daily_cap=2)
    nobody = learner(org)
    User.objects.filter(pk=nobody.pk).update(email="")
    for n in range(4):
        enroll(nobody, build_course(title=f"Course {n}", activities=[{}]), org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    assert reminders.reminders_dispatch(now=NOW) == {"sent": 0, "deferred": 0, "suppressed": 4, "folded": 0}
    assert not ReminderLog.objects.filter(kind="digest").exists()
    assert mailoutbox == []


@pytest.mark.parametrize("when", ["before dispatch", "before send"])
def test_a_deactivated_account_gets_nothing(org, course, mailoutbox, when):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    if when == "before dispatch":
        User.objects.filter(pk=person.pk).update(is_active=False)
    reminders.reminders_dispatch(now=NOW)
    User.objects.filter(pk=person.pk).update(is_active=False)
    send_all()
    row = ReminderLog.objects.get()
    assert (row.status, row.detail) == (Status.SUPPRESSED, "account deactivated")
    assert mailoutbox == []


def test_a_person_deleted_between_dispatch_and_send_takes_their_rows_along(org, course, mailoutbox):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    reminders.reminders_dispatch(now=NOW)
    ids = list(ReminderLog.objects.values_list("pk", flat=True))
    person.delete()
    assert reminders.reminders_send(log_ids=ids, now=NOW) == {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0}
    assert not ReminderLog.objects.exists()
    assert mailoutbox == []

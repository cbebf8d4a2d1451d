"""Dispatch: suppression, quiet hours and days in each learner's time zone, the daily cap and the digest."""
from __future__ import annotations

import datetime

import pytest

from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders import windows as reminder_windows
from courses.reminders.models import NotificationPreference, ReminderLog
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db
Status = ReminderLog.Status
UTC = datetime.UTC


def sweep(now=NOW) -> dict:
    reminders.reminders_select(now=now)
    return reminders.reminders_dispatch(now=now)


def send_all(now=NOW) -> dict:
    ids = list(ReminderLog.objects.filter(status=Status.PENDING).values_list("pk", flat=True))
    return reminders.reminders_send(log_ids=ids, now=now)


def test_quiet_hours_are_read_in_each_learners_time_zone_at_the_same_instant(org, course, mailoutbox):
    # 15:00 UTC on a Wednesday is 12:00 in São Paulo and 00:00 (Thursday) in Tokyo; quiet 21:00-08:00.
    always_open(org, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))
    tokyo = learner(org, timezone="Asia/Tokyo")
    sao_paulo = learner(org, timezone="America/Sao_Paulo")
    enroll(tokyo, course, org, enrolled_days_ago=30, idle_days=10)
    enroll(sao_paulo, course, org, enrolled_days_ago=30, idle_days=10)

    result = sweep()
    assert result["deferred"] == 1
    deferred = ReminderLog.objects.get(recipient=tokyo)
    assert deferred.status == Status.PENDING
    assert deferred.not_before == datetime.datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 08:00 Thursday in Tokyo
    send_all()
    assert [m.to for m in mailoutbox] == [[sao_paulo.email]]

    # Still quiet in Tokyo an hour later: nothing; after 08:00 in Tokyo it goes out (deferred, not dropped).
    assert sweep(NOW + datetime.timedelta(hours=1))["sent"] == 0
    later = datetime.datetime(2026, 11, 25, 23, 5, tzinfo=UTC)
    assert sweep(later)["sent"] == 1
    send_all(later)
    assert [m.to for m in mailoutbox] == [[sao_paulo.email], [tokyo.email]]


def test_quiet_days_defer_to_the_first_working_morning(org, course):
    always_open(org, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0), quiet_days=[6, 7])
    saturday_noon = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    sao_paulo = learner(org, timezone="America/Sao_Paulo")
    tokyo = learner(org, timezone="Asia/Tokyo")
    enroll(sao_paulo, course, org, enrolled_days_ago=30, idle_days=10, now=saturday_noon)
    enroll(tokyo, course, org, enrolled_days_ago=30, idle_days=10, now=saturday_noon)
    assert sweep(saturday_noon)["deferred"] == 2
    # Monday 08:00 in each zone.
    assert ReminderLog.objects.get(recipient=sao_paulo).not_before == datetime.datetime(2026, 11, 30, 11, 0,
                                                                                        tzinfo=UTC)
    assert ReminderLog.objects.get(recipient=tokyo).not_before == datetime.datetime(2026, 11, 29, 23, 0, tzinfo=UTC)


def test_next_allowed_handles_windows_that_do_not_cross_midnight():
    window = reminder_windows.Window(tz=reminder_windows._zone("America/Sao_Paulo"), quiet_start=datetime.time(12, 0),
                                     quiet_end=datetime.time(14, 0), quiet_days=[], cap=3)
    assert reminder_windows.next_allowed(NOW, window) == datetime.datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert reminder_windows.next_allowed(NOW - datetime.timedelta(hours=1), window) is None


def test_opting_out_of_a_kind_suppresses_only_that_kind(org, course, mailoutbox):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10, due_in_days=-1)
    reminders.notification_preference_update(user=person, kinds={"inactivity": False})
    sweep()
    assert ReminderLog.objects.get(kind="inactivity").status == Status.SUPPRESSED
    assert ReminderLog.objects.get(kind="inactivity").detail == "opted out of inactivity"
    send_all()
    assert [m.extra_headers["X-LMS-Reminder"].split(":")[0] for m in mailoutbox] == ["overdue"]


def test_opting_out_of_everything_suppresses_every_kind(org, course, mailoutbox):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10, due_in_days=-1)
    reminders.notification_preference_update(user=person, email_enabled=False)
    assert sweep()["suppressed"] == 2
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {Status.SUPPRESSED}
    assert send_all()["sent"] == 0
    assert mailoutbox == []


def test_a_paused_address_gets_nothing_until_resumed(org, course, mailoutbox):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.address_pause(user=person, reason="550 no such user")
    sweep()
    assert ReminderLog.objects.get().status == Status.SUPPRESSED
    assert NotificationPreference.objects.get(user=person).paused_reason == "550 no such user"
    reminders.notification_preference_update(user=person, resume=True)
    assert NotificationPreference.objects.get(user=person).paused_at is None


def test_an_enrollment_completed_or_withdrawn_after_the_sweep_is_not_reminded(org, course, mailoutbox):
    always_open(org)
    finished = enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    withdrawn = enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    Enrollment.objects.filter(pk=finished.pk).update(status=Enrollment.Status.COMPLETED, completed_at=NOW)
    reminders.reminders_dispatch(now=NOW)
    assert ReminderLog.objects.get(enrollment=finished).detail == "enrollment completed"
    # Withdrawn between dispatch and send: the sender checks again.
    Enrollment.objects.filter(pk=withdrawn.pk).update(status=Enrollment.Status.WITHDRAWN, withdrawn_at=NOW)
    assert send_all() == {"sent": 0, "retry": 0, "failed": 0, "suppressed": 1}
    assert ReminderLog.objects.get(enrollment=withdrawn).status == Status.SUPPRESSED
    assert mailoutbox == []


def test_the_daily_cap_sends_the_first_ones_and_folds_the_rest_into_one_digest(org, mailoutbox):
    always_open(org, daily_cap=3)
    person = learner(org, language="pt-BR")
    courses = [build_course(title=f"Curso {n}", activities=[{}]) for n in range(5)]
    for course in courses:
        enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    result = sweep()
    assert result == {"sent": 3, "deferred": 0, "suppressed": 0, "folded": 3}
    assert ReminderLog.objects.filter(kind="inactivity", status=Status.FOLDED).count() == 3
    digest = ReminderLog.objects.get(kind="digest")
    assert (digest.recipient, digest.period) == (person, "2026-11-25")
    send_all()
    assert len(mailoutbox) == 3  # two reminders and the digest: the cap is 3 messages a day
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects[-1] == "Seus lembretes de hoje (3)"
    digest_mail = next(m for m in mailoutbox if m.subject.startswith("Seus lembretes"))
    assert sum(f"Curso {n}" in digest_mail.body for n in range(5)) == 3
    assert "List-Unsubscribe=One-Click" in digest_mail.extra_headers["List-Unsubscribe-Post"]

    # More reminders the same day wait for the next local day.
    extra = build_course(title="Curso extra", activities=[{}])
    enroll(person, extra, org, enrolled_days_ago=30, idle_days=10)
    later = NOW + datetime.timedelta(hours=2)
    assert sweep(later)["deferred"] == 1
    assert ReminderLog.objects.get(enrollment__course=extra).not_before == datetime.datetime(2026, 11, 26, 0, 0,
                                                                                             tzinfo=UTC)


def test_a_second_sweep_the_same_day_sends_nothing_new(org, course, mailoutbox):
    always_open(org)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    sweep()
    send_all()
    assert sweep(NOW + datetime.timedelta(minutes=15))["sent"] == 0
    assert send_all() == {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0}
    assert len(mailoutbox) == 1


def test_a_twice_delivered_send_task_sends_once(org, course, mailoutbox):
    always_open(org)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    sweep()
    ids = list(ReminderLog.objects.values_list("pk", flat=True))
    assert reminders.reminders_send(log_ids=ids, now=NOW)["sent"] == 1
    assert reminders.reminders_send(log_ids=ids, now=NOW)["sent"] == 0
    assert len(mailoutbox) == 1
    assert ReminderLog.objects.get().attempts == 1


def test_rows_left_sending_by_a_killed_worker_are_failed_not_resent(org, course):
    always_open(org)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    sweep()
    ReminderLog.objects.update(status=Status.SENDING, claimed_at=NOW - datetime.timedelta(hours=2))
    assert reminders.reminders_fail_stale() == 1
    assert ReminderLog.objects.get().status == Status.FAILED


def test_a_persons_own_quiet_hours_override_the_organizations(org, course):
    always_open(org)  # the organization has no quiet time at all
    night_owl = learner(org, timezone="America/Sao_Paulo")  # 12:00 there
    enroll(night_owl, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.notification_preference_update(user=night_owl, quiet_hours={
        "quiet_start": datetime.time(11, 0), "quiet_end": datetime.time(13, 30), "quiet_days": []})
    assert sweep()["deferred"] == 1
    assert ReminderLog.objects.get().not_before == datetime.datetime(2026, 11, 25, 16, 30, tzinfo=UTC)

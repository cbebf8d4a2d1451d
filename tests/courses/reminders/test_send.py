"""Sending over a real SMTP server (aiosmtpd on loopback) in this process: the message itself (language,
links, sender, headers), one connection per batch, 4xx retried, 5xx failed and the address paused."""
from __future__ import annotations

import datetime

import pytest

from courses.reminders import services as reminders
from courses.reminders.models import NotificationPreference, ReminderLog
from tests.courses.factories import activities_of, build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db
Status = ReminderLog.Status


def sweep_and_send(now=NOW) -> dict:
    reminders.reminders_select(now=now)
    reminders.reminders_dispatch(now=now)
    ids = list(ReminderLog.objects.filter(status=Status.PENDING).values_list("pk", flat=True))
    return reminders.reminders_send(log_ids=ids, now=now)


def test_a_reminder_in_brazilian_portuguese_with_its_links_sender_and_headers(org, smtp_backend):
    always_open(org, from_email="Acme Treinamentos <treinamento@acme.example>", reply_to="rh@acme.example")
    course = build_course(title="Empatia no atendimento", language="pt-BR",
                          activities=[{"title": "Ouvir"}, {"title": "Refletir"}])
    person = learner(org, language="pt-BR", first_name="Ana")
    enrollment = enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    from courses.enrollments import services

    services.activity_record_result(enrollment=enrollment, activity=activities_of(course)[0], passed=True)
    enrollment.refresh_from_db()
    from courses.enrollments.models import Enrollment

    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity_at=NOW - datetime.timedelta(days=10))

    assert sweep_and_send()["sent"] == 1
    [message] = smtp_backend.handler.received()
    assert message["To"] == person.email
    assert message["From"] == "Acme Treinamentos <treinamento@acme.example>"
    assert message["Reply-To"] == "rh@acme.example"
    assert message["Subject"] == "Continue de onde parou: Empatia no atendimento"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = str(message["List-Unsubscribe"]).strip()  # a long header may be folded
    assert one_click.startswith("<https://lms.example.test/api/v1/notifications/unsubscribe/") and \
        one_click.endswith("/>")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    next_activity = activities_of(course)[1]
    link = f"https://lms.example.test/courses/{course.slug}/activities/{next_activity.pk}/"
    assert "Olá, Ana!" in text and link in text and "Continuar o curso" in text
    assert 'lang="pt-BR"' in html and f'href="{link}"' in html
    assert "https://lms.example.test/unsubscribe/" in text
    assert ReminderLog.objects.get().status == Status.SENT


def test_english_by_default_and_one_connection_for_a_batch(org, smtp_backend):
    always_open(org)
    people = [learner(org) for _ in range(4)]
    for person in people:
        enroll(person, build_course(activities=[{}]), org, enrolled_days_ago=5)
    assert sweep_and_send()["sent"] == 4
    received = smtp_backend.handler.received()
    assert sorted(m["To"] for m in received) == sorted(p.email for p in people)
    assert {m["Subject"].split('"')[0] for m in received} == {"Ready to start "}
    assert len(smtp_backend.handler.sessions) == 1  # the connection was reused


def test_a_temporary_refusal_is_retried_with_backoff_and_delivered_once(org, course, smtp_backend, settings,
                                                                        django_capture_on_commit_callbacks):
    settings.REMINDER_RETRY_BACKOFF_SECONDS = 30
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    smtp_backend.handler.script[person.email] = ["451 4.3.0 Mailbox busy, try again later"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sweep_and_send() == {"sent": 0, "retry": 1, "failed": 0, "suppressed": 0}
    log = ReminderLog.objects.get()
    assert log.status == Status.PENDING and log.not_before == NOW + datetime.timedelta(seconds=30)
    assert log.detail.startswith("retrying: 451")
    assert len(callbacks) == 2  # the dispatch's send and the retry, enqueued after commit
    # Too early: the claim refuses it.
    assert reminders.reminders_send(log_ids=[log.pk], now=NOW)["sent"] == 0
    later = NOW + datetime.timedelta(seconds=31)
    assert reminders.reminders_send(log_ids=[log.pk], now=later)["sent"] == 1
    assert reminders.reminders_send(log_ids=[log.pk], now=later)["sent"] == 0
    assert len(smtp_backend.handler.received()) == 1
    log.refresh_from_db()
    assert (log.status, log.attempts) == (Status.SENT, 2)


def test_a_permanent_refusal_fails_the_reminder_and_pauses_the_address(org, smtp_backend):
    always_open(org)
    bouncing, fine = learner(org), learner(org)
    for person in (bouncing, fine):
        enroll(person, build_course(activities=[{}]), org, enrolled_days_ago=30, idle_days=10)
    smtp_backend.handler.script[bouncing.email] = ["550 5.1.1 No such user here"]
    assert sweep_and_send() == {"sent": 1, "retry": 0, "failed": 1, "suppressed": 0}
    failed = ReminderLog.objects.get(recipient=bouncing)
    assert failed.status == Status.FAILED and failed.detail.startswith("550 5.1.1")
    assert NotificationPreference.objects.get(user=bouncing).paused_at is not None
    assert [m["To"] for m in smtp_backend.handler.received()] == [fine.email]


def test_too_many_temporary_failures_end_as_failed(org, course, smtp_backend, settings):
    settings.REMINDER_MAX_ATTEMPTS = 1
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    smtp_backend.handler.script[person.email] = ["421 4.7.0 Try again later"]
    assert sweep_and_send()["failed"] == 1
    assert ReminderLog.objects.get().status == Status.FAILED
    assert not NotificationPreference.objects.filter(user=person, paused_at__isnull=False).exists()


def test_a_dead_server_leaves_reminders_pending_for_a_retry(org, course, settings):
    from tests.courses.certificates.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    always_open(org)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    assert sweep_and_send()["retry"] == 1
    assert ReminderLog.objects.get().status == Status.PENDING


def test_the_manager_hears_of_a_certificate_and_gets_the_weekly_digest(org, course, mailoutbox):
    from tests import factories as people
    from tests.courses.certificates.conftest import completed_enrollment, issued

    always_open(org)
    boss = people.MembershipFactory(organization=org, roles=["supervisor"])
    report = people.MembershipFactory(organization=org, manager=boss, user__first_name="Bia",
                                      user__last_name="Lima")
    late = people.MembershipFactory(organization=org, manager=boss, user__first_name="Caio", user__last_name="Reis")
    certificate = issued(completed_enrollment(course=build_course(title="Calm calls", activities=[{}]),
                                              user=report.user, organization=org), render=False)
    enroll(late.user, course, org, enrolled_days_ago=20, idle_days=2, due_in_days=-1)
    now = certificate.issued_at + datetime.timedelta(hours=1)
    reminders.reminders_select(now=now, kinds=["certificate_issued", "manager_digest"])
    reminders.reminders_dispatch(now=now)
    ids = list(ReminderLog.objects.filter(status=Status.PENDING).values_list("pk", flat=True))
    reminders.reminders_send(log_ids=ids, now=now)
    by_subject = {m.subject: m for m in mailoutbox}
    assert set(by_subject) == {"Bia Lima earned a certificate: Calm calls", "Your team this week: 1 behind schedule"}
    assert all(m.to == [boss.user.email] for m in mailoutbox)
    assert f"/verify/{certificate.code}/" in by_subject["Bia Lima earned a certificate: Calm calls"].body
    assert "Caio Reis" in by_subject["Your team this week: 1 behind schedule"].body


def test_the_one_click_header_of_a_received_message_unsubscribes_its_recipient(org, course, smtp_backend,
                                                                               api_client):
    always_open(org)
    person = learner(org)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    sweep_and_send()
    [message] = smtp_backend.handler.received()
    url = str(message["List-Unsubscribe"]).strip().strip("<>")
    response = api_client.post(url.removeprefix("https://lms.example.test"), "List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.json() == {"unsubscribed": "inactivity"}
    assert NotificationPreference.objects.get(user=person).disabled_kinds == ["inactivity"]


def test_a_claim_records_the_previous_message_as_sent_even_when_it_loses_its_own_row(org, course):
    always_open(org, daily_cap=10)
    for _ in range(3):
        enroll(learner(org), course, org, enrolled_days_ago=5)
    reminders.reminders_select(now=NOW)
    first, second, third = ReminderLog.objects.order_by("id")
    assert reminders.reminder_claim(log_id=first.pk, now=NOW)
    ReminderLog.objects.filter(pk=second.pk).update(status=Status.SENDING, attempts=1)  # another worker has it
    assert not reminders.reminder_claim(log_id=second.pk, now=NOW, sent_id=first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.detail) == (Status.SENT, 1, "") and first.sent_at is not None
    assert (second.status, second.attempts) == (Status.SENDING, 1)  # untouched
    # Not due yet: no claim either; the previous one is still recorded.
    ReminderLog.objects.filter(pk=third.pk).update(not_before=NOW + datetime.timedelta(minutes=1))
    assert not reminders.reminder_claim(log_id=third.pk, now=NOW, sent_id=second.pk)
    assert ReminderLog.objects.get(pk=second.pk).status == Status.SENT
    assert ReminderLog.objects.get(pk=third.pk).status == Status.PENDING
    assert reminders.reminder_claim(log_id=third.pk, now=NOW + datetime.timedelta(minutes=1), sent_id=None)
    third.refresh_from_db()
    assert (third.status, third.attempts, third.claimed_at) == (Status.SENDING, 1, NOW + datetime.timedelta(minutes=1))

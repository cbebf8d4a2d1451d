"""Reminders share the site's mail layout: text and HTML from the raw bytes, in the learner's language, links to
the learner pages, one unsubscribe link in the body and the one-click header beside it."""
from __future__ import annotations

import pytest

from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from tests import factories as people
from tests.courses.factories import activities_of, build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner
from tests.mail_helpers import TRICKY, assert_escaped, read_mail

ORGANIZATION = "Ana & Bia <Treinamentos>"
WORDS = {
    "en": ("Ready to start ", "Hello Zoë,", "Stop reminders like this one"),
    "pt-BR": ("Vamos começar ", "Olá, Zoë!", "Não quero mais lembretes como este"),
}


def sweep_and_send() -> None:
    reminders.reminders_select(now=NOW)
    reminders.reminders_dispatch(now=NOW)
    ids = list(ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).values_list("pk", flat=True))
    reminders.reminders_send(log_ids=ids, now=NOW)


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_a_reminder_in_the_shared_layout(db, mailoutbox, language):
    organization = people.OrganizationFactory(name=ORGANIZATION)
    always_open(organization)
    course = build_course(title=TRICKY, language=language, activities=[{"title": "Listen"}])
    person = learner(organization, language=language, first_name="Zoë")
    enroll(person, course, organization, enrolled_days_ago=5)
    sweep_and_send()
    (message,) = mailoutbox
    mail = read_mail(message, organization=ORGANIZATION)
    subject, greeting, unsubscribe = WORDS[language]
    assert mail.subject.startswith(subject) and TRICKY in mail.subject
    assert greeting in mail.text and greeting in mail.html
    activity = f"https://lms.example.test/courses/{course.slug}/activities/{activities_of(course)[0].pk}/"
    assert activity in mail.text and f'href="{activity}"' in mail.html
    assert mail.text.count("https://lms.example.test/unsubscribe/") == 1
    assert mail.html.count('href="https://lms.example.test/unsubscribe/') == 1 and unsubscribe in mail.html
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert_escaped(mail)

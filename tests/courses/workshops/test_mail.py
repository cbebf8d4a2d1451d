"""Workshop mail as the learner's client reads it: text and HTML in the learner's language, the times in the
session's zone, links to the session's page, the invitation attached with one charset parameter."""
from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template.loader import get_template
from django.utils import timezone

from courses.workshops.models import WorkshopEmail
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as workshop_sessions
from tests import factories as people
from tests.courses.workshops.conftest import enrolled, make_session, make_workshop, workshop_course
from tests.mail_helpers import TRICKY, assert_escaped, read_mail

ORGANIZATION = "Ana & Bia <Treinamentos>"
SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")

# (subject start, opener, calendar note) per kind and language
WORDS = {
    "en": {"booked": ("You are booked: ", "your seat is confirmed."),
           "promoted": ("A seat opened up — you are booked: ", "you were next on the waitlist"),
           "cancelled": ("Your place is cancelled: ", "cancelled as you asked."),
           "session_cancelled": ("Session cancelled: ", "this session has been cancelled."),
           "rescheduled": ("Session rescheduled: ", "the session has moved; the new time is below.")},
    "pt-BR": {"booked": ("Sua vaga está confirmada: ", "sua vaga está confirmada."),
              "promoted": ("Abriu uma vaga — ela é sua: ", "lista de espera"),
              "cancelled": ("Sua inscrição foi cancelada: ", "cancelada, como você pediu."),
              "session_cancelled": ("Sessão cancelada: ", "esta sessão foi cancelada."),
              "rescheduled": ("Sessão remarcada: ", "o novo horário está abaixo.")},
}
CALENDAR_NOTE = {("en", "REQUEST"): "The attached invitation updates your calendar.",
                 ("en", "CANCEL"): "The attached notice removes it from your calendar.",
                 ("pt-BR", "REQUEST"): "O convite anexo atualiza a sua agenda.",
                 ("pt-BR", "CANCEL"): "O aviso anexo remove a sessão da sua agenda."}
WHEN = {"en": ("10 a.m.", "noon"), "pt-BR": ("10:00", "12:00")}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lms.example.test"


@pytest.fixture
def world(db):
    organization = people.OrganizationFactory(name=ORGANIZATION)
    workshop = make_workshop(course=workshop_course(organization=organization))
    day = (timezone.now() + datetime.timedelta(days=5)).astimezone(SAO_PAULO).date()
    start = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=SAO_PAULO)
    session = make_session(workshop, start=start, capacity=1, title=TRICKY, timezone="America/Sao_Paulo",
                           venue="Sala 4 & 5", online_url="https://meet.example.test/abc")
    return session


def mails_of(language: str, session) -> dict[str, object]:
    """Every kind of workshop mail sent to one learner who reads ``language``."""
    course = session.workshop.activity.course
    organization = course.organization
    learner = enrolled(course, people.member(organization, user__language=language, user__first_name="Zoë",
                                             user__last_name="<Ana>"))
    first = enrolled(course, people.member(organization))
    taken, _ = workshop_sessions.registration_create(session=session, user=first)
    mine, _ = workshop_sessions.registration_create(session=session, user=learner)  # waitlisted
    workshop_sessions.registration_cancel(registration=taken, actor=first)  # promotes the learner
    workshop_sessions.registration_cancel(registration=mine, actor=learner)
    mine, _ = workshop_sessions.registration_create(session=session, user=learner)  # booked again
    WorkshopEmail.objects.create(key=f"rescheduled:{mine.pk}", registration=mine, kind="rescheduled",
                                 method="REQUEST", sequence=session.sequence + 1, to=learner.email)
    workshop_sessions.session_cancel(session=session, actor=None, reason="")
    sent = {}
    for email in WorkshopEmail.objects.filter(registration__user=learner).order_by("id"):
        assert workshop_mail.workshop_email_send(email_id=email.pk) is True
        sent[email.kind] = email
    return sent


@pytest.mark.parametrize("language", ["en", "pt-BR"])
def test_every_kind_in_the_learners_language_with_the_invitation_attached(world, mailoutbox, language):
    session = world
    emails = mails_of(language, session)
    assert set(emails) == set(WORDS[language])
    by_key = {message.extra_headers["X-LMS-Workshop-Email"]: message for message in mailoutbox}
    for kind, email in emails.items():
        mail = read_mail(by_key[email.key], organization=ORGANIZATION, external=("https://meet.example.test/",),
                         calendar=True)
        subject, opener = WORDS[language][kind]
        assert mail.subject == subject + TRICKY
        assert opener in mail.text and opener in mail.html
        assert CALENDAR_NOTE[(language, email.method)] in mail.text
        assert mail.calendar.get_param("method") == email.method and mail.calendar.get_content_charset() == "utf-8"
        assert mail.calendar.get_content().startswith("BEGIN:VCALENDAR")
        starts, ends = WHEN[language]
        assert f"{starts} \N{EN DASH} {ends} (America/Sao_Paulo)" in mail.text  # the session's zone, not UTC
        page = f"https://lms.example.test/workshops/sessions/{session.pk}/"
        assert page in mail.text and f'href="{page}"' in mail.html
        assert "Sala 4 &amp; 5" in mail.html and "Sala 4 & 5" in mail.text
        assert_escaped(mail)
        assert "Zoë &lt;Ana&gt;" in mail.html


def test_the_date_is_written_in_the_learners_language(world, mailoutbox):
    emails = mails_of("pt-BR", world)
    message = next(m for m in mailoutbox if m.extra_headers["X-LMS-Workshop-Email"] == emails["booked"].key)
    mail = read_mail(message, organization=ORGANIZATION, external=("https://meet.example.test/",), calendar=True)
    start = world.parts.get().starts_at.astimezone(SAO_PAULO)
    months = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
              "outubro", "novembro", "dezembro"]
    assert f"{start.day} de {months[start.month - 1]} de {start.year}" in mail.text.lower()
    assert 'lang="pt-BR"' in mail.html


def test_every_kind_has_its_subject_opener_and_template_pair():
    for kind in {*WorkshopEmail.Kind.values, "rescheduled"}:
        assert kind in workshop_mail.SUBJECTS and kind in workshop_mail.OPENERS, kind
        for suffix in (".txt", ".html"):
            get_template(workshop_mail.workshop_email_template(kind) + suffix)

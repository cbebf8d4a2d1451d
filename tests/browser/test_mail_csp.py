"""Every kind of mail's HTML in a real browser under the policy mail clients apply.

Each mail is sent through its own flow (workshop kinds, certificate, reminder, password reset), its HTML
part read from the raw bytes, and Debian's Chromium opens it, served with
`default-src 'none'; style-src 'unsafe-inline'; img-src data:` and at a phone's width: no CSP violation,
no console message, the main text visible and nothing wider than the screen. A control page that loads
an outside image proves the watch for violations would see one.
"""
from __future__ import annotations

import datetime
import email
import email.policy

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from courses.workshops.models import WorkshopEmail
from courses.workshops.services import mail as workshop_mail
from courses.workshops.services import sessions as workshop_sessions
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner
from tests.courses.workshops.conftest import enrolled, make_session, make_workshop, workshop_course
from tests.mail_helpers import TRICKY

pytestmark = pytest.mark.integration

MAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
ORIGIN = "https://mail.invalid"
PHONE = 360
ORGANIZATION = "Ana & Bia <Treinamentos>"


def _html(message) -> str:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return parsed.get_body(("html",)).get_content()


def _workshop_mails(organization) -> dict[str, tuple[str, str]]:
    workshop = make_workshop(course=workshop_course(organization=organization))
    session = make_session(workshop, start=timezone.now() + datetime.timedelta(days=5), capacity=1, title=TRICKY,
                           venue="Sala 4", online_url="https://meet.example.test/abc")
    course = workshop.activity.course
    person = enrolled(course, people.member(organization, user__first_name="Zoë"))
    first = enrolled(course, people.member(organization))
    taken, _ = workshop_sessions.registration_create(session=session, user=first)
    mine, _ = workshop_sessions.registration_create(session=session, user=person)
    workshop_sessions.registration_cancel(registration=taken, actor=first)
    workshop_sessions.registration_cancel(registration=mine, actor=person)
    mine, _ = workshop_sessions.registration_create(session=session, user=person)
    WorkshopEmail.objects.create(key=f"rescheduled:{mine.pk}", registration=mine, kind="rescheduled",
                                 method="REQUEST", sequence=session.sequence + 1, to=person.email)
    workshop_sessions.session_cancel(session=session, actor=None, reason="")
    pages = {}
    for row in WorkshopEmail.objects.filter(registration__user=person).order_by("id"):
        workshop_mail.workshop_email_send(email_id=row.pk)
        pages[f"workshop_{row.kind}"] = str(workshop_mail.OPENERS[row.kind])
    return pages


@pytest.fixture
def mail_pages(db, client, mailoutbox, settings) -> dict[str, tuple[str, str]]:
    """{kind: (HTML, main text)} for every kind, built before the browser opens (Django refuses database
    work while Playwright's loop runs)."""
    settings.SITE_URL = "https://lms.example.test"
    organization = people.OrganizationFactory(name=ORGANIZATION)
    expected = _workshop_mails(organization)

    certificate = issued(completed_enrollment(course=one_step_course(title=TRICKY, organization=organization),
                                              organization=organization))
    certificate_services.certificate_send_issue_email(certificate_id=certificate.pk)
    expected["certificate_issued"] = "Your certificate is ready."

    always_open(organization)
    enroll(learner(organization, first_name="Zoë"), build_course(title=TRICKY, activities=[{}]), organization,
           enrolled_days_ago=5)
    reminders.reminders_select(now=NOW)
    reminders.reminders_dispatch(now=NOW)
    reminders.reminders_send(log_ids=list(ReminderLog.objects.values_list("pk", flat=True)), now=NOW)
    expected["reminder"] = "Hello Zoë,"

    people.UserFactory(email="ana@example.com")
    client.post(reverse("pages:password-reset"), {"email": "ana@example.com"})
    expected["password_reset"] = "Someone asked to reset the password"

    pages = {}
    for message in mailoutbox:
        html = _html(message)
        kind = next(kind for kind, text in expected.items() if text in html and kind not in pages)
        pages[kind] = (html, expected[kind])
    assert set(pages) == set(expected) and len(pages) == 8
    return pages


class MailTab:
    """One tab that serves a page under the mail policy and records what the browser complains about."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": PHONE, "height": 740})
        self.problems: list[str] = []
        self.body = ""
        self.context.route(f"{ORIGIN}/**", lambda route: route.fulfill(
            status=200, body=self.body, content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": MAIL_CSP}))
        self.context.route(lambda url: not url.startswith(ORIGIN), lambda route: (
            self.problems.append(f"request to {route.request.url}"), route.abort()))
        self.context.add_init_script(
            "window.__cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push("
            "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));")
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.problems.append(f"console {message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def open(self, name: str, html: str) -> None:
        self.body = html
        self.problems.clear()
        self.page.goto(f"{ORIGIN}/{name}", wait_until="load")
        self.problems.extend(self.page.evaluate("window.__cspViolations"))


def test_every_mail_reads_under_a_mail_clients_policy_at_phone_width(mail_pages, chromium):
    tab = MailTab(chromium)
    try:
        tab.open("control", '<!doctype html><p>Control</p><img alt="" src="https://images.example.test/x.png">')
        assert any("img-src" in problem for problem in tab.problems), tab.problems
        for kind, (html, main_text) in mail_pages.items():
            tab.open(kind, html)
            assert tab.problems == [], (kind, tab.problems)
            assert tab.page.get_by_text(main_text, exact=False).first.is_visible(), kind
            if kind != "password_reset":  # the title is shown as typed, never as markup
                assert tab.page.get_by_text(TRICKY, exact=False).count() >= 1, kind
                assert tab.page.locator("b").count() == 0, kind
            assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE, kind
    finally:
        tab.context.close()

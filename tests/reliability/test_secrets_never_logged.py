"""Secrets never reach a log line, an error report or an error page.

Every flow that carries a secret is run the normal way and with a fault injected deep inside it
(a 500 while the secret is still in the view's hands), with the root logger and Django's and
Celery's loggers at DEBUG and ADMINS set, so Django's mail handler sends its error reports. What
is checked is what leaves the process: the configured console handler's output, the mailed
reports, the report Django's exception reporter would render for every record that carries a
traceback or a request, and the body of every error response (4xx and 5xx).
"""
from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.test import Client
from django.views.debug import get_exception_reporter_class
from rest_framework.test import APIClient

from courses.reminders import messages as reminder_messages
from lms.log_filters import MASK, RedactSecretsFilter, redact
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Pw-never-in-logs-4417"
WRONG_PASSWORD = "Guess-never-in-logs-9931"
LOGGERS = ("django", "django.request", "django.security", "django.server", "celery", "celery.task",
           "lms", "courses", "assessments")


class Fault(RuntimeError):
    """The injected failure: its message is harmless, so anything secret in a report came from elsewhere."""


def fail(*args, **kwargs):
    raise Fault("injected fault")


class _Collector(logging.Handler):
    """Sees every record first (before any filter masks it), and renders the error report for it."""

    def __init__(self, capture: Capture) -> None:
        super().__init__(level=logging.DEBUG)
        self.capture = capture
        self.rendering = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.rendering:  # the report's own template logs at DEBUG; those lines are not the app's
            return
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.capture.raw.append(text)
        request = getattr(record, "request", None)
        if record.exc_info or request is not None:
            exc_info = record.exc_info or (None, record.getMessage(), None)
            reporter = get_exception_reporter_class(request)(request, *exc_info, is_email=True)
            self.rendering = True
            try:
                # The text is what ADMINS are mailed; the HTML (mailed with include_html) adds each frame's
                # local variables.
                self.capture.reports.append(reporter.get_traceback_text())
                self.capture.reports.append(reporter.get_traceback_html())
            finally:
                self.rendering = False


@dataclass
class Capture:
    console: io.StringIO = field(default_factory=io.StringIO)
    raw: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    responses: list[tuple[str, int, str]] = field(default_factory=list)

    def response(self, label: str, response, *, shows_secret: bool = False):
        """Keep an answer's body to scan, unless it is the one answer meant to show the secret."""
        if not shows_secret:
            self.responses.append((label, response.status_code, response.content.decode(errors="replace")))
        return response

    def assert_clean(self, secrets: list[str], figure) -> None:
        secrets = [secret for secret in secrets if secret]
        assert secrets
        out = [("console", self.console.getvalue())]
        out += [(f"mail to ADMINS: {message.subject}", message.subject + "\n" + message.body) for message in mail.outbox
                if message.to == ["ops@example.com"]]
        out += [("error report", report) for report in self.reports]
        out += [(f"response {label} ({status})", body) for label, status, body in self.responses if status >= 400]
        for where, text in out:
            for secret in secrets:
                assert secret not in text, f"a secret leaked into the {where}:\n{text[:3000]}"
        masked = sum(1 for text in self.raw if any(secret in text for secret in secrets))
        figure("secret-bearing flows checked", 1)
        figure("log records scanned", len(self.raw))
        figure("error reports scanned", len(self.reports))
        figure("log records the filter had to mask", masked)


@pytest.fixture
def capture(settings):
    settings.ADMINS = [("Operations", "ops@example.com")]
    settings.DEBUG = False
    captured = Capture()
    root = logging.getLogger()
    consoles = [handler for handler in root.handlers
                if any(isinstance(f, RedactSecretsFilter) for f in handler.filters)]
    assert consoles, "LOGGING gives the root logger a console handler with the redacting filter"
    streams = [handler.setStream(captured.console) for handler in consoles]
    collector = _Collector(captured)
    levels = {name: logging.getLogger(name).level for name in ("", *LOGGERS)}
    root.setLevel(logging.DEBUG)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.handlers.insert(0, collector)
    lone = [logging.getLogger(name) for name in LOGGERS if not logging.getLogger(name).propagate]
    for logger in lone:
        logger.handlers.insert(0, collector)
    try:
        yield captured
    finally:
        root.removeHandler(collector)
        for logger in lone:
            logger.removeHandler(collector)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for handler, stream in zip(consoles, streams, strict=True):
            handler.setStream(stream)


@pytest.fixture
def person():
    return factories.UserFactory(email="ana@example.com", password=PASSWORD, is_staff=True, is_superuser=True)


def _browser() -> Client:
    return Client(raise_request_exception=False)


def _api(**credentials) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if credentials:
        client.credentials(**credentials)
    return client


def test_sign_in_page(person, capture, monkeypatch, figure):
    browser = _browser()
    capture.response("wrong password", browser.post("/sign-in/", {"username": person.email,
                                                                  "password": WRONG_PASSWORD}))
    assert capture.response("right password", browser.post("/sign-in/", {"username": person.email,
                                                                         "password": PASSWORD})).status_code == 302
    browser.post("/sign-out/")
    monkeypatch.setattr("lms.models.UserManager.get_by_natural_key", fail)
    response = capture.response("fault", browser.post("/sign-in/", {"username": person.email, "password": PASSWORD}))
    assert response.status_code == 500
    assert any("injected fault" in report for report in capture.reports)
    capture.assert_clean([PASSWORD, WRONG_PASSWORD], figure)


def test_admin_login(person, capture, monkeypatch, figure):
    browser = _browser()
    form = {"username": person.email, "password": WRONG_PASSWORD, "next": "/admin/"}
    capture.response("wrong password", browser.post("/admin/login/", form))
    assert browser.post("/admin/login/", {**form, "password": PASSWORD}).status_code == 302
    browser.logout()
    monkeypatch.setattr("lms.models.UserManager.get_by_natural_key", fail)
    assert capture.response("fault", browser.post("/admin/login/", {**form, "password": PASSWORD})).status_code == 500
    capture.assert_clean([PASSWORD, WRONG_PASSWORD], figure)


def test_api_token_creation_and_use(person, capture, monkeypatch, figure):
    client = _api()
    capture.response("wrong password", client.post("/api/v1/auth/token/", {"email": person.email,
                                                                           "password": WRONG_PASSWORD}))
    created = capture.response("created", client.post("/api/v1/auth/token/", {"email": person.email,
                                                                              "password": PASSWORD}),
                               shows_secret=True)
    token = created.json()["token"]
    assert capture.response("use", _api(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/")).status_code == 200
    capture.response("wrong token", _api(HTTP_AUTHORIZATION=f"Token {token}x").get("/api/v1/me/"))
    monkeypatch.setattr("lms.selectors.user_token_from_raw", fail)
    response = capture.response("fault while authenticating",
                                _api(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/"))
    assert response.status_code == 500
    monkeypatch.setattr("lms.models.UserManager.get_by_natural_key", fail)
    response = capture.response("fault while creating", client.post("/api/v1/auth/token/", {
        "email": person.email, "password": PASSWORD}))
    assert response.status_code == 500
    capture.assert_clean([PASSWORD, WRONG_PASSWORD, token], figure)


def test_api_key_creation_in_the_admin_and_an_unhandled_error_under_it(person, org, capture, monkeypatch, figure):
    browser = _browser()
    browser.force_login(person)
    page = browser.post("/admin/lms/organizationapikey/add/",
                        {"name": "HR sync", "organization": org.pk, "scopes": ["reports:read", "people:read"]},
                        follow=True)
    raw = re.search(r"The API key for HR sync: (\S+) ", page.content.decode()).group(1)
    hr = _api(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert capture.response("use", hr.get("/api/v1/organizations/")).status_code == 200
    capture.response("wrong key", _api(HTTP_AUTHORIZATION=f"Api-Key {raw}x").get("/api/v1/organizations/"))
    monkeypatch.setattr("lms.selectors.api_key_from_raw", fail)
    assert capture.response("fault while authenticating", hr.get("/api/v1/organizations/")).status_code == 500
    monkeypatch.undo()
    monkeypatch.setattr("lms.api.people.OrganizationListApi.get", fail)
    assert capture.response("fault in the view", hr.get("/api/v1/organizations/")).status_code == 500
    # A page (not the API) failing under the same header goes through Django's own 500 handling.
    monkeypatch.setattr("courses.certificates.pages.verification_payload", fail)
    response = capture.response("fault on a page", _browser().get("/verify/ABCDEFGHJK/",
                                                                  HTTP_AUTHORIZATION=f"Api-Key {raw}"))
    assert response.status_code == 500
    capture.assert_clean([raw], figure)


def test_password_reset(person, capture, monkeypatch, figure):
    browser = _browser()
    browser.post("/password-reset/", {"email": person.email})
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", mail.outbox[-1].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    form_url = browser.get(link, follow=True).redirect_chain[-1][0]
    capture.response("weak", browser.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"}))
    new_password = "Another-private-passphrase-55"
    monkeypatch.setattr("django.contrib.auth.forms.SetPasswordMixin.set_password_and_save", fail)
    response = capture.response("fault", browser.post(form_url, {"new_password1": new_password,
                                                                 "new_password2": new_password}))
    assert response.status_code == 500
    monkeypatch.undo()
    assert browser.post(form_url, {"new_password1": new_password, "new_password2": new_password}).status_code == 302
    capture.response("used link", browser.get(link))  # refused (200, "invalid link"); nothing logged
    capture.assert_clean([token, new_password, PASSWORD], figure)


def test_webhook_endpoint_creation(org, capture, monkeypatch, figure):
    hr = APIClient(raise_request_exception=False)
    hr.force_authenticate(factories.member(org, "hr"))  # set up before DEBUG logging starts would be tidier;
    # factory_boy's DEBUG lines carry no secret here, so it does not matter
    chosen = "whsec_chosen-by-the-client-0123456789"
    endpoint = {"url": "https://hr.example.com/hook", "event_types": ["certificate.issued"]}
    created = hr.post("/api/v1/reports/webhooks/", endpoint)
    capture.response("generated", created, shows_secret=True)
    generated = created.json()["secret"]
    capture.response("chosen", hr.post("/api/v1/reports/webhooks/", {**endpoint, "secret": chosen}),
                     shows_secret=True)
    capture.response("too short", hr.post("/api/v1/reports/webhooks/", {**endpoint, "secret": "whsec_short"}))
    monkeypatch.setattr("lms.encryption.fernet_for", fail)  # inside encrypt_secret(secret)
    response = capture.response("fault", hr.post("/api/v1/reports/webhooks/", {**endpoint, "secret": chosen + "2"}))
    assert response.status_code == 500
    capture.assert_clean([generated, chosen, "whsec_short"], figure)


def test_lrs_endpoint_credentials(org, capture, monkeypatch, figure):
    admin = APIClient(raise_request_exception=False)
    admin.force_authenticate(factories.member(org, "org_admin"))
    url = f"/api/v1/organizations/{org.slug}/xapi/endpoint/"
    password = "lrs-password-never-in-a-log-0123"
    body = {"url": "https://lrs.example.invalid/xAPI", "username": "lms", "password": password}
    assert capture.response("created", admin.put(url, body, format="json")).status_code == 201
    assert capture.response("read", admin.get(url)).status_code == 200
    refused = admin.put(url, {**body, "url": "https://127.0.0.1/xAPI"}, format="json")
    assert capture.response("refused", refused).status_code == 422
    monkeypatch.setattr("lms.encryption.fernet_for", fail)  # inside the encryption of the credentials
    response = capture.response("fault", admin.put(url, {**body, "password": password + "2"}, format="json"))
    assert response.status_code == 500
    capture.assert_clean([password], figure)


def test_calendar_feed(person, capture, monkeypatch, figure):
    learner = APIClient(raise_request_exception=False)
    learner.force_authenticate(person)
    created = capture.response("created", learner.post("/api/v1/workshops/calendar-feed/"), shows_secret=True)
    url = created.json()["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    path = f"/api/v1/workshops/feed/{token}.ics"
    assert capture.response("read", _api().get(path)).status_code == 200
    monkeypatch.setattr("courses.workshops.selectors.calendar_feed_token_from_raw", fail)
    assert capture.response("fault", _api().get(path)).status_code == 500
    monkeypatch.undo()
    learner.delete("/api/v1/workshops/calendar-feed/")
    assert capture.response("revoked", _api().get(path)).status_code == 404  # a 404 warning names the path
    capture.assert_clean([token], figure)


def test_unsubscribe_link(person, capture, monkeypatch, figure):
    token = reminder_messages.unsubscribe_token(person.pk, "inactivity")
    browser = _browser()
    assert capture.response("page", browser.get(f"/unsubscribe/{token}/")).status_code == 200
    capture.response("bad", browser.get(f"/unsubscribe/{token}x/"))
    monkeypatch.setattr("courses.reminders.services.unsubscribe_token_read", fail)
    assert capture.response("fault", browser.get(f"/unsubscribe/{token}/")).status_code == 500
    capture.assert_clean([token], figure)


@pytest.mark.parametrize("text, secret", [
    ("Authorization: Api-Key abc.DEF123456", "abc.DEF123456"),
    ("{'HTTP_AUTHORIZATION': 'Token zzz999zzz999'}", "zzz999zzz999"),
    ("HTTP_AUTHORIZATION = 'Bearer q1w2e3r4t5'", "q1w2e3r4t5"),
    ("Cookie: sessionid=s3ss10nvalue; csrftoken=csrfvalue12", "s3ss10nvalue"),
    ("HTTP_COOKIE = 'sessionid=s3ss10nvalue'", "s3ss10nvalue"),
    ('{"email": "a@b.c", "password": "hunter2-secret"}', "hunter2-secret"),
    ("new_password1 = 'hunter2-secret'", "hunter2-secret"),
    ("<td>{&#x27;uidb64&#x27;: &#x27;MQ&#x27;, &#x27;token&#x27;: &#x27;cf3k2-abc&#x27;}</td>", "cf3k2-abc"),
    ("<QueryDict: {'username': ['a@b.c'], 'password': ['hunter2-secret']}>", "hunter2-secret"),
    ("secret=whsec_abcdef123&x=1", "whsec_abcdef123"),
    ("Not Found: /api/v1/workshops/feed/AbCdEf123456.ics", "AbCdEf123456"),
    ("Bad Request: /unsubscribe/eyJ1IjoxfQ:1abc:sig/", "eyJ1IjoxfQ:1abc:sig"),
    ("GET /password-reset/MQ/cf3k2-abcdef0123456789/", "cf3k2-abcdef0123456789"),
])
def test_the_filter_masks_what_it_knows(text, secret):
    masked = redact(text)
    assert secret not in masked and MASK in masked


def test_the_filter_leaves_ordinary_lines_alone():
    for line in ("Bad Request: /sign-in/", "GET /password-reset/MQ/set-password/ 200",
                 "webhook delivery 12 attempt 2: 503", "password = '********************'"):
        assert redact(line) == line


def test_the_filter_masks_a_record_and_its_traceback():
    try:
        raise ValueError("upstream said Authorization: Token abcdef123456")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "call failed with %s", ("password=hunter2",),
                                   sys.exc_info())
    assert RedactSecretsFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert "hunter2" not in text and "abcdef123456" not in text
    assert record.getMessage() == f"call failed with password={MASK}"

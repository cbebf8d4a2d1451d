"""Builders for the reminder tests: people in an organization with managers, enrollments at chosen ages."""
from __future__ import annotations

import datetime
from datetime import timedelta

import pytest

from courses.enrollments.models import Enrollment
from courses.reminders.models import ReminderLog, ReminderSettings
from tests import factories as people
from tests.courses.certificates.conftest import private_queue  # noqa: F401  (a fixture, shared)
from tests.courses.factories import build_course

NOW = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)  # a Wednesday, 12:00 in São Paulo, 00:00 Tokyo


@pytest.fixture(autouse=True)
def _no_quiet_days_by_default(settings):
    settings.SITE_URL = "https://lms.example.test"


@pytest.fixture
def course(db):
    return build_course(activities=[{"title": "Listen"}, {"title": "Reflect"}], title="Listening Well")


def always_open(organization, **fields) -> ReminderSettings:
    """Reminder settings with no quiet time at all (the tests of quiet time set their own)."""
    values = {"quiet_start": datetime.time(0, 0), "quiet_end": datetime.time(0, 0), "quiet_days": [],
              "daily_cap": 10, **fields}
    return ReminderSettings.objects.update_or_create(organization=organization, defaults=values)[0]


def enroll(user, course, organization, *, enrolled_days_ago: float = 0, idle_days: float | None = None,
           due_in_days: float | None = None, status: str = Enrollment.Status.ACTIVE, now=NOW) -> Enrollment:
    """An enrollment row placed in time relative to ``now`` (rows, not services: the ages are the point)."""
    completed = now if status == Enrollment.Status.COMPLETED else None
    return Enrollment.objects.create(
        user=user, course=course, organization=organization, status=status,
        enrolled_at=now - timedelta(days=enrolled_days_ago),
        last_activity_at=None if idle_days is None else now - timedelta(days=idle_days),
        progress_percent=0 if idle_days is None else 50,
        due_at=None if due_in_days is None else now + timedelta(days=due_in_days),
        completed_at=completed,
        withdrawn_at=now if status == Enrollment.Status.WITHDRAWN else None,
    )


def learner(organization, **user_fields):
    return people.member(organization, **{f"user__{k}": v for k, v in user_fields.items()})


def logged(**filters) -> list[tuple]:
    return sorted(ReminderLog.objects.filter(**filters).values_list("recipient__email", "kind", "status"))


# --- a real SMTP server on loopback ---------------------------------------------------------------

class RecordingHandler:
    """aiosmtpd handler: keeps every accepted message; ``script[address]`` is a list of answers to give
    that recipient on its next attempts (an SMTP reply such as "451 ..." or None to accept)."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.messages: list = []
        self.sessions: set[int] = set()
        self.script: dict[str, list[str | None]] = {}
        self.refusals: list[tuple[str, str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            answers = self.script.get(address.lower())
            answer = answers.pop(0) if answers else None
            if answer:
                self.refusals.append((address, answer))
                return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
            self.sessions.add(id(session))
        return "250 Message accepted for delivery"

    def received(self) -> list:
        with self.lock:
            return list(self.messages)


class SmtpServer:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from tests.courses.certificates.conftest import free_port

        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server():
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = SmtpServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture
def smtp_backend(settings, smtp_server):
    """Django's SMTP backend pointed at the loopback server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return smtp_server

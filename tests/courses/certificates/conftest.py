"""Shared builders and fixtures for the certificate tests (issue 7)."""
from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connection
from kombu import Exchange, Queue
from kombu import pools as kombu_pools

from courses.catalog.models import Course
from courses.certificates import services as certificate_services
from courses.certificates.credentials import keys as credential_keys
from courses.certificates.models import Certificate
from courses.enrollments import services
from courses.enrollments.models import Enrollment
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.factories import activities_of, build_course

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="worker processes need a database another process can open")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: starts worker processes or its own redis-server")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Certificates' PDFs go to this test's own directory, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def no_verify_padding(settings) -> None:
    """Verification answers at once (the public verifier pads its answers to VERIFY_MIN_SECONDS)."""
    settings.VERIFY_MIN_SECONDS = 0


@pytest.fixture
def key_id() -> str:
    """A signing key, so issued certificates carry a signed credential."""
    return credential_keys.key_generate()


def complete(enrollment: Enrollment) -> Enrollment:
    """Pass every activity of the enrollment's course, as the learner would."""
    for activity in activities_of(enrollment.course):
        services.activity_record_result(enrollment=enrollment, activity=activity, passed=True, score=100)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    return enrollment


def one_step_course(**fields) -> Course:
    return build_course(activities=[{"title": "Only step"}], **fields)


def completed_enrollment(*, course: Course | None = None, user=None, organization=None, **user_fields) -> Enrollment:
    course = course or one_step_course()
    if user is None:
        user = (people.member(organization, **{f"user__{k}": v for k, v in user_fields.items()}) if organization
                else people.UserFactory(**user_fields))
    enrollment, _ = services.enrollment_create(user=user, course=course)
    return complete(enrollment)


def issued(enrollment: Enrollment, *, render: bool = True) -> Certificate:
    certificate = certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    assert certificate is not None
    if render:
        certificate = certificate_services.certificate_render(certificate_id=certificate.pk)
    return certificate


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


# --- Celery plumbing for the integration tests ---------------------------------------------------

@pytest.fixture
def private_queue():
    """Route every task to a queue of this test's own (no other worker on the broker takes our
    messages), and purge and delete it afterwards (same approach as tests/lms/test_health.py)."""
    name = f"cert-test-{uuid.uuid4().hex[:12]}"
    queues = celery_app.amqp.queues
    previous_default, previous_consume_from = celery_app.conf.task_default_queue, queues._consume_from
    celery_app.conf.task_default_queue = name
    yield name
    celery_app.conf.task_default_queue = previous_default
    queues._consume_from = previous_consume_from
    delete_queue(name)


def delete_queue(name: str) -> None:
    """Purge and delete a queue celery created for a task sent to it (its own direct exchange)."""
    celery_app.amqp.queues.pop(name, None)
    with celery_app.connection_for_write() as conn:
        bound = Queue(name, Exchange(name, type="direct"), routing_key=name).bind(conn.default_channel)
        bound.declare()  # so this channel knows the bindings it is asked to delete
        bound.purge()
        bound.delete()


def queue_length(name: str) -> int:
    """Messages waiting in ``name`` (not counting those a worker holds unacknowledged)."""
    with celery_app.connection_for_write() as conn:
        # Not passive: Redis keeps no trace of an empty queue, which a passive declare calls missing.
        return conn.default_channel.queue_declare(queue=name).message_count


def wait_for(condition: Callable[[], object], *, timeout: float, interval: float = 0.2, what: str = "",
             diagnose: Callable[[], str] | None = None) -> object:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds (an upper bound, not a
    timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or condition}"
                        + (f"\n{diagnose()}" if diagnose else ""))
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a spare loopback port: the shared one is never touched.

    Stopped for an outage, it keeps its port: a socket bound there (never listening) refuses every
    connection as a dead server would, and stops another test of the parallel run from taking the
    port meanwhile (its client would then reach a stranger's redis-server, and publishing would
    succeed during the "outage")."""

    def __init__(self, workdir) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self._hold: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self._release_port()
        self.process = subprocess.Popen(  # noqa: S603 - the installed redis-server, fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        process = self.process

        def answers() -> bool:
            # Our own process must be the one answering: a server that exited (port taken) fails now.
            if process.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=15, what="redis-server to answer")

    def stop(self, *, hold_port: bool = True) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        if hold_port:
            self._hold_port()
        else:
            self._release_port()

    def _hold_port(self) -> None:
        if self._hold is not None:
            return
        hold = socket.socket()
        hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the killed server's connections linger
        try:
            hold.bind(("127.0.0.1", self.port))
        except OSError:
            hold.close()
            pytest.fail(f"port {self.port} was taken while its redis-server was down")
        self._hold = hold

    def _release_port(self) -> None:
        if self._hold is not None:
            self._hold.close()
            self._hold = None


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop(hold_port=False)


def reset_broker_connections() -> None:
    """Close and forget every pooled broker connection and producer (kombu keeps them in global
    registries keyed by connection), so the next publish connects to ``conf.broker_url`` afresh."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class WorkerProcess:
    """``celery worker`` (the lms app, see worker_app.py) as a subprocess against the test database and
    the test's private queue, in its own process group."""

    def __init__(self, *, queue: str, broker_url: str, var_dir, media_root, name: str) -> None:
        self.log_path = var_dir / f"{name}.log"
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker_url,
               "VAR_DIR": str(var_dir), "MEDIA_ROOT": str(media_root), "LOG_LEVEL": "INFO",
               "CERTIFICATE_TEST_QUEUE": queue}
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own celery app, fixed arguments
            [sys.executable, "-m", "celery", "-A", "tests.courses.certificates.worker_app", "worker",
             "-Q", queue, "-c", "1", "--pool", "prefork", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=str(django_settings.BASE_DIR), env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def succeeded(self, task_name: str) -> int:
        """How many runs of ``task_name`` this worker logged as succeeded."""
        return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", self.log()))

    def failures(self) -> list[str]:
        """Log lines of task failures, retries or tracebacks."""
        return [line for line in self.log().splitlines()
                if "raised unexpected" in line or "Traceback" in line or "] retry:" in line
                or " ERROR " in line or "CRITICAL" in line]

    def ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"worker exited early:\n{self.log()[-4000:]}")
        return " ready." in self.log()

    def kill(self) -> None:
        """SIGKILL the whole process group: the parent and its pool child die mid-task."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self, timeout: float = 60) -> None:
        """Warm shutdown (finish the current task), then SIGKILL if it takes too long."""
        try:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    pass
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
            else:
                try:  # the pool child, should it have outlived its parent
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        finally:
            self._log.close()


def drop_unacknowledged(queue: str) -> None:
    """A SIGKILLed worker leaves its message in kombu's 'unacked' hash until the visibility timeout;
    remove ours, so it does not reappear in a deleted queue an hour later."""
    import json

    import redis

    client = redis.Redis.from_url(celery_app.conf.broker_url)
    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)

"""Plumbing of the fault-injection tests: services of the tests' own that can be killed (a PostgreSQL
cluster; the redis-server lives in tests/courses/certificates/conftest.py), celery beat processes, and
the skip rule. The shared PostgreSQL (5432) and Redis (6379) are never stopped."""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from lms.celery import app as celery_app
from tests.courses.certificates.conftest import free_port, wait_for

needs_postgres_and_redis = pytest.mark.skipif(
    connection.vendor != "postgresql" or not str(celery_app.conf.broker_url).startswith("redis"),
    reason="fault injection runs worker and beat processes against the test database: it needs PostgreSQL and "
           "Redis (DATABASE_URL, CELERY_BROKER_URL); the embedded in-memory SQLite test database is not shared",
)

FAULTS_APP = "tests.reliability.faults_app"


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb + pg_ctl) on a spare loopback port, to be killed.

    initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` system user (in a
    directory of its own under the system temp dir, which that user can reach)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            pytest.skip("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = Path(found[-1]).parent
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user for initdb")
        self.root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if self.user:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid} if self.user else {}
        subprocess.run([str(self.bin / args[0]), *args[1:]], check=True, timeout=timeout,  # noqa: S603
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root, **kwargs)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                  "--locale=C")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c fsync=off")  # a killed server keeps every commit: only the OS could lose them
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", "60", "start")

    def kill(self) -> None:
        """Immediate shutdown: every backend quits at once, no checkpoint, crash recovery at the next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True,
                               connect_timeout=10)

    def load_schema_from(self, source: dict, database: str) -> None:
        """Create ``database`` and copy the test database into it (schema and the rows migrations made)."""
        with self.connect() as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        dump = subprocess.run(  # noqa: S603 - the installed pg_dump, fixed arguments
            [str(self.bin / "pg_dump"), "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
             "-U", source["USER"], "--no-owner", "--no-privileges", source["NAME"]],
            check=True, timeout=60, capture_output=True)
        subprocess.run(  # noqa: S603 - the installed psql, fixed arguments
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
             "-v", "ON_ERROR_STOP=1", database], input=dump.stdout, check=True, timeout=60, stdout=subprocess.DEVNULL)


class CeleryProcess:
    """``celery worker`` or ``celery beat`` of the faults app (every task on the test's private queue),
    against the test database and broker, in its own process group, logging to a file."""

    def __init__(self, kind: str, *, queue: str, workdir: Path, name: str, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._stopping_at: int | None = None  # log length when stop() was first asked
        environment = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": celery_app.conf.broker_url,
                       "VAR_DIR": str(workdir), "MEDIA_ROOT": str(workdir / "media"), "LOG_LEVEL": "INFO",
                       "REPORTS_WORK_DIR": str(workdir / "exports-work"), "FAULTS_TEST_QUEUE": queue,
                       "SECRET_KEY": django_settings.SECRET_KEY, **(env or {})}
        if kind == "worker":
            args = ["worker", "-Q", queue, "-c", "1", "--pool", "prefork", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h",
                    "--without-gossip", "--without-mingle", "--without-heartbeat"]
        else:
            args = ["beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler", "--max-interval", "1"]
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own celery app, fixed arguments
            [sys.executable, "-m", "celery", "-A", FAULTS_APP, *args, "--loglevel", "INFO"],
            cwd=str(django_settings.BASE_DIR), env=environment, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def count(self, pattern: str) -> int:
        return len(re.findall(pattern, self.log()))

    def succeeded(self, task_name: str) -> int:
        return self.count(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded")

    def sent(self, entry: str) -> int:
        """How many times a beat sent the schedule entry ``entry``."""
        return self.count(rf"Scheduler: Sending due task {re.escape(entry)} ")

    def failures(self) -> list[str]:
        """Errors the process logged while it was working. What it logs after being told to stop
        (a beat tick racing its own shutdown, say) is not counted: the work is judged by its effects."""
        log = self.log()
        if self._stopping_at is not None:
            log = log[:self._stopping_at]
        return [line for line in log.splitlines()
                if "raised unexpected" in line or "Traceback" in line or " ERROR " in line or "CRITICAL" in line]

    def alive(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"{self.name} exited early:\n{self.log()[-4000:]}")
        return True

    def wait_ready(self, timeout: float) -> None:
        marker = " ready." if "worker" in self.name else "beat: Starting..."
        wait_for(lambda: self.alive() and marker in self.log(), timeout=timeout, what=f"{self.name} to start",
                 diagnose=lambda: self.log()[-3000:])

    def kill(self) -> None:
        """SIGKILL the whole process group: the parent and its pool child die mid-task."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self, timeout: float = 30) -> None:
        if self._stopping_at is None:
            self._stopping_at = len(self.log())
        try:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    pass
            try:  # the parent, if it outlived the warm shutdown, and any pool child that outlived it
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=20)
        finally:
            self._log.close()

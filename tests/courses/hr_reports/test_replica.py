"""HR reports on a real streaming replica: the test's own `initdb` primary and a `pg_basebackup -R` standby on
spare ports. Reports read from the standby, and with its replay paused while writes go on, a sync from saved
cursors neither skips nor repeats a row once replay resumes (the lag guard follows the standby's replay, not
a constant). PostgreSQL only; the scenario runs in a subprocess Django pointed at the two servers
(replica_scenario.py)."""
from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from courses.hr_reports import queries
from courses.hr_reports.routers import replayed_through

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="streaming replication is PostgreSQL's")


def _server_bin() -> Path | None:
    """The newest PostgreSQL server binaries (Debian keeps them off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_basebackup") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """initdb/pg_ctl run as the `postgres` OS user when the suite runs as root (initdb refuses root)."""

    def __init__(self, bindir: Path, root: Path):
        self.bindir, self.root = bindir, root
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, tool: str, *args: str, user: bool = True, **kwargs) -> subprocess.CompletedProcess:
        command = [*(self.as_user if user else []), str(self.bindir / tool), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)  # noqa: S603
        assert result.returncode == 0, f"{tool} failed: {result.stderr[-2000:]}"
        return result

    def start(self, name: str, port: int) -> None:
        options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c fsync=off -c full_page_writes=off")
        self.run("pg_ctl", "-D", str(self.root / name), "-l", str(self.root / f"{name}.log"), "-o", options,
                 "-w", "-t", "30", "start")

    def stop(self, name: str) -> None:
        if (self.root / name / "postmaster.pid").exists():
            subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.root / name),  # noqa: S603
                            "-m", "immediate", "-w", "stop"], capture_output=True, timeout=30)


@pytest.fixture
def replica(db):
    """(primary port, standby port): a primary holding the migrated test schema, and its streaming standby.
    It asks for ``db`` so that pytest-django creates the test database whose schema it copies."""
    bindir = _server_bin()
    if bindir is None:
        if os.environ.get("LMS_CI") or os.environ.get("CI"):  # .ci/run sets LMS_CI
            pytest.fail("PostgreSQL server binaries (initdb, pg_basebackup, pg_ctl) are missing in CI")
        pytest.skip("PostgreSQL server binaries (initdb, pg_basebackup, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="lms-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(bindir, root)
    primary_port, standby_port = _free_port(), _free_port()
    try:
        cluster.run("initdb", "-D", str(root / "primary"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync", "--no-instructions")
        cluster.start("primary", primary_port)
        # The schema (and the rows migrations seed) copied from the suite's migrated test database.
        source = connection.settings_dict
        cluster.run("createdb", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "lms", user=False)
        dump = cluster.run("pg_dump", "-h", str(source["HOST"] or "127.0.0.1"), "-p", str(source["PORT"] or 5432),
                           "-U", str(source["USER"] or "postgres"), "--no-owner", "--no-privileges",
                           source["NAME"], user=False,
                           env={**os.environ, "PGPASSWORD": str(source.get("PASSWORD") or "")})
        cluster.run("psql", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "-d", "lms", "-q",
                    "-v", "ON_ERROR_STOP=1", input=dump.stdout, user=False)
        cluster.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
                    "-D", str(root / "standby"), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        cluster.start("standby", standby_port)
        yield primary_port, standby_port
    finally:
        cluster.stop("standby")
        cluster.stop("primary")
        with contextlib.suppress(OSError):
            shutil.rmtree(root)


@postgres_only
def test_a_sync_on_a_paused_then_resumed_standby_neither_skips_nor_repeats(replica):
    primary_port, standby_port = replica
    env = {key: value for key, value in os.environ.items()
           if key not in {"CELERY_BROKER_URL", "CACHE_URL", "PYTEST_CURRENT_TEST"}}
    var_dir = tempfile.mkdtemp(prefix="lms-replica-var-")
    env.update(DJANGO_SETTINGS_MODULE="lms.settings", VAR_DIR=var_dir, REPORTS_SYNC_LAG_SECONDS="1",
               DATABASE_URL=f"postgres://postgres@127.0.0.1:{primary_port}/lms",
               REPORTS_DATABASE_URL=f"postgres://postgres@127.0.0.1:{standby_port}/lms")
    try:
        result = subprocess.run([sys.executable, "-m", "tests.courses.hr_reports.replica_scenario"],
                                env=env, cwd=str(django_settings.BASE_DIR), capture_output=True, text=True,
                                timeout=120)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout)

    # Reports read from the standby; writes went to the primary.
    assert seen["reports_alias"] == "reports" and seen["queryset_db"] == "reports"
    assert seen["reports_in_recovery"] is True and seen["default_in_recovery"] is False
    assert seen["first_sync"] == 10
    # While replay was paused the standby showed none of the new writes, and the guard held back the row
    # committed just before the pause (a row stamped earlier was still to be replayed) ...
    assert seen["new_row_visible_while_paused"] is False
    assert seen["late_stamped_before_early"] is True
    assert seen["paused_horizon_before_early"] is True and seen["replayed_through_paused"] is True
    assert seen["early_visible_while_paused"] is True and seen["early_synced_while_paused"] is False
    # ... which a constant guard would not have done: it passed that row and so skipped the late one for good.
    assert seen["constant_guard_synced_early_while_paused"] is True
    assert seen["late_id"] in seen["constant_guard_stale"]
    # Once replay resumed, the sync from the saved cursors equals a full report, and repeated nothing.
    assert seen["caught_up_horizon_recent"] is True and seen["idle_horizon_past_last_replay"] is True
    assert seen["full_rows"] == 11
    assert seen["missing_or_stale"] == [] and seen["synced_equals_full"] is True
    assert seen["repeated_versions"] == 0
    assert seen["late_row_synced_value"] == seen["late_row_full_value"]


@pytest.mark.django_db
def test_without_a_replica_the_guard_is_the_margin_and_costs_no_query(settings, django_assert_num_queries):
    settings.REPORTS_SYNC_LAG_SECONDS = 5
    with django_assert_num_queries(0):
        assert replayed_through("default") is None
        horizon = queries.settled_before()
    assert 4.5 < (timezone.now() - horizon).total_seconds() < 6

"""The embedded default's broker (lms/filesystem_broker.py): a worker never sees half a message, and an
unreadable file is set aside instead of stopping the worker.

kombu's own filesystem transport wrote a message straight under its final name; a worker polling in between
read an empty file and exited with a JSONDecodeError, and `make run` (and the browser tests' stack) stopped
with it. The last test runs a real Celery worker process on the embedded configuration.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from queue import Empty

import pytest
from django.conf import settings
from kombu import Connection

from lms import filesystem_broker
from tests.browser.conftest import ROOT
from tests.courses.certificates.conftest import wait_for

FILESYSTEM = settings.CELERY_BROKER_URL.startswith("filesystem")


def _connection(folder: Path) -> Connection:
    """A connection on folders of the test's own. kombu keeps which queues are bound in a process-wide state,
    so each test uses a queue name of its own too."""
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return Connection("filesystem://", transport="lms.filesystem_broker:Transport", transport_options={
        "data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"), "control_folder": str(folder / "control"),
        "broken_folder": str(folder / "broken"), "store_processed": False})


def test_an_unreadable_message_is_set_aside_and_the_next_one_is_delivered(tmp_path, caplog):
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("jobs")
        # What kombu's own writer leaves for a moment: the message's file, created and not yet written.
        (tmp_path / "queue" / "0_half-written.jobs.msg").write_bytes(b"")
        queue.put({"n": 1})
        message = queue.get(timeout=2)
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()
    assert [p.name for p in (tmp_path / "broken").iterdir()] == ["0_half-written.jobs.msg"]
    assert not list((tmp_path / "queue").glob("*.jobs.msg"))
    assert "0_half-written.jobs.msg is unreadable (JSONDecodeError" in caplog.text


def test_a_message_is_out_of_every_consumers_sight_until_it_is_written_whole(tmp_path, monkeypatch):
    seen_before_rename = []
    rename = os.replace

    def watched_replace(source, destination):
        with _connection(tmp_path) as other:
            channel = other.channel()
            try:
                channel._get("whole")
                seen_before_rename.append("a message")
            except Empty:
                seen_before_rename.append("nothing")
        assert Path(source).read_bytes().endswith(b"}")  # the whole message is on disk before it is named
        rename(source, destination)

    monkeypatch.setattr(filesystem_broker.os, "replace", watched_replace)
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("whole")
        queue.put({"n": 2})
        assert seen_before_rename == ["nothing"]
        message = queue.get(timeout=2)
        assert message.payload == {"n": 2}
        message.ack()
        queue.close()
    assert not list((tmp_path / "queue").iterdir())  # no leftover partial file


@pytest.mark.skipif(not FILESYSTEM, reason="the embedded default's broker; the PostgreSQL run uses Redis")
def test_the_embedded_configuration_uses_it():
    from lms.celery import app

    with app.connection_for_write() as connection:
        assert connection.transport_cls == "lms.filesystem_broker:Transport"
        assert isinstance(connection.transport, filesystem_broker.Transport)


@pytest.mark.skipif(not FILESYSTEM, reason="starts a worker on the embedded default; runs once, in the embedded run")
def test_a_real_worker_keeps_running_past_an_unreadable_message(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="lms.settings", PYTHONUNBUFFERED="1")
    celery = [str(Path(sys.executable).with_name("celery")), "-A", "lms"]
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen([*celery, "worker", "-Q", "default", "--concurrency", "1", "--loglevel", "INFO"],  # noqa: S603
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: "ready." in log_path.read_text(), timeout=60, what="the worker to start",
                 diagnose=log_path.read_text)
        (tmp_path / "broker" / "queue" / "0_half-written.default.msg").write_bytes(b"")
        wait_for(lambda: (tmp_path / "broker" / "broken" / "0_half-written.default.msg").exists(), timeout=30,
                 what="the worker to set the unreadable message aside", diagnose=log_path.read_text)
        ping = subprocess.run([*celery, "inspect", "ping", "--timeout", "30"], cwd=ROOT, env=env,  # noqa: S603
                              capture_output=True, text=True, timeout=120)
        assert worker.poll() is None, log_path.read_text()
        assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=30)

"""scripts/run.py (`make run`, `make dev`): one run per VAR_DIR, the port claimed before anything
starts, and the banner printed only once our own web server answers. No server is started here."""
from __future__ import annotations

import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.browser.conftest import TEST_PROCESS_ENV

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("lms_run_script", ROOT / "scripts" / "run.py")
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_second_lock_on_the_same_folder_fails_naming_the_holder(tmp_path):
    first = run.take_lock(tmp_path)
    try:
        with pytest.raises(run.StartError) as error:
            run.take_lock(tmp_path)
        message = str(error.value)
        assert f"pid {os.getpid()}" in message
        assert str(tmp_path) in message
        assert "VAR_DIR=" in message
        # The refused attempt leaves the holder's pid in place.
        assert (tmp_path / run.LOCK_NAME).read_text().strip() == str(os.getpid())
    finally:
        first.close()
    # Released with the holder: the next run gets it.
    run.take_lock(tmp_path).close()


def test_a_second_run_on_a_locked_folder_exits_before_migrate(tmp_path):
    """The real script, as `make run` starts it: it stops at the lock, before any manage.py step."""
    holder = run.take_lock(tmp_path)
    port_holder = _listening_socket()  # were the lock not checked first, the port check would speak
    try:
        env = {**{key: value for key, value in os.environ.items() if key not in TEST_PROCESS_ENV},
               "VAR_DIR": str(tmp_path), "HOST": "127.0.0.1", "PORT": str(port_holder.getsockname()[1])}
        result = subprocess.run([sys.executable, "scripts/run.py"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        holder.close()
        port_holder.close()
    assert result.returncode == 1
    assert f"Another `make run` (pid {os.getpid()})" in result.stderr
    assert "Traceback" not in result.stderr
    assert "manage.py" not in result.stdout
    assert not (tmp_path / "lms.sqlite3").exists()


def test_a_port_in_use_is_refused_with_how_to_choose_another():
    sock = _listening_socket()
    port = sock.getsockname()[1]
    try:
        with pytest.raises(run.StartError) as error:
            run.check_port_free("127.0.0.1", port)
    finally:
        sock.close()
    message = str(error.value)
    assert f"Port {port} on 127.0.0.1 is already in use" in message
    assert "PORT=" in message and "HOST" in message


def test_the_claimed_port_stays_ours_until_gunicorn_takes_it():
    # Between the check and the web server's start come the migrations and the demo data; a port only
    # checked could be taken meanwhile, and the banner would then announce a stranger's server.
    sock = _listening_socket()
    port = sock.getsockname()[1]
    sock.close()
    claimed = run.claim_port("127.0.0.1", port)
    try:
        for reuse in (False, True):
            other = socket.socket()
            if reuse:
                other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError), other:
                other.bind(("127.0.0.1", port))
        with pytest.raises(run.StartError, match="already in use"):
            run.claim_port("127.0.0.1", port)
        assert claimed.get_inheritable()
        argv, _env = run.web_command("127.0.0.1", port, dev=False, fd=claimed.fileno())
        assert argv[argv.index("--bind") + 1] == f"fd://{claimed.fileno()}"
    finally:
        claimed.close()


def test_a_free_port_passes():
    sock = _listening_socket()
    port = sock.getsockname()[1]
    sock.close()
    run.check_port_free("127.0.0.1", port)


class _Answering(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_the_banner_waits_for_an_answer(tmp_path, capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answering)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert run.announce_when_answering("127.0.0.1", server.server_port, tmp_path,
                                           alive=lambda: True, timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out
    assert "Empathy LMS is running" in out
    assert f"http://127.0.0.1:{server.server_port}/api/v1/" in out


def test_no_banner_while_nothing_answers(tmp_path, capsys):
    # A socket that listens but never answers HTTP (accepts, then says nothing) is not our server.
    sock = _listening_socket()
    try:
        assert not run.announce_when_answering("127.0.0.1", sock.getsockname()[1], tmp_path,
                                               alive=lambda: True, timeout=1)
    finally:
        sock.close()
    out = capsys.readouterr().out
    assert "Empathy LMS is running" not in out
    assert "did not answer" in out


def test_no_banner_when_our_web_server_exited(tmp_path, capsys):
    sock = _listening_socket()
    try:
        assert not run.announce_when_answering("127.0.0.1", sock.getsockname()[1], tmp_path,
                                               alive=lambda: False, timeout=10)
    finally:
        sock.close()
    assert "Empathy LMS is running" not in capsys.readouterr().out


def test_make_run_serves_with_gunicorn_threads_and_make_dev_with_the_development_server():
    argv, _env = run.web_command("127.0.0.1", 8765, dev=False)
    assert argv[1:3] == ["-m", "gunicorn"] and "--bind" in argv and "127.0.0.1:8765" in argv
    config: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 (our own config file)
    assert config["worker_class"] == "gthread"
    assert config["threads"] > 1 and config["backlog"] >= 128
    argv, env = run.web_command("127.0.0.1", 8765, dev=True)
    assert "runserver" in argv and env["CONN_MAX_AGE"] == "0"

"""A real LRS for the tests: ralph (tests/outside/ralph, its own virtualenv), started on a free loopback
port (tests/outside/ralph/serve.py) with its filesystem backend and a Basic-auth credentials file, read
back over its xAPI API, and its own statement model used to validate what we sent. The tests skip,
saying why, when the virtualenv is missing (`make install-dev` builds it)."""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings
from django.test import override_settings

RALPH_DIR = Path(__file__).resolve().parents[2] / "outside" / "ralph"
RALPH = RALPH_DIR / ".venv" / "bin" / "ralph"
RALPH_PYTHON = RALPH_DIR / ".venv" / "bin" / "python"
USERNAME, PASSWORD = "empathy-lms", "a-long-lrs-password-for-tests"

SKIP_REASON = "the ralph LRS is not installed (tests/outside/ralph/.venv): run `make install-dev`"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lrs:
    base: str  # the xAPI base URL (what an organization configures)
    target: str  # host:port
    log_path: Path

    def _get(self, url: str) -> dict:
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(url, headers={  # noqa: S310 (our own loopback LRS)
            "Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"})
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (our own loopback LRS)
            return json.loads(answer.read())

    def statements(self) -> list[dict]:
        """Every statement the LRS holds (following ``more``)."""
        found: list[dict] = []
        url = f"{self.base}/statements?limit=100"
        while url:
            page = self._get(url)
            found.extend(page["statements"])
            more = page.get("more")
            url = f"http://{self.target}{more}" if more else ""
        return found

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RALPH_", "DJANGO_"))}
    env.update(RALPH_APP_DIR=str(home), RALPH_AUTH_FILE=str(home / "auth.json"), RALPH_RUNSERVER_BACKEND="fs",
               RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(home / "data"))
    return env


@contextmanager
def ralph(home: Path) -> Iterator[Lrs]:
    """Start ralph under ``home``; while it runs, its host:port is an allowed test target for LRS URLs."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "data").mkdir(exist_ok=True)
    env = _env(home)
    subprocess.run([str(RALPH), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",  # noqa: S603 (our own tool)
                    "-M", "mailto:lrs-client@example.com", "-w"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    log_path = home / "ralph.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own pinned tool)
            [str(RALPH_PYTHON), str(RALPH_DIR / "serve.py"), "127.0.0.1", str(port)], cwd=str(home), env=env,
            stdout=log, stderr=subprocess.STDOUT)
    lrs = Lrs(base=f"http://127.0.0.1:{port}/xAPI", target=f"127.0.0.1:{port}", log_path=log_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://{lrs.target}/__heartbeat__", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"ralph did not start:\n{lrs.log()[-3000:]}") from None
                time.sleep(0.2)
        allowed = override_settings(XAPI_TEST_TARGETS=[*settings.XAPI_TEST_TARGETS, lrs.target])
        allowed.enable()
        try:
            yield lrs
        finally:
            allowed.disable()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


VALIDATE = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
problems = []
for line in sys.stdin:
    statement = json.loads(line)
    try:
        BaseXapiStatement.model_validate(statement)
    except ValidationError as error:
        problems.append({"id": statement.get("id"), "errors": json.loads(error.json())})
print(json.dumps(problems))
"""


def validation_problems(statements: list[dict]) -> list[dict]:
    """What ralph's own xAPI statement model says is wrong with each statement ([] when all valid)."""
    lines = "".join(json.dumps(s) + "\n" for s in statements)
    done = subprocess.run([str(RALPH_PYTHON), "-c", VALIDATE],  # noqa: S603 (our own pinned tool)
                          input=lines, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


@dataclass
class HoldingProxy:
    """A loopback proxy in front of the LRS: it forwards each request and, while ``holding`` is set, keeps
    the LRS's answer from the caller (the connection hangs) - so the statements reach the LRS and the sender
    never learns it."""

    upstream: str  # host:port of the LRS
    target: str = ""
    holding: threading.Event = field(default_factory=threading.Event)
    forwarded: list[int] = field(default_factory=list)  # statements per forwarded POST
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.forwarded)


@contextmanager
def holding_proxy(upstream: str) -> Iterator[HoldingProxy]:
    state = HoldingProxy(upstream=upstream)
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _forward(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))) if method == "POST" else None
            headers = {k: v for k, v in self.headers.items() if k.lower() in (
                "authorization", "content-type", "x-experience-api-version")}
            request = urllib.request.Request(f"http://{state.upstream}{self.path}", data=body, headers=headers,
                                             method=method)
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                    status, payload = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, payload = error.code, error.read()
            if method == "POST":
                with state.lock:
                    state.forwarded.append(len(json.loads(body or b"[]")))
                if state.holding.is_set():
                    release.wait(timeout=120)
                    return  # no answer: the connection just closes
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self):
            self._forward("POST")

        def do_GET(self):
            self._forward("GET")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.target = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    allowed = override_settings(XAPI_TEST_TARGETS=[*settings.XAPI_TEST_TARGETS, state.target])
    allowed.enable()
    try:
        yield state
    finally:
        allowed.disable()
        release.set()
        server.shutdown()
        server.server_close()

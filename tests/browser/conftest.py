"""Browser tests: Debian's Chromium driven by Playwright against the LMS as `make run` starts it.

The stack is the real one, in processes of its own: a fresh embedded database under a temporary
VAR_DIR, migrated and loaded with the demo, then scripts/run.py (web server, Celery worker and
beat on the filesystem broker). Nothing is mocked: certificates are issued by the worker, mail is
written by the web process to the stack's var/mail.

Screenshots of every step go to var/screenshots/<test>/ in the checkout (not committed).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.courses.certificates.conftest import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# What the probe of this machine found Chromium needs here: no sandbox as root, and no background
# traffic to Google's hosts, which the closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIDEO_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com")
SERVICE_ENV = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "REPORTS_DATABASE_URL", "EMAIL_URL")
# The test process's own metrics folder (tests/conftest.py): a stack started with it would empty it at start
# (scripts/run.py clears its metrics folder) and so wipe the counters tests/lms/test_metrics.py reads.
TEST_PROCESS_ENV = ("PROMETHEUS_MULTIPROC_DIR",)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            # Under `pytest -n --dist loadgroup` one worker runs them all, against one stack.
            item.add_marker(pytest.mark.xdist_group("browser"))
    reasons = []
    if not Path(CHROMIUM).exists():
        reasons.append(f"Chromium is not installed at {CHROMIUM} (.ci/run installs Debian's chromium)")
    if connection.vendor != "sqlite":
        reasons.append("the browser tests start their own embedded stack; they run once, in the embedded run")
    if not reasons:
        return
    skip = pytest.mark.skip(reason="; ".join(reasons))
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(skip)


class DemoStack:
    """`make run` in miniature: migrate, load the demo, start web + worker + beat; stop them all."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.port = 0  # chosen just before the stack starts (scripts/run.py then holds it)
        self.env = {key: value for key, value in os.environ.items()
                    if key not in SERVICE_ENV and key not in TEST_PROCESS_ENV}
        self.env.update(VAR_DIR=str(var_dir), HOST="127.0.0.1", DEBUG="1",
                        PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="lms.settings",
                        # Every browser test signs in from 127.0.0.1; the per-address sign-in throttle
                        # (proven by its own tests) would otherwise start refusing them within a minute.
                        THROTTLE_STRICT="600/min")
        self.log_path = var_dir / "stack.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,  # noqa: S603
                                capture_output=True, text=True, timeout=300)
        if result.returncode:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_demo")
        log = self.log_path.open("w")
        self.port = free_port()
        self.env["PORT"] = str(self.port)
        self.process = subprocess.Popen([sys.executable, "scripts/run.py"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def serving() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the stack exited early:\n{self.why_stopped()}")
            return "Empathy LMS is running" in self.log_path.read_text()

        wait_for(serving, timeout=90, what="the web server, worker and beat to start")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def check_alive(self) -> None:
        """Fail with the stack's log if it stopped (a test then says why, not "connection refused")."""
        if self.process is None or self.process.poll() is not None:
            pytest.fail(f"the demo stack is not running:\n{self.why_stopped()}")

    def why_stopped(self) -> str:
        """What scripts/run.py said when it stopped (which process exited, and how) and the last traceback in
        the stack's log, ahead of its tail: the tail alone is mostly the web server's access log."""
        text = self.log_path.read_text(errors="replace")
        said = [line for line in text.splitlines() if re.search(r"exited with|^stopping |Unrecoverable", line)]
        last_traceback = text.rfind("Traceback (most recent call last)")
        traceback = text[last_traceback:][:3000] if last_traceback >= 0 else "(no traceback in the log)"
        return "\n".join([*said, traceback, "--- the log's last lines ---", text[-2000:]])

    @property
    def credentials(self) -> dict:
        return json.loads((self.var_dir / "demo-credentials.json").read_text())

    def add_learner(self, email: str, first_name: str, last_name: str, *, language: str = "") -> None:
        """A new member of the demo organization, with no password yet (as an HR import creates them)."""
        self.shell(
            "from lms.models import Organization, User\n"
            "from lms import services\n"
            "org = Organization.objects.get(slug='acme-support')\n"
            f"services.membership_add_person(organization=org, email={email!r}, first_name={first_name!r}, "
            f"last_name={last_name!r})\n"
            f"User.objects.filter(email={email!r}).update(language={language!r})\n"
        )

    def mail_to(self, address: str) -> list[str]:
        """Messages the file mail backend wrote for `address`, oldest first."""
        folder = self.var_dir / "mail"
        if not folder.exists():
            return []
        messages = [path.read_text(encoding="utf-8", errors="replace")
                    for path in sorted(folder.iterdir(), key=os.path.getmtime)]
        return [text for text in messages if re.search(rf"^To: .*{re.escape(address)}", text, re.M | re.I)]


@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory) -> Iterator[DemoStack]:
    stack = DemoStack(tmp_path_factory.mktemp("browser-stack"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def chromium():
    """A browser for one test. Playwright's sync API runs an event loop while it is open, and Django
    refuses database work in a thread with a running loop, so it must not outlive the test: the
    tests that share this process afterwards use the database."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Steps:
    """Numbered full-page screenshots of a test's steps, under var/screenshots/<test>/."""

    def __init__(self, page, name: str) -> None:
        self.page = page
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def shot(self, label: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def new_page(chromium, demo_stack: DemoStack, *, locale: str = "en-US", width: int = 1280):
    """A fresh browser context (own cookies) whose CSP violations and page errors are collected."""
    demo_stack.check_alive()
    context = chromium.new_context(base_url=demo_stack.base_url, locale=locale,
                                   viewport={"width": width, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    # This machine has no outside network: a stand-in page answers for the video hosts the lesson
    # pages embed (an iframe stuck on Chromium's network-error page swallows clicks below it).
    for host in VIDEO_HOSTS:
        context.route(f"https://{host}/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>Video</title><p>Video stand-in</p>"))
    context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push("
        "e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    # Kept for the page's whole life, across navigations (window.__cspViolations starts afresh on
    # each document): script errors, and Chromium's console report of anything the CSP blocked.
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("console", lambda message: page.problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    return page


def csp_violations(page) -> list[str]:
    """What the CSP blocked on the current document (page.problems has the whole visit)."""
    return page.evaluate("window.__cspViolations || []")


def axe_serious(page) -> list[str]:
    """axe-core's serious and critical violations on the current page (WCAG 2.x A and AA rules).

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so the page
    keeps its real policy while it is checked.
    """
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make install-dev runs npm ci in tests/browser)")
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found

"""`make run` on a port of its own, without SITE_URL: every absolute link names that port, and the demo
HR key survives restarts.

The real stack (scripts/run.py: migrations, the demo, gunicorn, a Celery worker and beat) in processes of
its own, as tests/browser starts it, on the embedded default under a temporary VAR_DIR. The certificate
is the one the demo's finished learner earns, issued and drawn by the worker.
"""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pypdfium2
import pytest
import zxingcpp
from django.db import connection

from tests.browser.conftest import ROOT, DemoStack
from tests.courses.certificates.conftest import free_port, wait_for

pytestmark = [
    pytest.mark.xdist_group("run-stack"),
    pytest.mark.skipif(connection.vendor != "sqlite",
                       reason="starts its own embedded stack; runs once, in the embedded run"),
]

LEARNER = "learner@acme.example"


class RunStack(DemoStack):
    """Only scripts/run.py, as `make run` starts it: it migrates and loads the demo itself, with PORT
    already set and SITE_URL not set at all."""

    def __init__(self, var_dir, port: int) -> None:
        super().__init__(var_dir)
        self.env.pop("SITE_URL", None)
        self.port = port
        self.env["PORT"] = str(port)

    def start(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        seen = len(self.log_path.read_text()) if self.log_path.exists() else 0
        log = self.log_path.open("a")
        self.process = subprocess.Popen([sys.executable, "scripts/run.py"], cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def serving() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the stack exited early:\n{self.why_stopped()}")
            return "Empathy LMS is running" in self.log_path.read_text()[seen:]

        wait_for(serving, timeout=120, what="scripts/run.py to serve")
        self.banner = self.log_path.read_text()[seen:]


def _get(url: str, header: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": header} if header else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own test server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _token(stack: RunStack, email: str) -> str:
    password = stack.credentials["logins"][0]["password"]
    request = urllib.request.Request(  # noqa: S310
        f"{stack.base_url}/api/v1/auth/token/", data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())["token"]


def _issued_certificate(stack: RunStack, token: str) -> dict:
    def ready() -> dict | None:
        status, body = _get(f"{stack.base_url}/api/v1/certificates/", f"Token {token}")
        results = json.loads(body)["results"] if status == 200 else []
        return next((c for c in results if c["pdf_url"] and c["credential_url"]), None)

    return wait_for(ready, timeout=120, what="the worker to issue and draw the demo learner's certificate",
                    diagnose=lambda: stack.log_path.read_text()[-3000:])


def _qr_text(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture
def stack(tmp_path):
    port = free_port()
    assert port != 8000
    running = RunStack(tmp_path / "var", port)
    yield running
    running.stop()


def test_links_name_the_served_port_and_the_hr_key_survives_restarts(stack):
    stack.start()
    site = f"http://127.0.0.1:{stack.port}"
    assert f"Links:      {site} " in stack.banner
    assert f"Mail:       {stack.var_dir / 'mail'} " in stack.banner

    token = _token(stack, LEARNER)
    certificate = _issued_certificate(stack, token)
    code = certificate["code"]
    assert certificate["verify_url"] == f"{site}/verify/{code}/"
    assert certificate["pdf_url"] == f"{site}/api/v1/certificates/{code}/pdf/"

    status, pdf = _get(certificate["pdf_url"], f"Token {token}")
    assert status == 200
    assert _qr_text(pdf) == [f"{site}/verify/{code}/"]

    status, body = _get(certificate["credential_url"])
    assert status == 200
    credential = json.loads(body)
    assert credential["id"].startswith(f"{site}/")
    assert code in credential["id"]
    assert credential["issuer"]["id"].startswith(f"{site}/")

    key = stack.credentials["hr_api_key"]
    assert f"Api-Key {key}" in stack.banner
    for _ in range(2):
        stack.stop()
        stack.start()
        assert stack.credentials["hr_api_key"] == key
        assert f"Authorization: Api-Key {key}" in stack.banner
        status, body = _get(f"{site}/api/v1/reports/completions/", f"Api-Key {key}")
        assert status == 200, body[:300]
        rows = json.loads(body)["results"]
        assert f"{site}/verify/{code}/" in [row["certificate_verify_url"] for row in rows]
    assert (stack.var_dir / "demo-hr-api-key").stat().st_mode & 0o777 == 0o600

"""Production settings pass ``manage.py check --deploy``; unsafe configurations refuse to start."""
from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
# Variables that would change what is being checked if inherited from the caller's shell.
OWN_VARIABLES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "VAR_DIR", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
                 "SECURE_HSTS_SECONDS", "STATIC_ROOT", "MEDIA_ROOT", "DJANGO_SETTINGS_MODULE")


def _secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _manage(tmp_path, *args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in OWN_VARIABLES}
    env.update({"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "lms.settings", **variables})
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120, check=False,
    )


def _production(**extra: str) -> dict[str, str]:
    return {"DEBUG": "0", "SECRET_KEY": _secret(), "ALLOWED_HOSTS": "lms.example.com", **extra}


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **_production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr and "?: (" not in result.stderr, result.stderr


def test_check_deploy_passes_with_hsts_preload_on(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                     **_production(SECURE_HSTS_PRELOAD="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout


def test_check_deploy_fails_in_debug(tmp_path):
    """The check is not a rubber stamp: the development configuration fails it."""
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on in deployment


COOKIE_SETTINGS = ["SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
                   "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE"]


def _production_settings(tmp_path, names: list[str]) -> dict:
    code = ("import json; from django.conf import settings as s; "
            f"print(json.dumps({{k: getattr(s, k) for k in {names!r}}}))")
    result = _manage(tmp_path, "shell", "-c", code, **_production())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_turns_on_secure_cookies_hsts_and_https(tmp_path):
    names = ["DEBUG", *COOKIE_SETTINGS, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "ALLOWED_HOSTS",
             "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "AUTHENTICATION_BACKENDS"]
    assert _production_settings(tmp_path, names) == {
        "DEBUG": False, "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax", "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000, "ALLOWED_HOSTS": ["lms.example.com"], "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin", "X_FRAME_OPTIONS": "DENY",
        "AUTHENTICATION_BACKENDS": ["lms.lockout.LockoutModelBackend"],
    }


@pytest.mark.django_db
def test_production_cookies_leave_the_server_secure_httponly_and_samesite(tmp_path, settings, client):
    """The cookie settings production computes, applied here: what a browser receives after signing in."""
    from tests.factories import UserFactory

    for name, value in _production_settings(tmp_path, COOKIE_SETTINGS).items():
        setattr(settings, name, value)
    UserFactory(email="ana@example.com")
    page = client.get("/sign-in/", secure=True)
    token = page.cookies["csrftoken"].value
    response = client.post("/sign-in/", {"username": "ana@example.com", "password": "correct horse battery",
                                         "csrfmiddlewaretoken": token}, secure=True)
    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], page.cookies["csrftoken"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    result = _manage(tmp_path, "check", DEBUG="0", ALLOWED_HOSTS="lms.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


@pytest.mark.parametrize("key", ["short-key", "a" * 60])
def test_debug_off_with_a_weak_secret_key_refuses_to_start(tmp_path, key):
    result = _manage(tmp_path, "check", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="lms.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters of random text." in result.stderr


def test_development_default_keeps_a_generated_secret_key(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _manage(tmp_path, "shell", "-c", code, DEBUG="1")
    second = _manage(tmp_path, "shell", "-c", code, DEBUG="1")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    printed = [result.stdout.strip().splitlines()[-1] for result in (first, second)]
    assert printed[0] == printed[1] == key_file.read_text().strip()
    assert len(printed[0]) >= 50

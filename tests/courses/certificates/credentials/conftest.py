import json
import socket
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[4].parent / "shared" / "reference" / "credentials"
EXAMPLES = REFERENCE / "examples"


def reference_json(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def example_json(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Signing and verifying must work offline: any connection attempt fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def keys_dir(settings, tmp_path):
    path = tmp_path / "credential-keys"
    settings.CREDENTIAL_KEYS_DIR = path
    return path

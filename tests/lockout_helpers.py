"""Shared by the lockout tests: a clock the tests move, and the cache keys the lockout writes.

Import the fixtures by their function names (``fake_clock_fixture``); tests ask for them as ``clock``
and ``no_address_throttle``."""
from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from lms import lockout


class FakeClock:
    def __init__(self, start: float = 1_900_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(name="clock")
def fake_clock_fixture(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(lockout, "clock", fake)
    return fake


@pytest.fixture(name="no_address_throttle")
def no_address_throttle_fixture(monkeypatch):
    """The per-address throttle is a separate guard (tests/lms/test_throttles.py); keep it out of the way."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES,
                                                               "strict": "1000/min"})


def cache_keys() -> list[str]:
    """Every key in the default cache (local memory or this test process's Redis prefix)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=False)
        return [key.decode() for key in client.scan_iter(match=f"{backend.key_prefix}:*", count=1000)]
    return list(backend._cache)


def expire_failures(email: str) -> None:
    """What the cache does when the counting window runs out."""
    caches["default"].delete(f"lockout:failures:{lockout.account_digest(email)}")

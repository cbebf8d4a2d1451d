"""lms.lockout on its own: counting, locking, expiry, reset and what the cache holds."""
from __future__ import annotations

import logging

import pytest
from django.contrib.auth import authenticate

from lms import lockout
from tests.factories import UserFactory
from tests.lockout_helpers import cache_keys, expire_failures, fake_clock_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def ana():
    return UserFactory(email="ana@example.com")


def _fail(times: int, email: str = "ana@example.com") -> list:
    return [authenticate(None, email=email, password=f"wrong-{n}") for n in range(times)]


def test_defaults_are_five_failures_in_fifteen_minutes():
    from django.conf import settings

    assert (settings.LOGIN_LOCKOUT_FAILURES, settings.LOGIN_LOCKOUT_MINUTES) == (5, 15)
    assert settings.AUTHENTICATION_BACKENDS == ["lms.lockout.LockoutModelBackend"]


def test_locks_after_the_limit_and_refuses_the_right_password(ana, clock):
    _fail(4)
    assert lockout.seconds_locked("ana@example.com") == 0
    assert authenticate(None, email="ana@example.com", password=PASSWORD) == ana  # resets the count
    _fail(5)
    assert lockout.seconds_locked("ana@example.com") == 15 * 60
    assert authenticate(None, email="ana@example.com", password=PASSWORD) is None
    clock.advance(15 * 60 - 1)
    assert lockout.seconds_locked("ANA@example.com ") == 1  # the same account, however it is typed
    assert authenticate(None, email="ana@example.com", password=PASSWORD) is None
    clock.advance(1)
    assert lockout.seconds_locked("ana@example.com") == 0
    assert authenticate(None, email="ana@example.com", password=PASSWORD) == ana


def test_failures_while_locked_do_not_extend_the_lock(ana, clock):
    _fail(5)
    clock.advance(10 * 60)
    _fail(3)
    assert lockout.seconds_locked("ana@example.com") == 5 * 60


def test_a_success_forgets_earlier_failures(ana, clock):
    _fail(4)
    assert authenticate(None, email="ana@example.com", password=PASSWORD) == ana
    _fail(4)
    assert lockout.seconds_locked("ana@example.com") == 0


def test_failures_older_than_the_window_are_forgotten(ana, clock):
    _fail(4)
    expire_failures("ana@example.com")
    _fail(4)
    assert lockout.seconds_locked("ana@example.com") == 0
    _fail(1)
    assert lockout.seconds_locked("ana@example.com") > 0


def test_an_unknown_address_locks_the_same_way(clock):
    _fail(5, email="nobody@example.com")
    assert lockout.seconds_locked("nobody@example.com") == 15 * 60


def test_one_account_locked_leaves_the_others_alone(ana, clock):
    bea = UserFactory(email="bea@example.com")
    _fail(5)
    assert authenticate(None, email="bea@example.com", password=PASSWORD) == bea


def test_settings_change_the_limit_and_the_window(ana, clock, settings):
    settings.LOGIN_LOCKOUT_FAILURES, settings.LOGIN_LOCKOUT_MINUTES = 2, 1
    _fail(2)
    assert lockout.seconds_locked("ana@example.com") == 60


def test_the_cache_never_holds_the_address(ana, clock):
    _fail(5)
    _fail(2, email="nobody@example.com")
    keys = [key for key in cache_keys() if "lockout:" in key]
    assert len(keys) == 2  # ana's lock and nobody's counter
    assert not any("example.com" in key or "ana" in key or "nobody" in key for key in keys)
    assert any(lockout.account_digest("ana@example.com") in key for key in keys)


def test_audit_lines_name_a_digest_never_the_address_or_password(ana, clock, caplog):
    caplog.set_level(logging.INFO, logger="lms.security")
    _fail(5)
    authenticate(None, email="ana@example.com", password=PASSWORD)
    lines = [record.getMessage() for record in caplog.records if record.name == "lms.security"]
    assert [line.split(":")[0] for line in lines] == ["sign-in failed"] * 4 + ["sign-in locked", "sign-in refused"]
    digest = lockout.account_digest("ana@example.com")[:16]
    assert all(digest in line for line in lines)
    assert not any("ana@" in line or "wrong-" in line or PASSWORD in line for line in lines)


def test_a_door_without_a_password_is_not_counted(ana, clock):
    for _ in range(10):
        assert authenticate(None, email="ana@example.com") is None
    assert lockout.seconds_locked("ana@example.com") == 0

"""Account lockout: after LOGIN_LOCKOUT_FAILURES failed sign-ins for one address within
LOGIN_LOCKOUT_MINUTES, that address cannot sign in, even with the right password, until as many
minutes have passed since the last of those failures.

One authentication backend (``LockoutModelBackend``) checks and records, so every door that calls
``django.contrib.auth.authenticate`` is covered: the learner sign-in page, the admin login and the
API token endpoint. A door only asks ``seconds_locked`` afterwards, to tell a locked account from a
wrong password. The per-address throttle (lms.throttles.StrictThrottle) is a separate guard: it
slows one client down; this one protects one account from many clients.

State lives in the cache (Redis in production, so every process sees it), keyed by a keyed hash
of the normalised address: the cache never holds an address, and an address without an account
is counted and locked exactly like one with, so the answer reveals nothing about who exists.
"""
from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables
from rest_framework import status

from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError

logger = logging.getLogger("lms.security")


def clock() -> float:
    """Seconds since the epoch; tests replace it to move time instead of sleeping."""
    return time.time()


def account_digest(email: str | None) -> str:
    """The cache's name for an address: an HMAC (keyed with SECRET_KEY) of the normalised address."""
    normalised = (email or "").strip().lower()
    return salted_hmac("lms.lockout.account", normalised, algorithm="sha256").hexdigest()


def _keys(digest: str) -> tuple[str, str]:
    return f"lockout:failures:{digest}", f"lockout:until:{digest}"


def _window_seconds() -> int:
    return max(1, int(settings.LOGIN_LOCKOUT_MINUTES * 60))


def _client(request) -> str:
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR", "-")


def seconds_locked(email: str | None) -> int:
    """0 when the address may try to sign in; otherwise the whole seconds until it may."""
    failures_key, until_key = _keys(account_digest(email))
    until = cache.get(until_key)
    if until is None:
        return 0
    remaining = until - clock()
    if remaining <= 0:
        # The lock has run out (the cache entry may outlive it by a moment): start afresh.
        cache.delete_many([failures_key, until_key])
        return 0
    return math.ceil(remaining)


def record_failure(email: str | None, *, request=None) -> int:
    """Count one failed sign-in. Returns the seconds the address is now locked for (0: not locked)."""
    digest = account_digest(email)
    failures_key, until_key = _keys(digest)
    window = _window_seconds()
    # add + incr are atomic in Redis and in the local-memory cache, so parallel guesses are all counted.
    cache.add(failures_key, 0, timeout=window)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # the counter expired between add and incr
        cache.set(failures_key, 1, timeout=window)
        failures = 1
    limit = settings.LOGIN_LOCKOUT_FAILURES
    if failures < limit:
        logger.info("sign-in failed: account %s, %d of %d allowed failures, client %s",
                    digest[:16], failures, limit, _client(request))
        return 0
    cache.set(until_key, clock() + window, timeout=window + 1)
    cache.delete(failures_key)
    logger.warning("sign-in locked: account %s after %d failed attempts, for %d s, client %s",
                   digest[:16], failures, window, _client(request))
    return window


def reset(email: str | None) -> None:
    """A successful sign-in forgets the earlier failures."""
    cache.delete_many(list(_keys(account_digest(email))))


class LockoutModelBackend(ModelBackend):
    """Django's email-and-password backend, refusing locked addresses and counting failures."""

    @sensitive_variables()
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if email is None or password is None:
            return None
        wait = seconds_locked(email)
        if wait:
            logger.warning("sign-in refused: account %s is locked for %d more s, client %s",
                           account_digest(email)[:16], wait, _client(request))
            # PermissionDenied stops authenticate() from asking any other backend.
            raise PermissionDenied
        user = super().authenticate(request, username=email, password=password)
        if user is None:
            record_failure(email, request=request)
        else:
            reset(email)
        return user


class AccountLocked(ApplicationError):
    """The API's answer for a locked account: 429 with Retry-After, like a throttled request."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = PlatformErrorCode.ACCOUNT_LOCKED

    def __init__(self, wait: int) -> None:
        super().__init__(f"Too many failed sign-ins for this account. Try again in {wait} seconds.",
                         headers={"Retry-After": str(wait)})

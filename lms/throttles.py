"""Throttles: anonymous (by IP), users, API keys (by key), and a strict scope for auth and public endpoints.

Counters live in the cache (Redis in production). When the cache cannot be reached, a throttle lets the
request through and logs it: a cache outage must not turn every request, saved writes included, into an
error. The database-backed rules (permissions, scope, validation) still apply in full.
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)


class FailOpenThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("throttle cache unavailable: %s request let through unthrottled", self.scope,
                           exc_info=True)
            return True


class AnonymousThrottle(FailOpenThrottle, AnonRateThrottle):
    scope = "anon"


class UserThrottle(FailOpenThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        user = request.user
        if not (user and user.is_authenticated) or getattr(user, "is_api_key", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class ApiKeyThrottle(FailOpenThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not getattr(request.user, "is_api_key", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.key.pk}


class StrictThrottle(FailOpenThrottle):
    """For sign-in, token creation, the deep health check and public verification: per client address,
    whoever calls. (The live and ready probes go through no throttle at all.)"""

    scope = "strict"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PageView:
    """Lets a throttle guard a plain Django view (DRF throttles ask the view for its scope)."""

    throttle_scope = "strict"


def page_throttle_wait(request) -> int | None:
    """None when a public page may answer; otherwise the seconds to put in Retry-After."""
    throttle = StrictThrottle()
    if throttle.allow_request(request, _PageView()):
        return None
    return int(throttle.wait() or 1) + 1

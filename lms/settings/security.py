"""Cookies, security headers, and what production (DEBUG off) switches on: HTTPS, HSTS, a strong key."""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import DEBUG, SECRET_KEY, env

SESSION_COOKIE_HTTPONLY = True
# Lax: cookies go with top-level navigations from other sites (links in mail) but not with their
# cross-site POSTs or embedded requests. The CSRF cookie stays readable by our own scripts.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a per-domain commitment its operator opts into (SECURE_HSTS_PRELOAD=1);
        # without it, check --deploy would warn on every deployment that has not.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random text.")

"""Users, passwords, sign-in lockout and the sign-in pages."""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import env

AUTH_USER_MODEL = "lms.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every door that checks a password (learner sign-in page, admin login, API tokens) goes through this
# backend, which locks an address after LOGIN_LOCKOUT_FAILURES failures within LOGIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = ["lms.lockout.LockoutModelBackend"]
LOGIN_LOCKOUT_FAILURES = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
LOGIN_LOCKOUT_MINUTES = env.float("LOGIN_LOCKOUT_MINUTES", default=15.0)
if LOGIN_LOCKOUT_FAILURES < 1 or LOGIN_LOCKOUT_MINUTES <= 0:
    raise ImproperlyConfigured("LOGIN_LOCKOUT_FAILURES must be at least 1 and LOGIN_LOCKOUT_MINUTES above 0.")
LOGIN_URL = "pages:sign-in"
LOGIN_REDIRECT_URL = "pages:my-learning"
LOGOUT_REDIRECT_URL = "pages:catalog"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

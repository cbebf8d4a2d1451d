"""Outgoing mail: the backend (EMAIL_URL, or files under var/mail) and the sender addresses."""
from __future__ import annotations

from .base import VAR_DIR, env

_email = env.email_url("EMAIL_URL", default="filemail://") if env.str("EMAIL_URL", default="") else None
if _email:
    vars().update(_email)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Empathy LMS <no-reply@empathy-lms.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

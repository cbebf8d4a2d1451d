"""Erasure (lms/privacy/services/erasure.py): the salt of the hashes an erasure keeps to refuse a re-import."""
from __future__ import annotations

import hashlib

from .base import SECRET_KEY, env

# The HMAC key of the hashed address and employee ids an erasure record keeps. Set it once and keep it:
# a new salt no longer recognizes earlier erasures. Empty: derived from SECRET_KEY.
PRIVACY_ERASURE_SALT = env.str("PRIVACY_ERASURE_SALT", default="") or hashlib.sha256(
    b"privacy-erasure:" + SECRET_KEY.encode()).hexdigest()

"""Certificates and Open Badges credentials: the signing keys, the issuer, public verification."""
from __future__ import annotations

from pathlib import Path

from .base import VAR_DIR, env

# Open Badges issuer keys (Ed25519 PEM files, one per key id; never in the database). Point it at a
# mounted secret directory in production; rotation adds a file, older keys keep verifying.
CREDENTIAL_KEYS_DIR = Path(env.str("CREDENTIAL_KEYS_DIR", default=str(VAR_DIR / "keys")))
CERTIFICATE_ISSUER_NAME = env.str("CERTIFICATE_ISSUER_NAME", default="Empathy LMS")
# Folders searched, in order, for the Noto fonts the certificate PDF draws non-Latin scripts with (after the
# bundled DejaVu folder); the defaults are where Debian's fonts-noto-core and fonts-noto-cjk install them.
CERTIFICATE_FONT_DIRS = env.list("CERTIFICATE_FONT_DIRS", default=[
    "/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto"])
# Public verification answers no faster than this, known code or not (see courses/api/certificates.py).
VERIFY_MIN_SECONDS = env.float("VERIFY_MIN_SECONDS", default=0.05)

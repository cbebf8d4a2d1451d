"""Static files, media and storage backends, and the caps on request bodies and uploads."""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import DEBUG, VAR_DIR, env

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # STORAGE_BACKEND picks any Django storage (e.g. storages.backends.s3.S3Storage); its own
    # settings (bucket, credentials) come from the environment as that backend documents.
    "default": {"BACKEND": env.str("STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Nothing serves MEDIA_ROOT publicly: every stored file leaves through a view that checks the caller
# (lms.files.file_response). Empty: that view streams the file itself. "x-accel-redirect" (nginx) or
# "x-sendfile" (Apache mod_xsendfile, lighttpd): the view checks, then hands the sending to the web server.
# "storage-url": the view checks, then redirects to the storage's own URL (a signed, expiring S3 link).
PROTECTED_MEDIA_REDIRECT = env.str("PROTECTED_MEDIA_REDIRECT", default="").strip().lower()
if PROTECTED_MEDIA_REDIRECT not in {"", "x-accel-redirect", "x-sendfile", "storage-url"}:
    raise ImproperlyConfigured("PROTECTED_MEDIA_REDIRECT must be empty, x-accel-redirect, x-sendfile or storage-url.")
# The internal nginx location that X-Accel-Redirect names (a prefix, then the file's storage name).
PROTECTED_MEDIA_LOCATION = "/protected-media/"

# Request bodies: JSON and form posts are capped small; file uploads have their own cap.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
EBOOK_MAX_BYTES = env.int("EBOOK_MAX_BYTES", default=25 * 1024 * 1024)
# A lesson's uploaded video (MP4 or WebM); an upload is also capped by UPLOAD_MAX_BYTES, so raise both.
VIDEO_MAX_BYTES = env.int("VIDEO_MAX_BYTES", default=50 * 1024 * 1024)
COVER_MAX_BYTES = env.int("COVER_MAX_BYTES", default=8 * 1024 * 1024)
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
ROLEPLAY_MEDIA_MAX_BYTES = env.int("ROLEPLAY_MEDIA_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# A bulk enrollment takes up to 5,000 addresses; sent as a form, each one is a field.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_100
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

"""Static files, media and storage backends, and the caps on request bodies and uploads."""
from __future__ import annotations

from pathlib import Path

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

# Request bodies: JSON and form posts are capped small; file uploads have their own cap.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
EBOOK_MAX_BYTES = env.int("EBOOK_MAX_BYTES", default=25 * 1024 * 1024)
ROLEPLAY_MEDIA_MAX_BYTES = env.int("ROLEPLAY_MEDIA_MAX_BYTES", default=50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

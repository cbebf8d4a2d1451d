"""Settings for Empathy LMS, read from the environment (see the table in README.md).

With nothing set, the LMS runs on the embedded default: SQLite and Celery's filesystem
transport under ``var/``, mail written to files, DEBUG on. Production sets DEBUG=0 and the
documented variables, and then passes ``manage.py check --deploy``.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)


def _secret_key() -> str:
    """Production must set SECRET_KEY; the embedded default keeps a generated one in var/."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "lms",
    "courses",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lms.middleware.RequestBodyLimitMiddleware",
    "lms.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lms.sqlite3'}")}
if env.str("REPORTS_DATABASE_URL", default=""):
    # A read replica for HR reports (courses/reports.py reads through it; never migrated, never written).
    DATABASES["reports"] = env.db("REPORTS_DATABASE_URL")
    DATABASES["reports"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["courses.hr_reports.routers.ReportsReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat share the file; a busy timeout makes writers
    # queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://lms")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # An unreachable cache answers within a second instead of holding the request (throttles then let
    # it through; see lms/throttles.py).
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT", default=1.0)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout}
    )

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

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Open Badges issuer keys (Ed25519 PEM files, one per key id; never in the database). Point it at a
# mounted secret directory in production; rotation adds a file, older keys keep verifying.
CREDENTIAL_KEYS_DIR = Path(env.str("CREDENTIAL_KEYS_DIR", default=str(VAR_DIR / "keys")))
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

# --- Email ---------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="filemail://") if env.str("EMAIL_URL", default="") else None
if _email:
    vars().update(_email)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Workshop reminders go out this many hours before a session starts (the reminders issue sends them).
WORKSHOP_REMINDER_HOURS = env.list("WORKSHOP_REMINDER_HOURS", cast=float, default=[24.0, 1.0])
CERTIFICATE_ISSUER_NAME = env.str("CERTIFICATE_ISSUER_NAME", default="Empathy LMS")
# Public verification answers no faster than this, known code or not (see courses/api/certificates.py).
VERIFY_MIN_SECONDS = env.float("VERIFY_MIN_SECONDS", default=0.05)
# Reminders (courses/reminders): see README "Reminders".
REMINDER_SEND_BATCH = env.int("REMINDER_SEND_BATCH", default=50)
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=5000)
REMINDER_RETRY_BACKOFF_SECONDS = env.float("REMINDER_RETRY_BACKOFF_SECONDS", default=60.0)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
LEARNER_ACTIVITY_URL = env.str("LEARNER_ACTIVITY_URL", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Empathy LMS <no-reply@empathy-lms.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ------------------------------------------------------------------------------
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

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lms.authentication.UserTokenAuthentication",
        "lms.authentication.OrganizationAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lms.permissions.IsAuthenticatedReadOnlyForApiKeys"],
    "DEFAULT_THROTTLE_CLASSES": [
        "lms.throttles.AnonymousThrottle",
        "lms.throttles.UserThrottle",
        "lms.throttles.ApiKeyThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="600/min"),
        "api_key": env.str("THROTTLE_API_KEY", default="1200/min"),
        "strict": env.str("THROTTLE_STRICT", default="10/min"),
        "reports": env.str("THROTTLE_REPORTS", default="120/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "lms.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "lms.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only; the few upload and import endpoints opt into multipart themselves. (Form
    # encodings read "" as "not sent", which would let a blank value slip past validation.)
    "DEFAULT_PARSER_CLASSES": ["lms.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "lms.errors.api_exception_handler",
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

API_KEY_CUSTOM_HEADER = None  # keys arrive as "Authorization: Api-Key <key>"
USER_TOKEN_TTL = timedelta(days=env.int("USER_TOKEN_TTL_DAYS", default=30))

SPECTACULAR_SETTINGS = {
    "TITLE": "Empathy LMS API",
    "DESCRIPTION": (
        "Courses, assessments, workshops, certificates and HR reports for empathy and "
        "soft-skills training in customer service. Every error has the shape "
        '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}},
    "ENUM_NAME_OVERRIDES": {
        "CourseStatusEnum": "courses.models.Course.Status",
        "EnrollmentStatusEnum": "courses.models.Enrollment.Status",
        "HealthStatusEnum": ["ok", "failing"],
        "ActivityKindEnum": "courses.models.Activity.Kind",
        "QuestionKindEnum": "assessments.models.Question.Kind",
        "AttemptStatusEnum": "assessments.models.Attempt.Status",
        "WorkshopSessionStatusEnum": "courses.models.WorkshopSession.Status",
        "RegistrationStatusEnum": "courses.models.Registration.Status",
        "AttendanceMarkStatusEnum": "courses.models.AttendanceMark.Status",
        "PerformanceKindEnum": "assessments.models.Performance.Kind",
        "PerformanceStatusEnum": "assessments.models.Performance.Status",
        "ReviewerRoleEnum": "assessments.models.ReviewerRole",
        "ReviewAsRoleEnum": ["self", "peer", "supervisor", "partner"],
        "ReportExportFormatEnum": "courses.models.ReportExport.Format",
        "ReportExportStatusEnum": "courses.models.ReportExport.Status",
        "WebhookDeliveryStatusEnum": "courses.models.WebhookDelivery.Status",
        "WebhookEventEnum": "courses.models.WebhookEndpoint.Event",
        "VerificationStatusEnum": ["valid", "revoked", "expired"],
        "FormatEnum": ["empathy-lms/quiz"],
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKeyAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Organization API key for HR clients: `Api-Key <key>`. Read-only.",
            }
        }
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lms.schema.add_error_responses",
    ],
}

# --- Celery (GUIDE §2: the database is the truth; tasks are nudges) -------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(_broker_dir / "queue"),
            "data_folder_out": str(_broker_dir / "queue"),
            "processed_folder": str(_broker_dir / "processed"),
            "control_folder": str(_broker_dir / "control"),
            "store_processed": False,
        }
    )
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Both limits stay below the visibility timeout, so a message is never handed to a second
# worker while the first is still allowed to run it.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "reconcile": {"task": "lms.reconcile", "schedule": env.float("RECONCILE_EVERY_SECONDS", default=300.0)},
}
CELERY_BEAT_SCHEDULE["reports-cleanup"] = {
    "task": "courses.reports_cleanup", "schedule": env.float("REPORTS_CLEANUP_EVERY_SECONDS", default=3600.0),
}
HEALTH_WORKER_TIMEOUT = env.float("HEALTH_WORKER_TIMEOUT", default=5.0)

# --- HR reports (courses/reports.py) ---------------------------------------------------------
# Rows changed in the last few seconds are held back from reports, so a transaction that stamped
# updated_at but had not committed yet cannot slip behind a sync cursor.
REPORTS_SYNC_LAG_SECONDS = env.float("REPORTS_SYNC_LAG_SECONDS", default=5.0)
REPORTS_WORK_DIR = env.str("REPORTS_WORK_DIR", default=str(VAR_DIR / "exports-work"))
REPORTS_EXPORT_TTL_HOURS = env.int("REPORTS_EXPORT_TTL_HOURS", default=24)
REPORTS_DOWNLOAD_URL_TTL_SECONDS = env.int("REPORTS_DOWNLOAD_URL_TTL_SECONDS", default=3600)
REPORTS_WEBHOOK_RETRY_BASE_SECONDS = env.float("REPORTS_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
REPORTS_WEBHOOK_RETRY_MAX_SECONDS = env.float("REPORTS_WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
REPORTS_WEBHOOK_RETRY_INLINE_MAX_SECONDS = 300.0  # longer waits are left to the reconciler
REPORTS_WEBHOOK_MAX_ATTEMPTS = env.int("REPORTS_WEBHOOK_MAX_ATTEMPTS", default=10)
REPORTS_WEBHOOK_DISABLE_AFTER = env.int("REPORTS_WEBHOOK_DISABLE_AFTER", default=25)
REPORTS_WEBHOOK_TIMEOUT_SECONDS = env.float("REPORTS_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
REPORTS_WEBHOOK_LOOKBACK_HOURS = env.int("REPORTS_WEBHOOK_LOOKBACK_HOURS", default=72)
# Plain http:// to a loopback address, for test receivers only; refused outside DEBUG.
WEBHOOKS_ALLOW_HTTP_LOOPBACK = env.bool("WEBHOOKS_ALLOW_HTTP_LOOPBACK", default=False)
if WEBHOOKS_ALLOW_HTTP_LOOPBACK and not DEBUG:
    raise ImproperlyConfigured("WEBHOOKS_ALLOW_HTTP_LOOPBACK is for tests; it cannot be on with DEBUG off.")

# Every handler masks credentials that slip into a message (lms/log_filters.py). Django's own "django"
# logger is given the same masked mail handler instead of its defaults, and propagates to the console.
# SQL logging stays at WARNING whatever LOG_LEVEL says: statements carry token digests and session data;
# template logging stays at INFO (see below).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "lms.log_filters.RedactSecretsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false", "redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG it dumps whole template contexts (requests, forms, error-report frames) into the log.
        "django.template": {"level": "INFO"},
    },
}
DEFAULT_EXCEPTION_REPORTER = "lms.log_filters.RedactingExceptionReporter"
ADMINS = [("Operations", address) for address in env.list("ADMINS", default=[])]

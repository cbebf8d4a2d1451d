"""The REST API: Django REST framework (authentication, throttle rates, parsers), tokens, the schema."""
from __future__ import annotations

from datetime import timedelta

from .base import DEBUG, env

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
    "EXCEPTION_HANDLER": "lms.error_handlers.api_exception_handler",
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
        "CaptionKindEnum": "courses.models.LessonCaption.Kind",
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
        "LrsVersionEnum": "courses.models.LrsEndpoint.Version",
        "LrsActorModeEnum": "courses.models.LrsEndpoint.ActorMode",
        "XapiStatementStatusEnum": "courses.models.XapiStatement.Status",
        "DataExportStatusEnum": "lms.models.DataExport.Status",
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
        "lms.schema.close_request_bodies",
        "lms.schema.admit_empty_query_values",
    ],
}

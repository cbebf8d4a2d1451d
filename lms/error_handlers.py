"""Every failure rendered in the one error shape: DRF's exception handler for the API, and Django's
400/403/404/500 handlers, which answer JSON under /api/ and the site's pages elsewhere."""
from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, JsonResponse
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from lms.error_codes import PlatformErrorCode
from lms.errors import DATABASE_RETRY_AFTER_SECONDS, ApplicationError, error_body

# Under the name the errors were always logged with, so log routing and alerts keep finding them.
logger = logging.getLogger("lms.errors")


def _flatten(detail: Any) -> Any:
    """DRF ErrorDetail trees -> plain lists/dicts of strings."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _from_validation(detail: Any) -> tuple[str, dict]:
    if isinstance(detail, dict):
        fields = _flatten(detail)
        general = fields.pop("non_field_errors", None)
        message = general[0] if isinstance(general, list) and general else "The request has invalid fields."
        if general:
            fields["non_field_errors"] = general
        return message, fields
    items = _flatten(detail if isinstance(detail, list) else [detail])
    return (items[0] if items else "Invalid request."), {}


# The codes DRF's fields (and lms.serializers) give input that does not match the schema: a 400. Any
# other code in a validation error names a rule the schema cannot state (a 422): a referenced object
# that does not exist, a value already taken, an empty file or list, text that is blank once its
# surrounding spaces are trimmed (the schema's minLength counts them), text with a NUL character (no
# database stores one), a date-time whose instant falls outside the years 1 to 9999 once moved to UTC
# (``overflow``: the schema's ``format: date-time`` admits 0001-01-01T00:00:00+01:00), or a rule a
# serializer checks under its own code.
SHAPE_CODES = frozenset({
    "invalid", "required", "null", "max_length", "min_length", "max_value", "min_value",
    "invalid_choice", "not_a_list", "not_a_dict", "max_digits", "max_decimal_places",
    "max_whole_digits", "max_string_length", "date", "datetime", "make_aware", "incorrect_type",
    "incorrect_match", "no_match", "no_name", "invalid_image", "parse_error", "unknown_property",
    "invalid_type", "no_file",
})


def _leaf_codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_leaf_codes(value) for value in codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*(_leaf_codes(value) for value in codes)) if codes else set()
    return {str(codes)}


def validation_status(exc: exceptions.ValidationError) -> int:
    """400 when any problem is one of shape (the schema says the input is wrong), else 422."""
    codes = _leaf_codes(exc.get_codes())
    if not codes or codes & SHAPE_CODES:
        return status.HTTP_400_BAD_REQUEST
    return status.HTTP_422_UNPROCESSABLE_ENTITY


def api_exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code,
                        headers=getattr(exc, "headers", None) or None)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = exc.messages[0] if exc.messages else "Invalid request."
        return Response(error_body(PlatformErrorCode.INVALID, message, fields),
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body(PlatformErrorCode.REQUEST_TOO_LARGE, "The request body is larger than this endpoint accepts."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        # e.g. TooManyFieldsSent / TooManyFilesSent from the multipart parser: the client's fault.
        return Response(error_body(PlatformErrorCode.BAD_REQUEST,
                                   "The request was refused: " + (str(exc) or "malformed.")),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (DatabaseOperationalError, DatabaseInterfaceError)):
        return _database_unavailable(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.exception("unhandled error in %s", type(view).__name__ if view else "API", exc_info=exc)
        return Response(
            error_body(PlatformErrorCode.SERVER_ERROR, "Something went wrong on our side. It has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        message, fields = _from_validation(exc.detail)
        response.data = error_body(PlatformErrorCode.INVALID, message, fields)
        response.status_code = validation_status(exc)
    elif isinstance(exc, exceptions.Throttled):
        response.data = error_body(
            PlatformErrorCode.THROTTLED,
            f"Too many requests. Try again in {(exc.wait and int(exc.wait + 0.999)) or 1} seconds.",
        )
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        detail = exc.detail if not isinstance(exc.detail, (list, dict)) else exc.default_detail
        response.data = error_body(code, str(detail))
    return response


def _database_unavailable(exc: Exception, context: dict) -> Response:
    """A dropped or refused database connection (restart, failover, a killed backend): the request's
    transaction was rolled back, so nothing was half-written and the same request may simply be sent
    again. Django discards the broken connection at the end of the request (CONN_HEALTH_CHECKS checks
    the next one), so the retry gets a fresh one."""
    view = context.get("view")
    logger.error("database unavailable in %s", type(view).__name__ if view else "API", exc_info=exc)
    set_rollback()
    return Response(
        error_body(PlatformErrorCode.SERVICE_UNAVAILABLE,
                   "The database is unavailable for a moment; nothing was saved. Try again shortly."),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def _json_error(request, code: str, message: str, status_code: int):
    return JsonResponse(error_body(code, message), status=status_code)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler404(request, exception=None):
    if _is_api(request):
        return _json_error(request, PlatformErrorCode.NOT_FOUND, "Not found.", 404)
    return page_not_found(request, exception)


def handler500(request):
    if _is_api(request):
        return _json_error(request, PlatformErrorCode.SERVER_ERROR,
                           "Something went wrong on our side. It has been logged.", 500)
    return server_error(request)


def handler400(request, exception=None):
    if _is_api(request):
        return _json_error(request, PlatformErrorCode.BAD_REQUEST, "Bad request.", 400)
    return bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api(request):
        return _json_error(request, PlatformErrorCode.PERMISSION_DENIED,
                           "You do not have permission to perform this action.", 403)
    return permission_denied(request, exception)

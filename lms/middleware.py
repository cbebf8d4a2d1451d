"""Give every request an id (echoed in ``X-Request-ID``, carried into its logs and tasks);
refuse oversized request bodies (413) and NUL characters in addresses (422 under /api/, else 400)
before any view runs;
answer unroutable /api/ addresses with the JSON 404 in every mode; security headers on every response."""
from __future__ import annotations

from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import is_valid_path

from lms.error_codes import PlatformErrorCode
from lms.error_handlers import handler404
from lms.errors import error_body
from lms.request_ids import HEADER, request_id_from_header, request_id_var


class RequestBodyLimitMiddleware:
    """JSON and form bodies are capped at API_MAX_BODY_BYTES; multipart uploads at UPLOAD_MAX_BYTES.

    The declared Content-Length is checked here; bodies without one are capped by Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE when read, which the API error handler also answers with 413.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(error_body(PlatformErrorCode.BAD_REQUEST, "Content-Length is not a number."),
                                status=400)
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = settings.UPLOAD_MAX_BYTES if content_type.startswith("multipart/") else settings.API_MAX_BODY_BYTES
        if request.path.startswith("/admin/"):
            limit = settings.UPLOAD_MAX_BYTES
        if length > limit:
            return JsonResponse(
                error_body(
                    PlatformErrorCode.REQUEST_TOO_LARGE,
                    f"The request body is {length} bytes; this endpoint accepts at most {limit}.",
                ),
                status=413,
            )
        return self.get_response(request)


class NulCharacterMiddleware:
    """A NUL character in the path or the query string is refused before any view runs: PostgreSQL
    cannot compare text with one (every lookup by code, slug, token or filter would fail with a
    500), and no identifier or filter of ours contains one. The API answers 422 ``unstorable_text``
    (a string is what its schema asks for; that it may not hold a NUL is a rule), pages a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(
                    PlatformErrorCode.UNSTORABLE_TEXT, "The path or the query string contains a NUL character (%00)."),
                                    status=422)
            return HttpResponseBadRequest("The address contains a NUL character (%00).", content_type="text/plain")
        return self.get_response(request)


class ApiNotFoundMiddleware:
    """An /api/ address that no URL pattern routes is the API's JSON 404 (``handler404``), whatever
    DEBUG says: Django calls ``handler404`` only when DEBUG is off, and draws its HTML debug page
    otherwise. It sits after CommonMiddleware, which still turns this 404 into the APPEND_SLASH
    redirect when the address with a slash exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and not is_valid_path(request.path_info,
                                                                  getattr(request, "urlconf", None)):
            return handler404(request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response (scripts only from our own origin, no plugins,
    no framing, forms post back to us), and a Permissions-Policy that turns off device APIs.

    Pages keep their scripts in static files, the admin and the API docs included (Swagger UI's
    start-up script is served from its own URL by SpectacularSwaggerSplitView); styles may be
    inline. Lesson videos are embedded from YouTube's privacy-enhanced domain and Vimeo only.
    """

    POLICY = "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
    PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response


class RequestIdMiddleware:
    """One id per request (lms/request_ids.py): the incoming ``X-Request-ID`` when it is sane (at most
    128 letters, digits, ``.``, ``_``, ``:`` or ``-``), else a new UUID4 hex. It is in every log line
    of the request, travels into the Celery tasks the request enqueues, and is echoed in the response's
    ``X-Request-ID``. First in MIDDLEWARE, so even the answers of the guards above carry it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get(HEADER))
        # Django logs a 4xx/5xx answer after the middleware has returned; the JSON formatter finds the id
        # on the request that line carries.
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response

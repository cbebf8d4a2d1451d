"""The public verify page: what a certificate code proves, with no sign-in."""
from __future__ import annotations

from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from courses.certificates.verification import verification_payload
from lms.throttles import page_throttle_wait as _throttled


@require_GET
def verify_certificate(request, code: str):
    """valid / revoked / expired, with name, course, date and issuer; a 404 page for unknown codes."""
    wait = _throttled(request)
    if wait is not None:
        response = render(request, "courses/verify.html", {"throttled": True, "wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    payload = verification_payload(code)
    status = 200 if payload else 404
    # The page shows the dates in the reader's language and time zone; the payload keeps ISO 8601.
    dates = {name: parse_datetime(payload[name]) for name in ("issued_at", "expires_at", "revoked_at")
             if payload and payload.get(name)}
    response = render(request, "courses/verify.html", {"certificate": payload, "dates": dates, "code": code[:64]},
                      status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response

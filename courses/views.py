"""Public HTML pages of the courses app that need no sign-in (the learner pages are in courses.pages)."""
from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from courses.api.certificates import verification_payload
from lms.errors import ApplicationError
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
    response = render(request, "courses/verify.html", {"certificate": payload, "code": code[:64]}, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response




@csrf_exempt
@require_http_methods(["GET", "POST"])
@sensitive_variables()  # the token is the credential
def unsubscribe_page(request, token: str):
    """The page behind the link in a reminder: GET asks (mail scanners open links), POST unsubscribes."""
    from courses.services import reminders

    wait = _throttled(request)
    if wait is not None:
        response = render(request, "courses/reminders/unsubscribe.html", {"throttled": True, "wait": wait},
                          status=429)
        response["Retry-After"] = str(wait)
        return response
    context: dict = {}
    status = 200
    try:
        _, kind = reminders.unsubscribe_token_read(token)
    except ApplicationError:
        context["invalid"], status = True, 400
    else:
        context["kind"] = kind
        if request.method == "POST":
            try:
                _, context["kind"] = reminders.notification_unsubscribe(token=token,
                                                                       all_kinds=request.POST.get("all") == "1")
                context["done"] = True
            except ApplicationError:
                context["invalid"], status = True, 400
    response = render(request, "courses/reminders/unsubscribe.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


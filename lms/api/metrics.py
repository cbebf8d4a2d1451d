"""GET /metrics: the Prometheus text exposition (lms.metrics).

A plain Django view, outside the versioned API and its OpenAPI schema: it is for the monitoring
system, not for API clients. It reads no session, goes through no throttle, and answers 404 to
anyone the configuration does not let in, so the endpoint looks absent to them.
"""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from lms.metrics import metrics_access_allowed, scrape


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_access_allowed(request):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)

"""Bench-only URLconf: every project URL plus ``/bench/floor/``, served only under bench.settings."""
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from lms import urls as lms_urls

handler400 = lms_urls.handler400
handler403 = lms_urls.handler403
handler404 = lms_urls.handler404
handler500 = lms_urls.handler500


class FloorApi(APIView):
    """The floor: the project's default authentication, permission and throttles, then nothing.

    Any method answers ``{"ok": true}`` so a write workload's floor can use its own method and
    body (the body is not parsed).
    """

    def get(self, request):
        return Response({"ok": True})

    post = put = patch = delete = get


urlpatterns = [
    path("bench/floor/", FloorApi.as_view(), name="bench-floor"),
    path("", include(lms_urls)),
]

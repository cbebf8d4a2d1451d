"""A test-only URLconf: the real URLs plus views that fail on purpose, for the error-shape tests."""
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from lms.urls import urlpatterns as lms_urlpatterns

handler400 = "lms.error_handlers.handler400"
handler403 = "lms.error_handlers.handler403"
handler404 = "lms.error_handlers.handler404"
handler500 = "lms.error_handlers.handler500"


class _Failing(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    error: Exception = RuntimeError("boom: secret internal detail")

    def get(self, request):
        raise self.error


def plain_django_view(request):
    raise RuntimeError("boom in a plain view: secret internal detail")


urlpatterns = [
    path("api/test/drf-crash/", _Failing.as_view()),
    path("api/test/django-crash/", plain_django_view),
    path("api/test/django-validation/", _Failing.as_view(
        error=DjangoValidationError({"timezone": ["'Mars/Olympus' is not an IANA time zone name."]}))),
    path("api/test/django-permission/", _Failing.as_view(error=PermissionDenied("nope"))),
    path("api/test/django-404/", _Failing.as_view(error=Http404("nothing"))),
    path("api/test/database-gone/", _Failing.as_view(
        error=OperationalError("server closed the connection unexpectedly: secret internal detail"))),
    *lms_urlpatterns,
]

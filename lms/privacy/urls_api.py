"""The privacy API under /api/v1/privacy/ (mounted by lms/api/urls.py)."""
from django.urls import path

from lms.privacy.api import access_log

urlpatterns: list = [
    path("privacy/organizations/<slug:slug>/access-log/", access_log.AccessLogApi.as_view(),
         name="privacy-access-log"),
]

"""The privacy API under /api/v1/privacy/ (mounted by lms/api/urls.py)."""
from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from lms.privacy.api import access_log, erasure, export

urlpatterns: list = [
    path("privacy/organizations/<slug:slug>/access-log/", access_log.AccessLogApi.as_view(),
         name="privacy-access-log"),
    path("privacy/exports/", export.ExportListApi.as_view(), name="privacy-exports"),
    path("privacy/exports/<id:export_id>/", export.ExportDetailApi.as_view(), name="privacy-export"),
    path("privacy/organizations/<slug:slug>/members/<id:user_id>/export/", export.MemberExportApi.as_view(),
         name="privacy-member-export"),
    # erasure (lms/privacy/api/erasure.py)
    path("privacy/me/erasure/", erasure.MyErasureApi.as_view(), name="privacy-my-erasure"),
    path("privacy/me/erasure/confirm/", erasure.MyErasureConfirmApi.as_view(), name="privacy-my-erasure-confirm"),
    path("privacy/organizations/<slug:slug>/members/<id:user_id>/erasure/", erasure.MemberErasureApi.as_view(),
         name="privacy-member-erasure"),
    path("privacy/organizations/<slug:slug>/members/<id:user_id>/erasure/confirm/",
         erasure.MemberErasureConfirmApi.as_view(), name="privacy-member-erasure-confirm"),
    path("privacy/organizations/<slug:slug>/legal-hold/", erasure.LegalHoldApi.as_view(), name="privacy-legal-hold"),
]

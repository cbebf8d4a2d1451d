"""The privacy API under /api/v1/privacy/ (mounted by lms/api/urls.py)."""
from django.urls import path

from lms.privacy.api import erasure

urlpatterns: list = [
    # erasure (lms/privacy/api/erasure.py)
    path("privacy/me/erasure/", erasure.MyErasureApi.as_view(), name="privacy-my-erasure"),
    path("privacy/me/erasure/confirm/", erasure.MyErasureConfirmApi.as_view(), name="privacy-my-erasure-confirm"),
    path("privacy/organizations/<slug:slug>/members/<id:user_id>/erasure/", erasure.MemberErasureApi.as_view(),
         name="privacy-member-erasure"),
    path("privacy/organizations/<slug:slug>/members/<id:user_id>/erasure/confirm/",
         erasure.MemberErasureConfirmApi.as_view(), name="privacy-member-erasure-confirm"),
    path("privacy/organizations/<slug:slug>/legal-hold/", erasure.LegalHoldApi.as_view(), name="privacy-legal-hold"),
]

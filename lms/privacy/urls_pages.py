"""The privacy pages: the person's at /me/privacy/, organization admins' at /org/privacy/ (mounted by
lms/pages/urls.py)."""
from django.urls import path

from lms.privacy.pages import erasure

urlpatterns: list = [
    # erasure (lms/privacy/pages/erasure.py)
    path("me/privacy/erase/", erasure.my_erasure, name="privacy-my-erasure"),
    path("org/privacy/erasure/", erasure.org_privacy_home, name="privacy-org-home"),
    path("org/privacy/<slug:slug>/erasure/", erasure.org_erasure, name="privacy-org-erasure"),
]

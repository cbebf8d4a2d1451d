"""The privacy pages: the person's at /me/privacy/, organization admins' at /org/privacy/ (mounted by
lms/pages/urls.py)."""
from django.urls import path

from lms.privacy.pages import access_log

urlpatterns: list = [
    path("org/privacy/access-log/", access_log.org_access_log, name="org-privacy-access-log"),
]

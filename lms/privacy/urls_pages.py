"""The privacy pages: the person's at /me/privacy/, organization admins' at /org/privacy/ (mounted by
lms/pages/urls.py)."""
from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from lms.privacy.pages import access_log, erasure, export

urlpatterns: list = [
    path("me/privacy/", export.privacy_home, name="privacy-home"),
    path("me/privacy/exports/", export.privacy_export_request, name="privacy-export-request"),
    path("me/privacy/exports/<id:export_id>/download/", export.privacy_export_download,
         name="privacy-export-download"),
    path("me/privacy/erase/", erasure.my_erasure, name="privacy-my-erasure"),
    path("org/privacy/", export.org_privacy, name="org-privacy"),
    path("org/privacy/members/<id:user_id>/export/", export.org_privacy_export_request,
         name="org-privacy-export-request"),
    path("org/privacy/access-log/", access_log.org_access_log, name="org-privacy-access-log"),
    path("org/privacy/erasure/", erasure.org_privacy_home, name="privacy-org-home"),
    path("org/privacy/<slug:slug>/erasure/", erasure.org_erasure, name="privacy-org-erasure"),
]

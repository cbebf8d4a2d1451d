"""Root URLs: the admin, the v1 API of every app, the schema and offline docs, and the learner pages."""
from django.contrib import admin
from django.urls import include, path
from django.views.generic.base import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments import urls_api as assessments_api_urls
from assessments import urls_pages as assessments_pages_urls
from courses import urls_api as courses_api_urls
from courses import urls_pages as courses_pages_urls
from courses.certificates.pages import verify_certificate
from courses.reminders.pages import unsubscribe_page
from lms.admin import admin_login
from lms.api import urls as lms_api_urls
from lms.api.metrics import metrics_view
from lms.pages import urls as lms_pages_urls
from lms.privacy.admin import retention_admin_view
from lms.scim import urls as scim_urls

handler400 = "lms.error_handlers.handler400"
handler403 = "lms.error_handlers.handler403"
handler404 = "lms.error_handlers.handler404"
handler500 = "lms.error_handlers.handler500"

api_v1 = [
    *lms_api_urls.urlpatterns,
    *courses_api_urls.urlpatterns,
    *assessments_api_urls.urlpatterns,
]

# The learner pages of every app share one namespace, so templates say {% url 'pages:course' slug %}.
pages = [
    *lms_pages_urls.urlpatterns,
    *courses_pages_urls.urlpatterns,
    *assessments_pages_urls.urlpatterns,
]

urlpatterns = [
    # Before the admin's own URLs, so its login form sits behind the per-address throttle.
    path("admin/login/", admin_login, name="admin-login"),
    # The back office's retention page (lms/privacy/admin.py), behind the admin's own sign-in.
    path("admin/privacy/retention/", admin.site.admin_view(retention_admin_view), name="admin-privacy-retention"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verify/<str:code>/", verify_certificate, name="verify-certificate"),
    # The old HR dashboard moved into HR's workspace.
    path("reports/dashboard/", RedirectView.as_view(url="/hr/", permanent=True, query_string=True),
         name="reports-dashboard"),
    path("unsubscribe/<str:token>/", unsubscribe_page, name="unsubscribe"),
    # For the monitoring system: outside the versioned API and its schema, closed unless configured.
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    # SCIM 2.0 provisioning for identity providers (lms/scim/), in SCIM's own shapes, outside the OpenAPI schema.
    path("scim/v2/", include((scim_urls.urlpatterns, "scim"), namespace="scim")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from its own URL, so the page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include((pages, "pages"), namespace="pages")),
]

# Nothing serves MEDIA_ROOT at MEDIA_URL, in any mode: every stored file (e-books, captions, certificate PDFs,
# exports, role-play recordings) goes out through a view that checks the caller (lms.files.file_response).

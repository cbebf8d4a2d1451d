"""Page URLs of the lms app, mounted in the `pages` namespace by lms/urls.py."""
from django.urls import path

from lms.pages import branding, views
from lms.privacy import urls_pages as privacy_pages

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("logos/<str:token>.png", branding.organization_logo, name="organization-logo"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("password-reset/", views.ResetRequestView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.ResetSentView.as_view(), name="password-reset-sent"),
    path("password-reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="password-reset-confirm"),
    path("password-reset/done/", views.ResetDoneView.as_view(), name="password-reset-done"),
    *privacy_pages.urlpatterns,
]

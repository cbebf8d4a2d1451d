from django.urls import path

import lms.converters  # noqa: F401  (registers <id:...>)
from lms.api import auth, branding, health, me, people, root
from lms.privacy import urls_api as privacy_api

urlpatterns = [
    path("", root.ApiRootApi.as_view(), name="root"),
    path("health/", health.HealthApi.as_view(), name="health"),
    path("health/live/", health.HealthLiveApi.as_view(), name="health-live"),
    path("health/ready/", health.HealthReadyApi.as_view(), name="health-ready"),
    path("auth/token/", auth.TokenCreateApi.as_view(), name="auth-token"),
    path("auth/tokens/", auth.TokenListApi.as_view(), name="auth-tokens"),
    path("auth/tokens/<id:token_id>/", auth.TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("me/", me.MeApi.as_view(), name="me"),
    path("organizations/", people.OrganizationListApi.as_view(), name="organizations"),
    path("organizations/<slug:slug>/branding/", branding.BrandingApi.as_view(), name="organization-branding"),
    path("organizations/<slug:slug>/departments/", people.DepartmentListApi.as_view(), name="departments"),
    path("organizations/<slug:slug>/departments/<id:department_id>/", people.DepartmentDetailApi.as_view(),
         name="department"),
    path("organizations/<slug:slug>/memberships/", people.MembershipListApi.as_view(), name="memberships"),
    path("organizations/<slug:slug>/memberships/import/", people.MembershipImportApi.as_view(),
         name="memberships-import"),
    path("organizations/<slug:slug>/memberships/<id:membership_id>/", people.MembershipDetailApi.as_view(),
         name="membership"),
    *privacy_api.urlpatterns,
]

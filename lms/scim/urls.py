"""/scim/v2/ (mounted by lms/urls.py)."""
from django.urls import path, re_path

from lms.scim import api

urlpatterns = [
    path("ServiceProviderConfig", api.ServiceProviderConfigView.as_view(), name="service-provider-config"),
    path("ResourceTypes", api.ResourceTypesView.as_view(), name="resource-types"),
    path("ResourceTypes/<str:name>", api.ResourceTypesView.as_view(), name="resource-type"),
    path("Schemas", api.SchemasView.as_view(), name="schemas"),
    path("Schemas/<str:urn>", api.SchemasView.as_view(), name="schema"),
    path(".search", api.SearchView.as_view(), name="search"),
    path("Users", api.UsersView.as_view(), name="users"),
    path("Users/.search", api.UsersSearchView.as_view(), name="users-search"),
    path("Users/<str:scim_id>", api.UserView.as_view(), name="user"),
    path("Groups", api.GroupsView.as_view(), name="groups"),
    path("Groups/.search", api.GroupsSearchView.as_view(), name="groups-search"),
    path("Groups/<str:scim_id>", api.GroupView.as_view(), name="group"),
    re_path(r"^(?P<rest>.*)$", api.scim_not_found, name="not-found"),
]

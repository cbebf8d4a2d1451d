"""ETags (meta.version, If-Match, If-None-Match) and what the service provider declares about itself."""
from __future__ import annotations

import pytest

from tests.lms.scim.conftest import ENTERPRISE, GROUP, USER, assert_scim_error, created, patch_body, user_body

pytestmark = pytest.mark.django_db


def test_if_match_guards_put_patch_and_delete(scim):
    document = created(scim, user_body("ana@example.com"))
    path = f"/scim/v2/Users/{document['id']}"
    version = document["meta"]["version"]
    stale = 'W/"stale"'
    assert_scim_error(scim.send("put", path, user_body("ana@example.com"), if_match=stale), 412)
    assert_scim_error(scim.send("patch", path, patch_body({"op": "add", "path": "displayName", "value": "x"}),
                                if_match=stale), 412)
    assert_scim_error(scim.send("delete", path, if_match=stale), 412)

    changed = scim.send("patch", path, patch_body({"op": "add", "path": "displayName", "value": "x"}),
                        if_match=version)
    assert changed.status_code == 200 and changed["ETag"] != version
    assert_scim_error(scim.send("delete", path, if_match=version), 412)  # the old version is stale now
    assert scim.send("delete", path, if_match="*").status_code == 204


def test_if_none_match_answers_304_while_unchanged(scim):
    document = created(scim, user_body("ana@example.com"))
    path = f"/scim/v2/Users/{document['id']}"
    assert scim.send("get", path, if_none_match=document["meta"]["version"]).status_code == 304
    assert scim.send("get", path, if_none_match='W/"other"').status_code == 200


def test_group_versions_change_with_their_members(scim):
    ana = created(scim, user_body("ana@example.com"))
    group = scim.send("post", "/scim/v2/Groups", {"schemas": [GROUP], "displayName": "Care"}).json()
    patched = scim.send("patch", f"/scim/v2/Groups/{group['id']}",
                        patch_body({"op": "add", "path": "members", "value": [{"value": ana["id"]}]}),
                        if_match=group["meta"]["version"])
    assert patched.status_code == 200 and patched.json()["meta"]["version"] != group["meta"]["version"]


def test_service_provider_config_declares_what_is_supported(scim):
    config = scim.send("get", "/scim/v2/ServiceProviderConfig").json()
    assert config["patch"] == {"supported": True}
    assert config["filter"]["supported"] is True and config["filter"]["maxResults"] == 200
    assert config["etag"] == {"supported": True}
    assert config["bulk"]["supported"] is False and config["sort"] == {"supported": False}
    assert config["changePassword"] == {"supported": False}


def test_resource_types_and_schemas(scim):
    types = scim.send("get", "/scim/v2/ResourceTypes").json()
    assert sorted(resource["id"] for resource in types["Resources"]) == ["Group", "User"]
    user_type = scim.send("get", "/scim/v2/ResourceTypes/User").json()
    assert user_type["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    schemas = scim.send("get", "/scim/v2/Schemas").json()
    assert sorted(schema["id"] for schema in schemas["Resources"]) == sorted([USER, ENTERPRISE, GROUP])
    enterprise = scim.send("get", f"/scim/v2/Schemas/{ENTERPRISE}").json()
    assert [attribute["name"] for attribute in enterprise["attributes"]] == ["employeeNumber", "department",
                                                                              "manager"]


def test_the_list_is_capped_at_max_results(scim):
    page = scim.send("get", "/scim/v2/Users?count=100000").json()
    assert page["itemsPerPage"] == 0 and page["totalResults"] == 0


def test_scim_is_not_in_our_openapi_schema(client):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert not [path for path in paths if path.startswith("/scim")]

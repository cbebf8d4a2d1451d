import pytest

pytestmark = pytest.mark.django_db


def test_api_root_lists_links(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    assert "docs" in response.json()["links"]


def test_me_returns_roles(client_for, org):
    from tests.factories import member

    user = member(org, "hr", "learner")
    body = client_for(user).get("/api/v1/me/").json()
    assert body["email"] == user.email
    assert sorted(body["memberships"][0]["roles"]) == ["hr", "learner"]

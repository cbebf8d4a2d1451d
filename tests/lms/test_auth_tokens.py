"""Personal API tokens: created with email + password, stored as a digest, revocable, expiring."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lms.models import UserToken
from tests import factories
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def person(org):
    return factories.member(org, "learner", user__email="lena@example.com")


def _with_token(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_create_token_with_email_and_password(api_client, person):
    response = api_client.post("/api/v1/auth/token/", {"email": "lena@example.com", "password": PASSWORD,
                                                        "name": "laptop"})
    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    token = UserToken.objects.get(pk=body["id"])
    assert (token.user_id, token.name, token.revoked_at) == (person.pk, "laptop", None)
    assert token.prefix == raw[:8] == body["prefix"]
    # Only a SHA-256 digest is kept: the raw token appears in no column.
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.digest != raw
    assert not UserToken.objects.filter(digest=raw).exists()
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)

    me = _with_token(raw).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "lena@example.com"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_bearer_scheme_is_accepted_too(person):
    _, raw = factories.token_for(person)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me/").json()["email"] == "lena@example.com"


def test_email_is_case_insensitive(api_client, person):
    response = api_client.post("/api/v1/auth/token/", {"email": "LENA@Example.COM", "password": PASSWORD})
    assert response.status_code == 201
    assert UserToken.objects.get().user_id == person.pk


@pytest.mark.parametrize("email, password", [
    ("lena@example.com", "wrong password"),
    ("nobody@example.com", PASSWORD),
    ("lena@example.com", PASSWORD.upper()),
])
def test_wrong_credentials_are_401_and_create_nothing(api_client, person, email, password):
    response = api_client.post("/api/v1/auth/token/", {"email": email, "password": password})
    assert_error(response, 401, "invalid_credentials")
    assert UserToken.objects.count() == 0


def test_inactive_user_gets_no_token(api_client, person):
    person.is_active = False
    person.save()
    assert_error(api_client.post("/api/v1/auth/token/", {"email": "lena@example.com", "password": PASSWORD}), 401)
    assert UserToken.objects.count() == 0


def test_missing_fields_are_400_with_field_errors(api_client, person):
    error = assert_error(api_client.post("/api/v1/auth/token/", {"email": "not-an-email"}), 400, "invalid")
    assert set(error["fields"]) == {"email", "password"}
    assert UserToken.objects.count() == 0


def test_revoke_the_token_in_use(person):
    token, raw = factories.token_for(person)
    client = _with_token(raw)
    assert client.get("/api/v1/me/").status_code == 200

    assert client.delete("/api/v1/auth/token/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None

    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")
    # Revoking again with the dead token is a 401 too, not a 403 or a 500.
    assert_error(client.delete("/api/v1/auth/token/"), 401, "authentication_failed")


def test_revoke_without_a_token_is_401(api_client, person):
    assert_error(api_client.delete("/api/v1/auth/token/"), 401, "not_authenticated")


def test_revoke_by_id(person):
    keep, keep_raw = factories.token_for(person, name="keep")
    drop, drop_raw = factories.token_for(person, name="drop")
    client = _with_token(keep_raw)

    listed = client.get("/api/v1/auth/tokens/").json()
    assert sorted(t["name"] for t in listed) == ["drop", "keep"]
    assert all("token" not in t and "digest" not in t for t in listed)

    assert client.delete(f"/api/v1/auth/tokens/{drop.pk}/").status_code == 204
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.revoked_at is not None and keep.revoked_at is None
    assert_error(_with_token(drop_raw).get("/api/v1/me/"), 401)
    assert client.get("/api/v1/me/").status_code == 200


def test_someone_elses_token_id_is_404_and_stays_usable(org, person):
    stranger = factories.member(org, "org_admin")
    theirs, their_raw = factories.token_for(stranger)
    _, raw = factories.token_for(person)

    assert_error(_with_token(raw).delete(f"/api/v1/auth/tokens/{theirs.pk}/"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert _with_token(their_raw).get("/api/v1/me/").status_code == 200
    assert [t["id"] for t in _with_token(raw).get("/api/v1/auth/tokens/").json()] != [theirs.pk]
    assert_error(_with_token(raw).delete("/api/v1/auth/tokens/999999/"), 404, "not_found")


def test_expired_token_is_401(person):
    token, raw = factories.token_for(person)
    UserToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(_with_token(raw).get("/api/v1/me/"), 401, "authentication_failed")
    assert_error(_with_token(raw).delete("/api/v1/auth/token/"), 401, "authentication_failed")


def test_token_of_a_deactivated_user_is_401(person):
    _, raw = factories.token_for(person)
    person.is_active = False
    person.save()
    assert_error(_with_token(raw).get("/api/v1/me/"), 401, "authentication_failed")


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token", "Token a b"])
def test_bad_token_headers_are_401(person, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_error(client.get("/api/v1/me/"), 401, "authentication_failed")


def test_api_keys_cannot_manage_personal_tokens(org, person):
    _, raw = factories.api_key_for(org)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_error(client.get("/api/v1/auth/tokens/"), 403, "permission_denied")

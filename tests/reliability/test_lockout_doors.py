"""Account lockout on every door that takes a password: the learner sign-in page, the admin login and
the API token endpoint. Locked on one door means locked on all; the right password is refused while
locked and accepted once the window has passed (the clock is moved, nobody sleeps)."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from lms import lockout
from lms.models import UserToken
from tests.factories import UserFactory
from tests.helpers import assert_error
from tests.lockout_helpers import fake_clock_fixture, no_address_throttle_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_address_throttle")]

EMAIL, PASSWORD = "staff@example.com", "correct horse battery"
LOCKED_MESSAGE = "Too many failed sign-ins for this account."
WINDOW = 15 * 60


@dataclass
class Answer:
    signed_in: bool
    locked: bool
    response: object


class Door:
    name: str

    def __init__(self) -> None:
        self.client = self.make_client()

    def make_client(self):
        return Client()

    def try_(self, email: str, password: str) -> Answer:
        raise NotImplementedError


class SignInPage(Door):
    name = "sign-in page"

    def try_(self, email, password):
        response = self.client.post("/sign-in/", {"username": email, "password": password})
        signed_in = response.status_code == 302 and "_auth_user_id" in self.client.session
        if not signed_in:
            assert response.status_code == 400, response.status_code
        locked = LOCKED_MESSAGE in response.content.decode()
        if locked:
            assert re.search(r"Try again in (1 minute|\d+ minutes)\.", response.content.decode())
        else:
            assert signed_in or "do not match an account" in response.content.decode()
        self.client.post("/sign-out/")
        return Answer(signed_in, locked, response)


class AdminLogin(Door):
    name = "admin login"

    def try_(self, email, password):
        response = self.client.post("/admin/login/?next=/admin/", {"username": email, "password": password,
                                                                   "next": "/admin/"})
        signed_in = response.status_code == 302 and "_auth_user_id" in self.client.session
        if not signed_in:
            assert response.status_code == 200, response.status_code  # the admin's own answer to a bad form
        html = response.content.decode()
        locked = LOCKED_MESSAGE in html
        assert signed_in or locked or "Please enter the correct email address and password" in html
        self.client.logout()
        return Answer(signed_in, locked, response)


class TokenApi(Door):
    name = "API token"

    def make_client(self):
        return APIClient()

    def try_(self, email, password):
        response = self.client.post("/api/v1/auth/token/", {"email": email, "password": password})
        if response.status_code == 201:
            return Answer(True, False, response)
        if response.status_code == 429:
            error = assert_error(response, 429, "account_locked")
            retry_after = int(response["Retry-After"])
            assert 0 < retry_after <= WINDOW and f"{retry_after} seconds" in error["message"]
            return Answer(False, True, response)
        assert_error(response, 401, "invalid_credentials")
        return Answer(False, False, response)


DOORS = [SignInPage, AdminLogin, TokenApi]


@pytest.fixture
def staff():
    return UserFactory(email=EMAIL, is_staff=True, is_superuser=True)


@pytest.mark.parametrize("door_class", DOORS, ids=lambda cls: cls.name)
def test_locked_after_five_failures_even_with_the_right_password_until_the_window_passes(
        door_class, staff, clock, caplog, figure):
    caplog.set_level(logging.INFO, logger="lms.security")
    door = door_class()
    tokens_before = UserToken.objects.count()
    for attempt in range(1, 5):
        answer = door.try_(EMAIL, f"guess-{attempt}")
        assert not answer.signed_in and not answer.locked
    answer = door.try_(EMAIL, "guess-5")
    assert not answer.signed_in and answer.locked  # the fifth failure already says so

    answer = door.try_(EMAIL, PASSWORD)
    assert not answer.signed_in and answer.locked
    assert UserToken.objects.count() == tokens_before

    clock.advance(WINDOW - 1)
    assert door.try_(EMAIL, PASSWORD).locked
    clock.advance(1)
    assert door.try_(EMAIL, PASSWORD).signed_in
    # ...and the success started the count afresh.
    for attempt in range(4):
        assert not door.try_(EMAIL, f"again-{attempt}").locked

    audit = [record.getMessage() for record in caplog.records if record.name == "lms.security"]
    assert any(line.startswith("sign-in locked:") for line in audit)
    assert any(line.startswith("sign-in refused:") for line in audit)
    assert not any(PASSWORD in line or "guess-" in line or EMAIL in line for line in audit)
    figure("lockout doors checked", 1)


@pytest.mark.parametrize("locking_door", DOORS, ids=lambda cls: cls.name)
def test_locked_on_one_door_means_locked_on_every_door(locking_door, staff, clock, figure):
    door = locking_door()
    for attempt in range(5):
        door.try_(EMAIL, f"guess-{attempt}")
    for door_class in DOORS:
        answer = door_class().try_(EMAIL, PASSWORD)
        assert not answer.signed_in and answer.locked, door_class.name
        figure("right password refused while locked (door pairs)", 1)
    clock.advance(WINDOW)
    for door_class in DOORS:
        assert door_class().try_(EMAIL, PASSWORD).signed_in, door_class.name


@pytest.mark.parametrize("door_class", DOORS, ids=lambda cls: cls.name)
def test_an_unknown_address_is_answered_exactly_like_a_locked_account(door_class, staff, clock):
    """Locking reveals nothing: an address without an account locks after as many tries, with the same answer."""
    answers = {}
    for email in (EMAIL, "nobody@example.com"):
        door = door_class()
        for attempt in range(4):
            assert not door.try_(email, f"guess-{attempt}").locked
        answers[email] = door.try_(email, "guess-last")
        assert answers[email].locked
    known, unknown = (answers[email].response for email in (EMAIL, "nobody@example.com"))
    assert known.status_code == unknown.status_code
    if door_class is TokenApi:
        assert known.json() == unknown.json() and known["Retry-After"] == unknown["Retry-After"]
    assert lockout.seconds_locked("nobody@example.com") == WINDOW


def test_the_schema_documents_the_locked_answer():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]
    assert "account_locked" in answer["description"]
    assert "Retry-After" in answer["headers"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}

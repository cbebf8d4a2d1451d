"""The reminder API: your preferences, one-click unsubscribe (and its page), organization policies and settings."""
from __future__ import annotations

import pytest

from courses.reminders import messages as reminder_messages
from courses.reminders import services as reminders
from courses.reminders.models import NotificationPreference, ReminderPolicy, ReminderSettings
from tests import factories as people
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db
PREFS = "/api/v1/me/notification-preferences/"


def test_preferences_default_to_everything_on(client_for, org):
    response = client_for(people.member(org)).get(PREFS)
    assert response.status_code == 200
    body = response.json()
    assert body["email_enabled"] is True and body["email_paused"] is False
    assert body["kinds"] == {kind: True for kind in ["certificate_issued", "due_soon", "inactivity",
                                                     "hr_nudge", "leadership_feedback", "manager_digest",
                                                     "not_started", "overdue", "peer_reviews_owed",
                                                     "workshop_session_soon"]}
    assert body["quiet_start"] is None and body["quiet_days"] is None
    assert not NotificationPreference.objects.exists()  # reading writes nothing


def test_patching_preferences_turns_kinds_off_and_on_and_sets_quiet_hours(client_for, org):
    person = people.member(org)
    client = client_for(person)
    response = client.patch(PREFS, {"kinds": {"inactivity": False, "overdue": False}, "quiet_start": "22:00",
                                    "quiet_end": "07:30", "quiet_days": [7]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["kinds"]["inactivity"] is False and response.json()["quiet_end"] == "07:30:00"
    response = client.patch(PREFS, {"kinds": {"overdue": True}, "email_enabled": False}, format="json")
    preference = NotificationPreference.objects.get(user=person)
    assert preference.disabled_kinds == ["inactivity"] and preference.email_enabled is False
    assert preference.quiet_days == [7]


@pytest.mark.parametrize(("body", "status"), [
    ({"kinds": {"birthday": False}}, 422),  # an object, as the schema says, naming no reminder kind
    ({"kinds": {"inactivity": "maybe"}}, 400),
    ({"quiet_days": [0]}, 400),
    ({"quiet_days": [1, 1]}, 400),
    ({"quiet_start": "25:00"}, 400),
    ({"email_enabled": "perhaps"}, 400),
])
def test_bad_preferences_are_refused_and_change_nothing(client_for, org, body, status):
    person = people.member(org)
    reminders.notification_preference_update(user=person, kinds={"due_soon": False})
    before = list(NotificationPreference.objects.values())
    assert_error(client_for(person).patch(PREFS, body, format="json"), status)
    assert list(NotificationPreference.objects.values()) == before


def test_preferences_need_a_person(api_client, org):
    assert_error(api_client.get(PREFS), 401)
    _, raw = people.api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_error(api_client.get(PREFS), 403)


# --- unsubscribe -------------------------------------------------------------------------------------

def test_one_click_unsubscribe_turns_off_that_kind_without_signing_in(api_client, org):
    person = people.member(org)
    one_click, _ = reminder_messages.unsubscribe_urls(person.pk, "inactivity")
    path = one_click.removeprefix("https://lms.example.test")
    response = api_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert response.json() == {"unsubscribed": "inactivity"}
    assert NotificationPreference.objects.get(user=person).disabled_kinds == ["inactivity"]
    assert api_client.post(path).status_code == 200  # twice is fine
    assert NotificationPreference.objects.get(user=person).disabled_kinds == ["inactivity"]


def test_a_tampered_unsubscribe_token_is_rejected_and_changes_nothing(api_client, org):
    person, victim = people.member(org), people.member(org)
    token = reminder_messages.unsubscribe_token(person.pk, "inactivity")
    payload, timestamp, signature = token.split(":")
    forged_payload = reminder_messages.unsubscribe_token(victim.pk, "*").split(":")[0]
    for bad in (f"{forged_payload}:{timestamp}:{signature}", f"{payload}:{timestamp}:{signature[:-2]}xx",
                "not-a-token", token + "x"):
        assert_error(api_client.post(f"/api/v1/notifications/unsubscribe/{bad}/"), 422, "invalid_unsubscribe_token")
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_is_strictly_throttled(api_client, org, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # DRF copies the rates onto the throttle class when it is imported, so patch there.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "strict": "3/min"})
    codes = [api_client.post("/api/v1/notifications/unsubscribe/x/").status_code for _ in range(5)]
    assert codes[:3] == [422, 422, 422] and codes[3:] == [429, 429]


def test_the_unsubscribe_page_asks_first_then_unsubscribes_from_everything_if_asked(client, org):
    person = people.member(org)
    _, page = reminder_messages.unsubscribe_urls(person.pk, "due_soon")
    path = page.removeprefix("https://lms.example.test")
    response = client.get(path)
    assert response.status_code == 200 and b"<form" in response.content
    assert not NotificationPreference.objects.exists()  # a link scanner's GET changes nothing
    response = client.post(path, {"all": "1"})
    assert response.status_code == 200 and b"You will not receive reminders any more" in response.content
    assert NotificationPreference.objects.get(user=person).email_enabled is False
    assert client.get("/unsubscribe/forged:token:here/").status_code == 400


# --- organization policies and settings ---------------------------------------------------------------

def policies_url(org) -> str:
    return f"/api/v1/organizations/{org.slug}/reminder-policies/"


def test_org_admins_list_kinds_with_defaults_and_set_policies(client_for, org):
    from tests.courses.factories import build_course

    admin = people.member(org, "org_admin")
    client = client_for(admin)
    body = client.get(policies_url(org)).json()
    kinds = {row["kind"]: row for row in body["kinds"]}
    assert kinds["inactivity"]["default_days"] == 7 and kinds["manager_digest"]["per_course"] is False
    assert body["policies"] == []

    response = client.post(policies_url(org), {"kind": "inactivity", "days": 3}, format="json")
    assert response.status_code == 201, response.content
    course = build_course(activities=[{}])
    response = client.post(policies_url(org), {"kind": "inactivity", "course": course.slug, "enabled": False},
                           format="json")
    assert response.status_code == 201 and response.json()["course"] == course.slug
    again = client.post(policies_url(org), {"kind": "inactivity", "days": 5}, format="json")
    assert again.status_code == 200 and again.json()["days"] == 5
    policy_id = again.json()["id"]
    patched = client.patch(f"{policies_url(org)}{policy_id}/", {"enabled": False}, format="json")
    assert patched.json()["enabled"] is False
    assert client.delete(f"{policies_url(org)}{policy_id}/").status_code == 204
    assert list(ReminderPolicy.objects.values_list("course__slug", "enabled")) == [(course.slug, False)]


@pytest.mark.parametrize("body,status,code", [
    ({"kind": "birthday"}, 400, "invalid"),
    ({"kind": "inactivity", "days": -1}, 400, "invalid"),
    ({"kind": "inactivity", "days": 400}, 400, "invalid"),
    ({"kind": "manager_digest", "course": "any-course"}, 422, None),  # a digest is never per course
    ({"kind": "inactivity", "course": "no-such-course"}, 404, "course_not_found"),
])
def test_bad_policies_are_rejected_and_nothing_is_written(client_for, org, body, status, code):
    from tests.courses.factories import build_course

    build_course(slug="any-course", activities=[{}])
    response = client_for(people.member(org, "org_admin")).post(policies_url(org), body, format="json")
    assert_error(response, status, code)
    assert not ReminderPolicy.objects.exists()


def test_policies_of_another_organization_are_404_and_learners_have_none(client_for, org, other_org):
    assert_error(client_for(people.member(org, "org_admin")).get(policies_url(other_org)), 404)
    assert_error(client_for(people.member(org)).get(policies_url(org)), 404)
    assert_error(client_for(people.member(org, "hr")).post(policies_url(org), {"kind": "inactivity"},
                                                           format="json"), 404)


def test_org_admins_set_sender_quiet_hours_and_daily_cap(client_for, org):
    client = client_for(people.member(org, "org_admin"))
    url = f"/api/v1/organizations/{org.slug}/reminder-settings/"
    assert client.get(url).json()["daily_cap"] == 3
    response = client.patch(url, {"from_email": "Acme <learning@acme.example>", "reply_to": "hr@acme.example",
                                  "quiet_days": [6, 7], "quiet_start": "20:00", "daily_cap": 2}, format="json")
    assert response.status_code == 200, response.content
    saved = ReminderSettings.objects.get(organization=org)
    assert (saved.daily_cap, saved.quiet_start.hour, saved.reply_to) == (2, 20, "hr@acme.example")
    assert_error(client.patch(url, {"daily_cap": 0}, format="json"), 400)
    assert_error(client.patch(url, {"reply_to": "not an address"}, format="json"), 400)
    assert ReminderSettings.objects.get(organization=org).daily_cap == 2

"""Which time zone quiet hours and the daily cap are read in: the person's if it names a real zone, else
their organization's, else the site's (``TIME_ZONE``); an unusable name is never silently UTC."""
from __future__ import annotations

import datetime

import pytest

from courses.reminders import services as reminders
from courses.reminders import windows as reminder_windows
from courses.reminders.models import ReminderLog
from lms.models import Organization, User
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

UNUSABLE = ["", "Mars/Olympus", "UTC+3", None, "../etc/passwd", " Asia/Tokyo"]


def zone_of(user_zone, org_zone) -> str:
    user = User(email="someone@example.com", timezone=user_zone)
    organization = None if org_zone is False else Organization(slug="o", name="O", timezone=org_zone)
    return reminder_windows.window_for(user, organization, None).tz.key


@pytest.mark.parametrize("bad", UNUSABLE)
def test_an_unusable_personal_zone_falls_back_to_the_organizations(bad):
    assert zone_of(bad, "Asia/Tokyo") == "Asia/Tokyo"


@pytest.mark.parametrize("bad_org", UNUSABLE)
@pytest.mark.parametrize("bad", UNUSABLE)
def test_then_to_the_sites_zone(settings, bad, bad_org):
    settings.TIME_ZONE = "America/Sao_Paulo"
    assert zone_of(bad, bad_org) == "America/Sao_Paulo"
    assert zone_of(bad, False) == "America/Sao_Paulo"  # no organization at all


@pytest.mark.parametrize("bad", UNUSABLE)
def test_a_usable_personal_zone_wins(bad):
    assert zone_of("Europe/Lisbon", "Asia/Tokyo") == "Europe/Lisbon"
    assert zone_of("Europe/Lisbon", bad) == "Europe/Lisbon"


def test_utc_only_when_even_the_sites_zone_is_unusable(settings):
    settings.TIME_ZONE = "Mars/Olympus"
    assert zone_of("", "") == "UTC"


@pytest.mark.parametrize("bad", ["", "Mars/Olympus", "UTC+3"])
def test_quiet_hours_of_a_person_with_an_unusable_zone_are_read_in_the_organizations(org, course, bad):
    # 15:00 UTC is 00:00 in Tokyo: quiet there, not in UTC.
    Organization.objects.filter(pk=org.pk).update(timezone="Asia/Tokyo")
    always_open(org, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))
    person = learner(org)
    User.objects.filter(pk=person.pk).update(timezone=bad)  # past the validator, as old rows or imports may be
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    assert reminders.reminders_dispatch(now=NOW)["deferred"] == 1
    assert ReminderLog.objects.get().not_before == datetime.datetime(2026, 11, 25, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "Mars/Olympus", "UTC+3"])
def test_and_in_the_sites_when_the_organizations_is_unusable_too(settings, org, course, bad):
    settings.TIME_ZONE = "Asia/Tokyo"
    Organization.objects.filter(pk=org.pk).update(timezone=bad)
    always_open(org, quiet_start=datetime.time(21, 0), quiet_end=datetime.time(8, 0))
    person = learner(org)
    User.objects.filter(pk=person.pk).update(timezone=bad)
    enroll(person, course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    assert reminders.reminders_dispatch(now=NOW)["deferred"] == 1
    assert ReminderLog.objects.get().not_before == datetime.datetime(2026, 11, 25, 23, 0, tzinfo=UTC)

"""The back office (log with filters, policies), the editable beat entry, the reconciler and the demo."""
from __future__ import annotations

import io
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.test import Client
from django_celery_beat.models import PeriodicTask

from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog, ReminderPolicy, ReminderSweepMark
from lms.reconciler import registered
from tests import factories as people
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_sweep_is_a_beat_entry_editable_in_the_admin():
    # A migration writes the entry. A transactional test that ran earlier in the same process (the browser
    # tests) empties every table, so the migration's step runs again first; it keeps an existing entry.
    import_module("courses.migrations.0005_reminders").create_sweep_schedule(django_apps, None)
    task = PeriodicTask.objects.get(name="reminders-sweep")
    assert (task.task, task.queue, task.enabled) == ("courses.long.reminders_sweep", "long", True)
    assert (task.interval.every, task.interval.period) == (15, "minutes")


def test_the_reconciler_dispatches_pending_reminders_and_fails_stale_claims(org, course,
                                                                            django_capture_on_commit_callbacks):
    always_open(org)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    assert "reminders" in registered()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert registered()["reminders"]() == 1
    assert len(callbacks) == 1


def test_the_log_admin_filters_by_kind_status_and_learner_within_the_admins_organizations(org, other_org, course):
    always_open(org)
    always_open(other_org)
    mine = learner(org)
    theirs = learner(other_org)
    enroll(mine, course, org, enrolled_days_ago=30, idle_days=10, due_in_days=-1)
    enroll(theirs, course, other_org, enrolled_days_ago=30, idle_days=10)
    reminders.reminders_select(now=NOW)
    superuser = people.UserFactory(is_staff=True, is_superuser=True)
    client = admin_client(superuser)
    url = "/admin/courses/reminderlog/"
    assert client.get(url).status_code == 200
    page = client.get(url, {"kind": "overdue", "status__exact": "pending", "q": mine.email})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset.values_list("kind", flat=True)) == ["overdue"]

    org_admin = people.member(org, "org_admin", user__is_staff=True)
    page = admin_client(org_admin).get(url)
    assert page.status_code == 200
    assert set(page.context["cl"].queryset.values_list("recipient__email", flat=True)) == {mine.email}
    assert admin_client(people.member(org, user__is_staff=True)).get(url).status_code == 403


def test_org_admins_add_policies_in_the_admin(org):
    org_admin = people.member(org, "org_admin", user__is_staff=True)
    client = admin_client(org_admin)
    response = client.post("/admin/courses/reminderpolicy/add/",
                           {"organization": org.pk, "kind": "due_soon", "enabled": "on", "days": "5"})
    assert response.status_code == 302, response.content[:2000]
    assert list(ReminderPolicy.objects.values_list("kind", "days")) == [("due_soon", 5)]
    response = client.post("/admin/courses/reminderpolicy/add/", {"organization": org.pk, "kind": "birthday"})
    assert response.status_code == 200 and ReminderPolicy.objects.count() == 1  # the form shows the error


def test_the_demo_has_reminder_policies_and_log_rows(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        call_command("load_demo", stdout=io.StringIO())
    assert ReminderPolicy.objects.count() == 2
    kinds = set(ReminderLog.objects.values_list("kind", flat=True))
    assert {"inactivity", "not_started", "overdue", "manager_digest"} <= kinds
    before = ReminderLog.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        call_command("load_demo", stdout=io.StringIO())
    assert ReminderLog.objects.count() == before


def test_admin_policies_name_own_or_public_courses_only(org, other_org):
    from tests.courses.factories import CourseFactory

    org_admin = people.member(org, "org_admin", user__is_staff=True)
    client = admin_client(org_admin)
    public, own, foreign = (CourseFactory(organization=None), CourseFactory(organization=org),
                            CourseFactory(organization=other_org))
    for course in (public, own):
        response = client.post("/admin/courses/reminderpolicy/add/", {
            "organization": org.pk, "kind": "due_soon", "course": course.pk, "enabled": "on", "days": "5"})
        assert response.status_code == 302, response.content[:2000]
    response = client.post("/admin/courses/reminderpolicy/add/", {
        "organization": org.pk, "kind": "due_soon", "course": foreign.pk, "enabled": "on", "days": "5"})
    assert response.status_code == 200  # the form refuses another organization's course
    assert set(ReminderPolicy.objects.values_list("course_id", flat=True)) == {public.pk, own.pk}


def test_superusers_see_the_sweep_marks_and_can_ask_for_a_full_sweep(org, course):
    always_open(org)
    reminders.reminders_select(now=NOW, kinds=["inactivity", "overdue"])
    reminders.reminders_select(now=NOW, kinds=["overdue"], organization_ids=[org.pk])
    url = "/admin/courses/remindersweepmark/"
    client = admin_client(people.UserFactory(is_staff=True, is_superuser=True))
    page = client.get(url)
    assert page.status_code == 200
    assert sorted(page.context["cl"].queryset.values_list("kind", "scope")) == sorted([
        ("inactivity", "all"), ("overdue", "all"), ("overdue", str(org.pk))])
    # The scope reads as the organization's name, not only its id.
    html = page.content.decode()
    assert f"{org.name} (#{org.pk})" in html and "Every organization" in html
    inactivity = ReminderSweepMark.objects.get(kind="inactivity")
    done = client.post(url, {"action": "sweep_in_full", "_selected_action": [inactivity.pk]}, follow=True)
    assert done.status_code == 200
    assert sorted(ReminderSweepMark.objects.values_list("kind", flat=True)) == ["overdue", "overdue"]
    # Organization admins do not see them: the marks are the whole installation's.
    org_admin = people.member(org, "org_admin", user__is_staff=True)
    assert admin_client(org_admin).get(url).status_code == 403

"""Deactivation through SCIM keeps enrollments and history and stops reminders."""
from __future__ import annotations

import pytest

from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from lms.models import Membership
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, enroll
from tests.lms.scim.conftest import assert_scim_error, created, patch_body, user_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_enrolled(scim, org):
    document = created(scim, user_body("ana@example.com"))
    course = build_course(activities=[{"title": "Listen"}], title="Listening Well")
    enrollment = enroll(Membership.objects.get(organization=org).user, course, org, enrolled_days_ago=30,
                        idle_days=10)
    return document, enrollment


def _reminded() -> int:
    reminders.reminders_select(now=NOW, kinds=["inactivity"])
    return ReminderLog.objects.filter(kind="inactivity").count()


def test_active_false_stops_reminders_and_keeps_the_enrollment(scim, ana_enrolled):
    document, enrollment = ana_enrolled
    response = scim.send("patch", f"/scim/v2/Users/{document['id']}",
                         patch_body({"op": "Replace", "path": "active", "value": "False"}))
    assert response.status_code == 200

    assert _reminded() == 0
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.ACTIVE

    scim.send("patch", f"/scim/v2/Users/{document['id']}",
              patch_body({"op": "Replace", "path": "active", "value": "True"}))
    assert _reminded() == 1


def test_delete_stops_reminders_keeps_history_and_the_resource_is_gone(scim, ana_enrolled):
    document, enrollment = ana_enrolled
    assert scim.send("delete", f"/scim/v2/Users/{document['id']}").status_code == 204
    assert _reminded() == 0
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
    assert_scim_error(scim.send("get", f"/scim/v2/Users/{document['id']}"), 404)


def test_a_deactivated_membership_elsewhere_does_not_stop_this_organizations_reminders(scim, ana_enrolled,
                                                                                       other_org):
    Membership.objects.create(user=ana_enrolled[1].user, organization=other_org, is_active=False)
    assert _reminded() == 1

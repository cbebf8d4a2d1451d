"""CertificateAdmin: instructors revoke and reissue their courses' certificates; every action leaves an event."""
from __future__ import annotations

import pytest
from django.test import Client

from courses.certificates.models import Certificate, CertificateEvent
from lms import services as people_services
from lms.models import User
from tests.courses.certificates.conftest import completed_enrollment, issued
from tests.courses.factories import build_course

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/courses/certificate/"


@pytest.fixture
def world(org, other_org):
    instructor = people_services.membership_add_person(organization=org, email="ines@a.example",
                                                       roles=["instructor"]).user
    course = build_course(activities=[{"title": "Only"}], organization=org)
    course.instructors.set([instructor])
    other_course = build_course(activities=[{"title": "Only"}], organization=other_org)
    mine = issued(completed_enrollment(course=course, organization=org))
    theirs = issued(completed_enrollment(course=other_course, organization=other_org))
    client = Client()
    client.force_login(User.objects.get(pk=instructor.pk))
    return {"instructor": instructor, "mine": mine, "theirs": theirs, "client": client}


def _action(client: Client, action: str, *certificates: Certificate):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [c.pk for c in certificates]})


def test_instructor_sees_only_their_courses_certificates(world):
    response = world["client"].get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert world["mine"].code in html and world["theirs"].code not in html


def test_revoke_action_records_the_actor(world):
    response = _action(world["client"], "revoke", world["mine"])
    assert response.status_code == 302
    certificate = Certificate.objects.get(pk=world["mine"].pk)
    assert certificate.status == "revoked" and certificate.revoked_by_id == world["instructor"].pk
    assert certificate.revoked_reason == "revoked by an administrator"
    assert CertificateEvent.objects.filter(certificate=certificate, kind="revoked",
                                           actor_id=world["instructor"].pk).count() == 1
    assert Certificate.objects.get(pk=world["theirs"].pk).status == "valid"


def test_reissue_action_picks_up_a_name_change_and_keeps_the_code(world):
    mine = world["mine"]
    User.objects.filter(pk=mine.enrollment.user_id).update(first_name="Małgorzata", last_name="Kowalska")
    assert _action(world["client"], "reissue", mine).status_code == 302
    certificate = Certificate.objects.get(pk=mine.pk)
    assert certificate.code == mine.code and certificate.learner_name == "Małgorzata Kowalska"
    assert CertificateEvent.objects.filter(certificate=certificate, kind="reissued").count() == 1


def test_a_revoked_certificate_is_reported_not_reissued(world):
    _action(world["client"], "revoke", world["mine"])
    response = _action(world["client"], "reissue", world["mine"])
    assert response.status_code == 302
    follow = world["client"].get(response["Location"])
    assert "A revoked certificate cannot be reissued." in follow.content.decode()
    assert not CertificateEvent.objects.filter(certificate=world["mine"], kind="reissued").exists()

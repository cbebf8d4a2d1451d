"""Erasure end to end: a person seeded across the product is erased; nothing of them is left in any text column
of any table, any stored file or the logs; constraints hold; the certificate verifies, anonymous and revoked."""
from __future__ import annotations

import logging

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from rest_framework.test import APIClient

from assessments.roleplays.models import Performance, Review
from courses.certificates import open_badges
from courses.certificates.credentials import keys as credential_keys
from courses.certificates.credentials.status_list import is_revoked
from courses.certificates.models import Certificate, CertificateEvent
from courses.hr_reports.models import ReportExport, ReportTombstone, WebhookDelivery
from lms.models import ErasureIdentifier, ErasureRecord, ErasureRequest, UserToken
from lms.privacy.selectors.erasure import erasure_was_erased
from lms.privacy.services import erasure as erasure_services
from tests import factories as people
from tests.lms.privacy.erasure_world import (
    EMAIL,
    EMPLOYEE_A,
    EMPLOYEE_B,
    USER_ID,
    file_hits,
    found_in,
    media_files,
    seed_person,
    test_registry,  # noqa: F401 (a fixture)
    text_hits,
)

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.usefixtures("test_registry")]


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.REPORTS_WORK_DIR = str(tmp_path / "exports-work")
    settings.VERIFY_MIN_SECONDS = 0
    sent: list = []
    monkeypatch.setattr(erasure_services, "task_enqueue", lambda name, args=(), **kw: sent.append((name, args)))
    monkeypatch.setattr("courses.hr_reports.erasure.task_enqueue", lambda name, args=(), **kw: None)
    return sent


@pytest.fixture
def seeded(org, other_org):
    credential_keys.key_generate()  # a signing key: the certificate carries a signed credential
    return seed_person(org, other_org)


def _erase(person, django_capture_on_commit_callbacks) -> ErasureRequest:
    erasure_services.erasure_request_self(user=person)
    request = erasure_services.erasure_confirm_self(user=person, password="correct horse battery")
    assert request.state == ErasureRequest.State.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure_services.erasure_run(request_id=request.pk)
    return request


def test_nothing_of_the_person_is_left(seeded, django_capture_on_commit_callbacks, caplog):
    person = seeded.person
    assert text_hits(), "the seed should name the person somewhere"
    assert file_hits(), "the seed should store files naming the person"
    caplog.set_level(logging.DEBUG)
    _erase(person, django_capture_on_commit_callbacks)

    assert text_hits() == []
    assert file_hits() == []
    assert [r.getMessage() for r in caplog.records if found_in(r.getMessage())] == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign keys checked now
    person.refresh_from_db()
    assert not person.is_active and not person.has_usable_password()
    assert person.email.startswith("erased-") and person.email.endswith("@invalid")
    assert not UserToken.objects.filter(user=person).exists()
    assert not Session.objects.exists()
    assert not Performance.objects.filter(enrollment__user=person).exists()
    assert not Review.objects.filter(reviewer=person).exists()
    assert not any(p.name.endswith(".wav") or p.name.endswith(".pdf") for p in media_files())


def test_the_record_keeps_only_hashes(seeded, django_capture_on_commit_callbacks):
    _erase(seeded.person, django_capture_on_commit_callbacks)
    record = ErasureRecord.objects.get()
    assert record.requested_role == "self" and record.requested_by_id is None
    assert record.organization_ids == sorted([seeded.org_a.pk, seeded.org_b.pk])
    assert ErasureIdentifier.objects.filter(record=record).count() == 3
    assert erasure_was_erased(email=EMAIL.upper())
    assert erasure_was_erased(organization_id=seeded.org_a.pk, employee_id=EMPLOYEE_A)
    assert erasure_was_erased(organization_id=seeded.org_b.pk, employee_id=EMPLOYEE_B)
    assert not erasure_was_erased(organization_id=seeded.org_b.pk, employee_id=EMPLOYEE_A)


def test_certificate_verifies_anonymous_and_its_credential_is_revoked(seeded, django_capture_on_commit_callbacks):
    code = seeded.certificate.code
    _erase(seeded.person, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(code=code)
    assert certificate.learner_erased and certificate.learner_name == "" and certificate.credential is None
    assert not certificate.pdf
    assert certificate.status == Certificate.Status.REVOKED and certificate.revoked_reason == "erased"
    assert CertificateEvent.objects.filter(certificate=certificate, kind="revoked").get().detail == {
        "reason": "erased"}
    answer = APIClient().get(f"/api/v1/verify/{code}/")
    assert answer.status_code == 200, answer.content[:300]
    assert answer.json()["learner_erased"] is True and answer.json()["learner_name"] == ""
    number, index = open_badges.status_position(certificate.pk)
    status_list = APIClient().get(f"/api/v1/credentials/status/{number}.json")
    assert status_list.status_code == 200
    assert is_revoked(status_list.json()["credentialSubject"]["encodedList"], index)
    for language, words in (("en", "asked to be forgotten"), ("pt-br", "pediu para ser esquecido")):
        page = APIClient().get(f"/verify/{code}/", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200 and words in page.content.decode()


def test_hr_sync_hears_the_person_is_gone(seeded, django_capture_on_commit_callbacks):
    enrollment_ids = [e.pk for e in seeded.enrollments]
    _erase(seeded.person, django_capture_on_commit_callbacks)
    tombstoned = set(ReportTombstone.objects.values_list("enrollment_id", flat=True))
    assert set(enrollment_ids) <= tombstoned
    payload = WebhookDelivery.objects.get().payload
    assert payload["erased"] is True and payload["data"]["email"] == "" and payload["data"]["name"] == ""
    assert not ReportExport.objects.exclude(file="").exists()


def test_running_again_is_harmless(seeded, django_capture_on_commit_callbacks):
    request = _erase(seeded.person, django_capture_on_commit_callbacks)
    assert erasure_services.erasure_run(request_id=request.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        erasure_services.erasure_carry_out(user=seeded.person, request=request)
    assert text_hits() == []


def test_a_wrong_password_confirms_nothing(org):
    person = people.member(org)
    erasure_services.erasure_request_self(user=person)
    with pytest.raises(Exception, match="password"):
        erasure_services.erasure_confirm_self(user=person, password="wrong")
    assert ErasureRequest.objects.get().state == ErasureRequest.State.AWAITING_CONFIRMATION


def test_legal_hold_holds_then_lifting_carries_it_out(org, other_org, _isolated, django_capture_on_commit_callbacks):
    person = people.member(org)
    people.MembershipFactory(user=person, organization=other_org)
    erasure_services.legal_hold_set(organization=org, reason="Litigation 2026-14")
    erasure_services.legal_hold_set(organization=other_org, reason="Audit")
    erasure_services.erasure_request_self(user=person)
    request = erasure_services.erasure_confirm_self(user=person, password="correct horse battery")
    assert request.state == ErasureRequest.State.HELD and _isolated == []
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure_services.legal_hold_lift(organization=org) == 0  # still held by the other organization
        assert erasure_services.legal_hold_lift(organization=other_org) == 1
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.CONFIRMED
    assert _isolated == [("lms.privacy_erase", [request.pk])]
    with django_capture_on_commit_callbacks(execute=True):
        assert erasure_services.erasure_run(request_id=request.pk)
    person.refresh_from_db()
    assert not person.is_active


def test_a_hold_set_after_confirmation_holds_the_run(org, django_capture_on_commit_callbacks):
    person = people.member(org)
    erasure_services.erasure_request_self(user=person)
    request = erasure_services.erasure_confirm_self(user=person, password="correct horse battery")
    erasure_services.legal_hold_set(organization=org, reason="Litigation")
    assert erasure_services.erasure_run(request_id=request.pk) is False
    request.refresh_from_db()
    assert request.state == ErasureRequest.State.HELD
    person.refresh_from_db()
    assert person.is_active


def test_user_id_is_explicit():
    assert USER_ID == 987654321

"""Corrections: a pass recorded by mistake is set back; the enrollment, its completion and its certificate follow."""
from __future__ import annotations

import pytest
from django.test import Client

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate, CertificateEvent
from courses.certificates.reconcilers import certificates_missing
from courses.enrollments import services
from courses.enrollments.errors import ProgressError
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.services.corrections import activity_result_correct
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.factories import activities_of, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick(settings, tmp_path):
    """Certificates drawn in this test's directory, answers at once, tasks run where they are sent."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VERIFY_MIN_SECONDS = 0
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = previous


@pytest.fixture
def course():
    return build_course(activities=[{"title": "Read"}, {"title": "Practise"}])


def completed(course, django_capture_on_commit_callbacks) -> Enrollment:
    """Every step passed, the completion's steps run (the certificate is issued as after any completion)."""
    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=course)
    with django_capture_on_commit_callbacks(execute=True):
        for activity in activities_of(course):
            services.activity_record_result(enrollment=enrollment, activity=activity, passed=True)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    return enrollment


def verify(code: str):
    return Client().get(f"/api/v1/verify/{code}/")


def test_a_wrong_pass_is_taken_back_and_the_certificate_revoked_with_the_reason(course,
                                                                               django_capture_on_commit_callbacks):
    enrollment = completed(course, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == "valid"
    teacher = people.UserFactory()
    step = activities_of(course)[1]

    correction = activity_result_correct(enrollment=enrollment, activity=step, actor=teacher,
                                         reason="Marked attended by mistake.")

    assert correction.reopened and correction.revoked is not None
    progress = ActivityProgress.objects.get(enrollment=enrollment, activity=step)
    assert progress.status == "failed" and progress.completed_at is None
    enrollment.refresh_from_db()
    assert enrollment.status == "active" and enrollment.completed_at is None
    assert enrollment.progress_percent == 50
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.revoked_reason == "Marked attended by mistake."
    assert certificate.revoked_by == teacher
    assert CertificateEvent.objects.filter(certificate=certificate, kind="revoked", actor=teacher,
                                           detail__reason="Marked attended by mistake.").exists()
    assert verify(certificate.code).json()["status"] == "revoked"


def test_completing_properly_afterwards_issues_a_new_valid_certificate(course, django_capture_on_commit_callbacks):
    enrollment = completed(course, django_capture_on_commit_callbacks)
    old = Certificate.objects.get(enrollment=enrollment)
    step = activities_of(course)[1]
    activity_result_correct(enrollment=enrollment, activity=step, actor=None, reason="Wrong mark.")

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_record_result(enrollment=enrollment, activity=step, passed=True)

    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    new = Certificate.objects.get(enrollment=enrollment)
    assert new.status == "valid" and new.code != old.code and not new.revoked_reason
    assert new.issued_at > old.issued_at
    assert verify(new.code).json()["status"] == "valid"
    # One certificate row per enrollment, renewed: the old code is retired, and still verifies as revoked.
    assert verify(old.code).json()["status"] == "revoked"
    issued = CertificateEvent.objects.filter(certificate=new, kind="issued").order_by("at", "id").last()
    assert issued.detail["replaces"]["code"] == old.code
    assert issued.detail["replaces"]["revoked_reason"] == "Wrong mark."


def test_a_certificate_revoked_for_another_reason_stays_revoked(course, django_capture_on_commit_callbacks):
    enrollment = completed(course, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrollment=enrollment)
    certificate_services.certificate_revoke(certificate=certificate, actor=None, reason="Fraud.")

    again = certificate_services.certificate_issue(enrollment_id=enrollment.pk)

    assert again.pk == certificate.pk and again.code == certificate.code and again.status == "revoked"
    assert certificates_missing() == 0


def test_the_reconciler_issues_the_new_certificate_when_the_task_was_missed(course,
                                                                            django_capture_on_commit_callbacks):
    enrollment = completed(course, django_capture_on_commit_callbacks)
    step = activities_of(course)[1]
    activity_result_correct(enrollment=enrollment, activity=step, actor=None, reason="Wrong mark.")
    services.activity_record_result(enrollment=enrollment, activity=step, passed=True)  # commit hooks not run
    assert Certificate.objects.get(enrollment=enrollment).status == "revoked"

    assert certificates_missing() == 1
    assert Certificate.objects.get(enrollment=enrollment).status == "valid"


def test_correcting_an_unfinished_enrollment_only_recomputes(course):
    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=course)
    first = activities_of(course)[0]
    services.activity_record_result(enrollment=enrollment, activity=first, passed=True)

    correction = activity_result_correct(enrollment=enrollment, activity=first, actor=None, reason="Not done.",
                                         status=ActivityProgress.Status.IN_PROGRESS)

    assert not correction.reopened and correction.revoked is None
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 0 and enrollment.status == "active"
    assert ActivityProgress.objects.get(enrollment=enrollment, activity=first).status == "in_progress"


def test_nothing_to_correct_changes_nothing(course):
    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=course)
    correction = activity_result_correct(enrollment=enrollment, activity=activities_of(course)[0], actor=None,
                                         reason="Nothing there.")
    assert correction.progress is None and not ActivityProgress.objects.exists()


@pytest.mark.parametrize("kwargs, field", [({"reason": "  "}, "reason"),
                                           ({"reason": "x", "status": "passed"}, "status"),
                                           ({"reason": "x", "score": 101}, "score")])
def test_bad_input_is_refused_and_nothing_changes(course, django_capture_on_commit_callbacks, kwargs, field):
    enrollment = completed(course, django_capture_on_commit_callbacks)
    with pytest.raises(ProgressError) as refused:
        activity_result_correct(enrollment=enrollment, activity=activities_of(course)[0], actor=None, **kwargs)
    assert field in refused.value.fields
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert Certificate.objects.get(enrollment=enrollment).status == "valid"
    assert set(ActivityProgress.objects.values_list("status", flat=True)) == {"passed"}

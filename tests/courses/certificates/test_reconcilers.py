"""The certificate reconcilers find pending work in the database and nudge a worker for it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.certificates import reconcilers, tasks
from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from courses.enrollments import services
from lms.reconciler import registered
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(minutes=10)


@pytest.fixture
def enqueued(monkeypatch):
    """Record what each certificate task was asked to run, instead of publishing it."""
    sent: dict[str, list] = {"issue": [], "render": [], "email": []}
    for key, task in (("issue", tasks.certificate_issue), ("render", tasks.certificate_render),
                      ("email", tasks.certificate_email)):
        def record(task_self, args=None, kwargs=None, _key=key, **options):
            sent[_key].append(args[0])

        monkeypatch.setattr(type(task._get_current_object()), "apply_async", record)
    return sent


def test_the_certificate_reconcilers_are_registered():
    names = set(registered())
    assert {"certificates-missing", "certificates-unrendered", "certificates-unsent"} <= names


def test_missing_finds_completed_enrollments_without_a_certificate(enqueued):
    without = [completed_enrollment() for _ in range(3)]
    with_certificate = completed_enrollment()
    issued(with_certificate, render=False)
    services.enrollment_create(user=people.UserFactory(), course=one_step_course())  # active, not completed

    assert reconcilers.certificates_missing() == 3
    assert sorted(enqueued["issue"]) == sorted(e.pk for e in without)

    # Once the worker has issued them, there is nothing left to find.
    for enrollment in without:
        certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    enqueued["issue"].clear()
    assert reconcilers.certificates_missing() == 0
    assert enqueued["issue"] == []


def test_missing_is_bounded_by_the_batch(enqueued, monkeypatch):
    monkeypatch.setattr(reconcilers, "BATCH", 2)
    course = one_step_course()
    for _ in range(3):
        completed_enrollment(course=course)
    assert reconcilers.certificates_missing() == 2
    assert len(enqueued["issue"]) == 2


def test_unrendered_waits_for_the_grace_period(enqueued):
    fresh = issued(completed_enrollment(), render=False)
    stale = issued(completed_enrollment(), render=False)
    rendered = issued(completed_enrollment())
    Certificate.objects.filter(pk__in=[stale.pk, rendered.pk]).update(issued_at=timezone.now() - LONG_AGO)

    assert reconcilers.certificates_unrendered() == 1
    assert enqueued["render"] == [stale.pk]
    assert fresh.pk not in enqueued["render"]


def test_unrendered_finds_certificates_from_an_older_template(enqueued):
    certificate = issued(completed_enrollment())
    Certificate.objects.filter(pk=certificate.pk).update(template_version=0, issued_at=timezone.now() - LONG_AGO)
    assert reconcilers.certificates_unrendered() == 1
    assert enqueued["render"] == [certificate.pk]


def test_unsent_finds_rendered_valid_certificates_never_emailed(enqueued):
    unsent = issued(completed_enrollment())
    emailed = issued(completed_enrollment())
    revoked = issued(completed_enrollment())
    unrendered = issued(completed_enrollment(), render=False)
    just_rendered = issued(completed_enrollment())
    Certificate.objects.filter(pk=emailed.pk).update(emailed_at=timezone.now())
    certificate_services.certificate_revoke(certificate=revoked, actor=None, reason="Duplicate account")
    Certificate.objects.exclude(pk=just_rendered.pk).filter(rendered_at__isnull=False).update(
        rendered_at=timezone.now() - LONG_AGO)

    assert reconcilers.certificates_unsent() == 1
    assert enqueued["email"] == [unsent.pk]
    assert unrendered.pk not in enqueued["email"]


def test_the_issue_task_nudges_the_email_and_renders(enqueued, mailoutbox):
    enrollment = completed_enrollment()
    code = tasks.certificate_issue.run(enrollment.pk)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert code == certificate.code and certificate.rendered_at is not None
    assert enqueued["email"] == [certificate.pk]
    assert mailoutbox == []  # the email is the worker's next task, not this one's


def test_the_issue_task_of_an_incomplete_enrollment_does_nothing(enqueued):
    enrollment, _ = services.enrollment_create(user=people.UserFactory(), course=one_step_course())
    assert tasks.certificate_issue.run(enrollment.pk) is None
    assert enqueued == {"issue": [], "render": [], "email": []}
    assert not Certificate.objects.exists()

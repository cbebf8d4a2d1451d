"""The migration that records each certificate's issuer fills it in for the certificates issued before it: the
course's organization, else the enrollment's, else (the enrollment already left its organization, as an
erasure makes it) the one organization with the printed issuer name."""
from __future__ import annotations

from decimal import Decimal

import pytest

from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from tests import factories as people
from tests.courses.certificates.conftest import completed_enrollment, issued, one_step_course
from tests.migration_steps import migrate, newest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("courses", "0026_reminder_sweep_marks")]


def test_certificates_issued_before_it_get_their_issuer(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org, twin_a, _twin_b = (people.OrganizationFactory(name=name) for name in
                                  ("Acme Care", "Twin Name", "Twin Name"))
    public = one_step_course(title="Open to everyone", hours_credited=Decimal("1"))
    own_course = issued(completed_enrollment(course=one_step_course(organization=org), organization=org),
                        render=False)
    through_org = issued(completed_enrollment(course=public, organization=org), render=False)
    left_org = issued(completed_enrollment(course=public, organization=org), render=False)
    twin = issued(completed_enrollment(course=public, organization=twin_a), render=False)
    catalog = issued(completed_enrollment(course=public), render=False)
    Enrollment.objects.filter(pk__in=[left_org.enrollment_id, twin.enrollment_id]).update(organization=None)

    migrate(BEFORE)
    migrate(newest())

    issuers = dict(Certificate.objects.values_list("pk", "issuer_id"))
    assert issuers == {own_course.pk: org.pk, through_org.pk: org.pk, left_org.pk: org.pk,
                       twin.pk: None,  # two organizations have its printed name: neither is guessed
                       catalog.pk: None}

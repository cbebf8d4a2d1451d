"""The benchmarks' set-based data generators write raw SQL into the project's tables, so a new NOT NULL
column (the certificate's ``learner_erased``) breaks `make bench` long after `make test` passed. Each
generator runs here at a tiny size, on PostgreSQL (they use its ``generate_series``)."""
from __future__ import annotations

import pytest
from django.db import connection

from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the generators write PostgreSQL's SQL (generate_series, ::casts)")


def test_the_report_generator_writes_people_enrollments_and_certificates():
    from bench.workloads_reports import dataset

    org, courses = dataset(learners=30, course_count=2)
    enrollments = Enrollment.objects.filter(organization=org)
    assert enrollments.count() == 60 and len(courses) == 2
    completed = enrollments.filter(status=Enrollment.Status.COMPLETED).count()
    assert completed > 0
    assert Certificate.objects.filter(enrollment__organization=org).count() == completed
    assert dataset(learners=30, course_count=2)[0] == org  # a second run reuses what is there


def test_the_reminder_generator_writes_teams_and_enrollments():
    from bench.reminders import generate
    from lms.models import Membership

    made = generate(50)
    assert made["enrollments"] == 50
    members = Membership.objects.filter(organization=made["org"])
    assert members.count() == 10 and members.filter(manager__isnull=False).count() == 9

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


@pytest.mark.django_db(transaction=True)  # the aged log is vacuumed, which no transaction may hold
def test_the_aged_log_holds_older_periods_within_retention_and_its_re_sweeps_log_nothing_twice():
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from bench.reminders import aged_sweeps, generate
    from courses.reminders import log_storage
    from courses.reminders.models import ReminderLog

    generate(200)
    # 60 weeks back reach past the 400 days of retention: the older periods stop at its horizon.
    result = aged_sweeps(periods=60, rounds=1)
    logged = ReminderLog.objects.all()
    dated = logged.filter(period__regex=r"^\d{4}-\d{2}-\d{2}$")
    first_pass_dated = dated.count() - result["added"]
    assert result["due"] > 0 and 0 < result["added"] < 60 * first_pass_dated
    assert logged.count() == result["rows"] == result["due"] + result["added"]
    # Every inactivity row now has older periods of the same enrollment, never before retention's horizon.
    horizon = log_storage.month_start(log_storage.horizon_month(timezone.now(), settings.REMINDER_LOG_RETENTION_DAYS))
    inactivity = logged.filter(kind="inactivity")
    periods_per_enrollment = inactivity.values("subject_id").annotate(n=Count("id")).values_list("n", flat=True)
    assert periods_per_enrollment and min(periods_per_enrollment) > 1
    assert min(inactivity.values_list("period", flat=True)) >= horizon.isoformat()
    assert not logged.filter(kind="not_started").exclude(period="once").exists()  # timeless rows are not copied

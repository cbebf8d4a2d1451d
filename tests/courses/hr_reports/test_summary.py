"""GET /api/v1/reports/summary/: per course and per department figures."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.hr_reports.services.rollup import rollup_rebuild
from tests import factories as people
from tests.courses.hr_reports.conftest import complete
from tests.helpers import assert_error

URL = "/api/v1/reports/summary/"
pytestmark = pytest.mark.django_db


def test_summary_per_course_and_department(world, client_for):
    e, now = world.enrollments, timezone.now()
    alice = complete(e["alice"], score=80)
    cleo = complete(e["cleo_acme"], score=100)
    Enrollment.objects.filter(pk=alice.pk).update(enrolled_at=now - timedelta(days=4), completed_at=now)
    Enrollment.objects.filter(pk=cleo.pk).update(enrolled_at=now - timedelta(days=10), completed_at=now)
    for enrollment in (alice, cleo):
        certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    Certificate.objects.filter(enrollment=cleo).update(expires_at=now + timedelta(days=10))
    body = client_for(world.hr).get(URL).json()
    by_course = {row["course"]: row for row in body["by_course"]}
    listening = by_course["listening"]
    assert listening == {
        "organization": "acme", "course": "listening", "course_title": "Listening well", "enrolled": 3,
        "completed": 2, "completion_rate": round(2 / 3, 4), "overdue": 1, "average_score": "90.00",
        "median_days_to_complete": 7.0, "valid_certificates": 2, "certificates_expiring_30_days": 1,
    }
    assert by_course["calm"]["enrolled"] == 1 and by_course["calm"]["completed"] == 0
    assert by_course["calm"]["median_days_to_complete"] is None and by_course["calm"]["average_score"] is None
    by_department = {row["department"]: row for row in body["by_department"]}
    assert set(by_department) == {"Support", "Sales"}
    assert (by_department["Support"]["enrolled"], by_department["Support"]["completed"]) == (1, 1)
    assert (by_department["Sales"]["enrolled"], by_department["Sales"]["completed"],
            by_department["Sales"]["overdue"]) == (3, 1, 1)
    assert by_department["Support"]["median_days_to_complete"] == 4.0


def test_summary_is_scoped_and_filtered(world, client_for, api_client):
    _, raw = people.api_key_for(world.globex)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    body = api_client.get(URL).json()
    assert [row["course"] for row in body["by_course"]] == ["calm"]
    assert [row["department"] for row in body["by_department"]] == ["Operations"]
    filtered = client_for(world.hr).get(URL, {"department": world.support.pk}).json()
    assert [row["enrolled"] for row in filtered["by_course"]] == [1]
    assert_error(client_for(world.hr).get(URL, {"organization": "globex"}), 404)
    assert_error(client_for(world.alice).get(URL), 403)
    assert_error(client_for(world.hr).get(URL, {"status": "nope"}), 400)


def test_summary_query_count_does_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    from lms.models import User

    client = client_for(User.objects.get(pk=world.hr.pk))
    rollup_rebuild()  # built (by the refresh task or the command): the summary reads the rollup
    with django_assert_max_num_queries(6):
        client.get(URL)

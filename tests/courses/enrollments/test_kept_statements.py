"""The progress write's kept statements. The opening lock, built by hand once per process, must give the
same objects the ORM gives, refuse what is not the caller's, and carry the organization's LRS endpoint so
the xAPI events of the write take no look-up of their own; the closing UPDATE must write what save() did."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.enrollments import services
from courses.enrollments.models import Enrollment
from courses.enrollments.services.kept_statements import own_enrollment_locked
from courses.xapi.models import LrsEndpoint, XapiStatement
from tests import factories as people
from tests.courses.factories import activities_of, build_course
from tests.helpers import stored_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization():
    return people.OrganizationFactory(slug="locked-read", name="Locked Read Org")


@pytest.fixture
def course(organization):
    return build_course(organization=organization, activities=[{"title": "First"}, {"title": "Second"}])


@pytest.fixture
def enrollment(course, organization):
    learner = people.member(organization)
    enrollment, _ = services.enrollment_create(user=learner, course=course)
    # Values the backends store in their own shapes: a decimal, a time with microseconds, a boolean.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        final_score=Decimal("87.50"),
        due_at=(timezone.now() + timedelta(days=3)).replace(microsecond=123456))
    return enrollment


def _endpoint(organization, *, active: bool) -> LrsEndpoint:
    return LrsEndpoint.objects.create(organization=organization, url="https://lrs.example/xapi",
                                      credentials_encrypted="-", is_active=active)


def test_it_reads_what_the_orm_reads(enrollment, organization):
    endpoint = _endpoint(organization, active=True)
    activity = activities_of(enrollment.course)[1]
    with transaction.atomic():
        found, picked = own_enrollment_locked(user_id=enrollment.user_id, enrollment_id=enrollment.pk,
                                              activity_id=activity.pk)
    expected = Enrollment.objects.select_related("user", "course", "organization").get(pk=enrollment.pk)
    assert stored_values(found) == stored_values(expected)
    assert isinstance(found.final_score, Decimal) and found.due_at.microsecond == 123456
    assert stored_values(found.user) == stored_values(expected.user)
    assert stored_values(found.course) == stored_values(expected.course)
    assert stored_values(found.organization) == stored_values(expected.organization)
    assert found.organization.lrs_endpoint.pk == endpoint.pk
    assert stored_values(picked) == stored_values(activity)
    assert stored_values(picked.module) == stored_values(activity.module)
    assert picked.course is found.course
    assert not found._state.adding and found._state.db == connection.alias


def test_someone_elses_enrollment_is_none_and_another_courses_activity_is_missing(enrollment, organization):
    stranger = people.member(organization)
    elsewhere = activities_of(build_course(organization=organization, activities=[{"title": "Elsewhere"}]))[0]
    with transaction.atomic():
        assert own_enrollment_locked(user_id=stranger.pk, enrollment_id=enrollment.pk,
                                     activity_id=elsewhere.pk) is None
        found, picked = own_enrollment_locked(user_id=enrollment.user_id, enrollment_id=enrollment.pk,
                                              activity_id=elsewhere.pk)
    assert found.pk == enrollment.pk and picked is None


def test_an_organization_without_an_active_endpoint_reads_none(enrollment, organization):
    activity = activities_of(enrollment.course)[0]
    for endpoint in (None, _endpoint(organization, active=False)):
        with transaction.atomic():
            found, _ = own_enrollment_locked(user_id=enrollment.user_id, enrollment_id=enrollment.pk,
                                             activity_id=activity.pk)
        assert getattr(found.organization, "lrs_endpoint", None) is None, endpoint


@pytest.mark.parametrize("active", [True, False])
def test_the_writes_xapi_events_use_the_endpoint_read_by_the_lock(enrollment, organization, active):
    _endpoint(organization, active=active)
    activity = activities_of(enrollment.course)[0]
    with CaptureQueriesContext(connection) as queries:
        progress = services.lesson_complete_own(user=enrollment.user, enrollment_id=enrollment.pk,
                                                activity_id=activity.pk)
    look_ups = f'FROM {connection.ops.quote_name(LrsEndpoint._meta.db_table)}'
    assert not [q["sql"] for q in queries.captured_queries if look_ups in q["sql"]]
    events = set(XapiStatement.objects.values_list("event", flat=True))
    assert events == ({f"progress:{progress.pk}:launched", f"progress:{progress.pk}:experienced"} if active
                      else set())


def test_the_writes_enrollment_update_moves_the_sync_key_and_keeps_the_rest(enrollment):
    """The enrollment's UPDATE is a kept statement, not ``save()``: it must still stamp ``updated_at`` (the HR
    report's sync reads it) and write the recomputed figures, and nothing else."""
    before = Enrollment.objects.get(pk=enrollment.pk)
    first, _ = activities_of(enrollment.course)
    services.lesson_complete_own(user=enrollment.user, enrollment_id=enrollment.pk, activity_id=first.pk,
                                 time_spent_seconds=45)
    after = Enrollment.objects.get(pk=enrollment.pk)
    assert after.updated_at > before.updated_at
    assert after.last_activity_at is not None and after.time_spent_seconds == before.time_spent_seconds + 45
    assert after.progress_percent == 50 and after.status == "active"
    assert (after.due_at, after.enrolled_at, after.user_id) == (before.due_at, before.enrolled_at, before.user_id)


def _prepared() -> dict[str, int]:
    """The statements the server holds prepared for this connection: statement text -> times executed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text, generic_plans + custom_plans "
                       "FROM pg_prepared_statements")
        return {(sql, types): runs for sql, types, runs in cursor.fetchall()}


def _progress_statements(prepared: dict[str, int]) -> dict[str, int]:
    tables = ('"courses_enrollment"', '"courses_activityprogress"')
    return {key: runs for key, runs in prepared.items() if any(table in key[0] for table in tables)}


def test_on_postgresql_the_writes_statements_are_prepared_once_and_run_each_time(enrollment):
    """Lock, insert-or-update and UPDATE: parsed and planned once per connection, then only run (a
    statement whose parameters change type, a time where there was none, is prepared once per shape)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    first, _ = activities_of(enrollment.course)
    services.lesson_complete_own(user=enrollment.user, enrollment_id=enrollment.pk, activity_id=first.pk)
    before = _progress_statements(_prepared())
    progress = services.lesson_complete_own(user=enrollment.user, enrollment_id=enrollment.pk,
                                            activity_id=first.pk, time_spent_seconds=30)
    after = _progress_statements(_prepared())
    assert len(after) == 3 and set(after) == set(before)
    assert all(after[key] == before[key] + 1 for key in after)
    assert progress.attempts == 2 and progress.enrollment.progress_percent == 50


def test_with_prepared_statements_off_the_write_prepares_nothing(enrollment, settings):
    """For a pooler that does not carry prepared statements from one client to the next."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.DATABASE_PREPARED_STATEMENTS = False
    before = _progress_statements(_prepared())
    first, _ = activities_of(enrollment.course)
    progress = services.lesson_complete_own(user=enrollment.user, enrollment_id=enrollment.pk,
                                            activity_id=first.pk)
    assert _progress_statements(_prepared()) == before
    assert progress.enrollment.progress_percent == 50

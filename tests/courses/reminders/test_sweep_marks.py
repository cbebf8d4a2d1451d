"""The sweep every 15 minutes reads only what came due since its last run of a kind: it logs exactly what
full sweeps at the same moments log; an enrollment changed since (by its own write, or by a membership
restored through the services, which stamp its enrollments) is looked at again; a change made behind the
services' back, which stamps nothing, waits for the next full sweep (at most REMINDER_FULL_SWEEP_HOURS); new
rules, a clock that went back, or a deleted mark sweep in full; marks are kept per scope and only with the
insert they describe."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog, ReminderPolicy, ReminderSweepMark
from courses.reminders.registry import sources
from courses.reminders.services import log as reminder_log
from courses.reminders.services.sweep_marks import sweep_plans, sweep_scope
from lms.models import Membership
from lms.services import membership_update
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, always_open, enroll, learner

pytestmark = pytest.mark.django_db

ENROLLMENT_KINDS = ["due_soon", "inactivity", "not_started", "overdue"]
# Moments of a day of sweeps after NOW, all within REMINDER_FULL_SWEEP_HOURS of the first.
MOMENTS = [NOW + timedelta(minutes=m) for m in (0, 15, 30, 150, 300, 305, 720, 1400)]


def logged_rows() -> list[tuple]:
    return sorted(ReminderLog.objects.values_list("kind", "subject_id", "period", "created_at"))


def crossing_world(org, other_org):
    """Enrollments whose thresholds are crossed at different moments of the day of sweeps, for each
    enrollment kind, in two organizations and with an organization rule and a course rule, so that each
    rule's days decide when its rows come due."""
    course, ruled_course = (build_course(title=title, activities=[{}]) for title in ("Listening", "Ruled"))
    ReminderPolicy.objects.create(organization=org, kind="inactivity", days=5)
    ReminderPolicy.objects.create(organization=org, course=ruled_course, kind="overdue", days=1)
    for organization in (org, other_org):
        always_open(organization)
        for hours in (-2, 0.1, 1, 4, 9, 20, 30):  # before NOW, during the day, after it
            day = hours / 24
            for c in (course, ruled_course):
                enroll(learner(organization), c, organization, idle_days=7 - day)  # inactivity (7 days)
                enroll(learner(organization), c, organization, idle_days=5 - day)  # inactivity (org's 5)
                enroll(learner(organization), c, organization, enrolled_days_ago=3 - day)  # not started
                enroll(learner(organization), c, organization, enrolled_days_ago=9, idle_days=1,
                       due_in_days=-day)  # overdue (0 days)
                enroll(learner(organization), c, organization, enrolled_days_ago=9, idle_days=1,
                       due_in_days=-1 - day)  # overdue (the course rule's 1 day)
                enroll(learner(organization), c, organization, enrolled_days_ago=9, idle_days=1,
                       due_in_days=3 + day)  # due soon (3 days)
    # Unchanged for a month: only the clock brings these rows due.
    Enrollment.objects.update(updated_at=NOW - timedelta(days=30))


def sweep_day(*, full: bool, organization_ids=None) -> list[int]:
    return [sum(reminders.reminders_select(now=moment, full=full, kinds=ENROLLMENT_KINDS,
                                           organization_ids=organization_ids).values()) for moment in MOMENTS]


@pytest.mark.parametrize("organization_ids", [None, "one"])
def test_a_day_of_incremental_sweeps_logs_what_full_sweeps_at_the_same_moments_log(org, other_org,
                                                                                   organization_ids):
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    crossing_world(org, other_org)
    ids = None if organization_ids is None else [org.pk]
    incremental = sweep_day(full=False, organization_ids=ids)
    marks = ReminderSweepMark.objects.filter(scope=sweep_scope(ids))
    assert {m.kind: (m.swept_until, m.full_at) for m in marks} == {k: (MOMENTS[-1], NOW) for k in ENROLLMENT_KINDS}
    by_increments = logged_rows()
    ReminderLog.objects.all().delete()
    full = sweep_day(full=True, organization_ids=ids)
    assert logged_rows() == by_increments
    assert incremental == full
    # Rows came due all through the day, not only at the first sweep: the later sweeps found them.
    assert incremental[0] > 0 and sum(incremental[1:]) >= 5 * len(ENROLLMENT_KINDS), incremental
    if ids is not None:
        assert not ReminderLog.objects.exclude(organization=org).exists()


def test_an_enrollment_changed_since_the_last_sweep_is_looked_at_again(org, course):
    """A due date moved to tomorrow: due soon by today's data at the last sweep already, so only the change
    (its ``updated_at``) brings it into the next sweep's window."""
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enrollment = enroll(learner(org), course, org, enrolled_days_ago=9, idle_days=1, due_in_days=20)
    Enrollment.objects.filter(pk=enrollment.pk).update(updated_at=NOW - timedelta(days=9))
    assert reminders.reminders_select(now=NOW, kinds=["due_soon"]) == {"due_soon": 0}
    enrollment.due_at = NOW + timedelta(days=1)
    enrollment.save()  # stamps updated_at, as every write does
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["due_soon"]) == {"due_soon": 1}
    mark = ReminderSweepMark.objects.get(kind="due_soon", scope="all")
    assert (mark.full_at, mark.swept_until) == (NOW, NOW + timedelta(minutes=15))  # that sweep was incremental


def deactivated_learner(org, course):
    """Idle 10 days, of an organization that deactivated the learner's membership; unchanged since."""
    enrollment = enroll(learner(org), course, org, idle_days=10)
    Enrollment.objects.filter(pk=enrollment.pk).update(updated_at=NOW - timedelta(days=10))
    Membership.objects.filter(user=enrollment.user, organization=org).update(is_active=False)
    return enrollment


def test_a_membership_restored_through_the_services_is_logged_by_the_next_sweep(org, course):
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enrollment = deactivated_learner(org, course)
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 0}
    membership_update(membership=Membership.objects.get(user=enrollment.user, organization=org), is_active=True)
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["inactivity"]) == {"inactivity": 1}
    assert ReminderSweepMark.objects.get(kind="inactivity").full_at == NOW  # by the incremental sweep


def test_a_membership_restored_behind_the_services_back_is_logged_by_the_next_full_sweep(org, course, settings):
    """A raw UPDATE (a data fix in SQL) stamps no enrollment: only a full sweep sees what it made due."""
    settings.REMINDER_FULL_SWEEP_HOURS = 24
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enrollment = deactivated_learner(org, course)
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 0}
    Membership.objects.filter(user=enrollment.user, organization=org).update(is_active=True)
    # Due at NOW already by today's data, and its enrollment not stamped: the incremental sweeps leave it ...
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["inactivity"]) == {"inactivity": 0}
    assert reminders.reminders_select(now=NOW + timedelta(hours=23), kinds=["inactivity"]) == {"inactivity": 0}
    # ... and the first sweep 24 hours after the last full one logs it.
    assert reminders.reminders_select(now=NOW + timedelta(hours=24), kinds=["inactivity"]) == {"inactivity": 1}
    mark = ReminderSweepMark.objects.get(kind="inactivity", scope="all")
    assert mark.full_at == mark.swept_until == NOW + timedelta(hours=24)


def test_with_full_sweeps_every_time_a_raw_change_is_logged_at_once(org, course, settings):
    settings.REMINDER_FULL_SWEEP_HOURS = 0
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enrollment = deactivated_learner(org, course)
    reminders.reminders_select(now=NOW, kinds=["inactivity"])
    Membership.objects.filter(user=enrollment.user, organization=org).update(is_active=True)
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["inactivity"]) == {"inactivity": 1}


def test_new_rules_make_the_next_sweep_full(org, course):
    """Idle for 6 days: not due under the default 7. A rule of 5 days makes it due; it was already idle 5
    days at the last sweep, so only a full sweep finds it, and the rules' digest asks for one."""
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enrollment = enroll(learner(org), course, org, idle_days=6)
    Enrollment.objects.filter(pk=enrollment.pk).update(updated_at=NOW - timedelta(days=6))
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 0}
    ReminderPolicy.objects.create(organization=org, kind="inactivity", days=5)
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["inactivity"]) == {"inactivity": 1}


def test_a_clock_that_went_back_or_a_deleted_mark_sweeps_in_full(org, course):
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    digests = {"inactivity": reminders.effective_policies()["inactivity"].digest()}
    reminders.reminders_select(now=NOW, kinds=["inactivity"])
    assert sweep_plans("all", digests, now=NOW + timedelta(minutes=15))["inactivity"].since == NOW
    assert sweep_plans("all", digests, now=NOW - timedelta(minutes=1))["inactivity"].since is None
    assert sweep_plans("all", digests, now=NOW + timedelta(minutes=15), full=True)["inactivity"].since is None
    assert sweep_plans("one", digests, now=NOW + timedelta(minutes=15))["inactivity"].since is None
    ReminderSweepMark.objects.all().delete()
    assert sweep_plans("all", digests, now=NOW + timedelta(minutes=15))["inactivity"].since is None


def test_a_mark_is_kept_only_with_the_insert_it_describes(org, course):
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enroll(learner(org), course, org, idle_days=10)
    with transaction.atomic():
        assert reminders.reminders_select(now=NOW, kinds=["inactivity"]) == {"inactivity": 1}
        transaction.set_rollback(True)
    assert not ReminderSweepMark.objects.exists() and not ReminderLog.objects.exists()
    # So the next sweep is a full one and logs the row the rolled-back sweep had found.
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["inactivity"]) == {"inactivity": 1}


def test_marks_are_kept_per_scope(org, other_org, course):
    """An organization's sweep does not make the sweep of every organization skip the other's rows."""
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    for organization in (org, other_org):
        always_open(organization)
        enroll(learner(organization), course, organization, idle_days=10)
    assert reminders.reminders_select(now=NOW, kinds=["inactivity"], organization_ids=[org.pk]) == {"inactivity": 1}
    assert reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=["inactivity"]) == {"inactivity": 1}
    assert set(ReminderSweepMark.objects.values_list("scope", flat=True)) == {"all", str(org.pk)}
    assert sweep_scope([None, other_org.pk, org.pk]) == ",".join(sorted([str(org.pk), str(other_org.pk), "none"]))


def test_kinds_without_a_window_are_always_swept_in_full(org):
    """A source that cannot tell what time brought (``due_since`` gives None) reads everything each time,
    and its mark says so."""
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    windowless = [kind for kind, src in sources().items() if src.swept and kind not in ENROLLMENT_KINDS]
    assert "manager_digest" in windowless
    reminders.reminders_select(now=NOW, kinds=windowless)
    reminders.reminders_select(now=NOW + timedelta(minutes=15), kinds=windowless)
    marks = ReminderSweepMark.objects.filter(kind__in=windowless)
    assert {(m.full_at, m.swept_until) for m in marks} == {(NOW + timedelta(minutes=15),) * 2}


def test_on_postgresql_an_incremental_sweep_finds_its_rows_before_comparing_them_with_the_log(org, course):
    """Its conditions are beyond the planner's estimates: the rows are found first into a table of their own,
    analyzed, and only they meet the log. A full sweep compares as it finds."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares in one statement")
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    always_open(org)
    enroll(learner(org), course, org, idle_days=10)

    def statements(moment, **kwargs) -> str:
        with CaptureQueriesContext(connection) as queries:
            reminders.reminders_select(now=moment, kinds=["inactivity"], **kwargs)
        return "\n".join(query["sql"] for query in queries.captured_queries)

    assert "reminder_window_" not in statements(NOW)
    enroll(learner(org), course, org, idle_days=7.005)  # comes due within the next 15 minutes
    incremental = statements(NOW + timedelta(minutes=15))
    assert "CREATE TEMPORARY TABLE reminder_window_" in incremental and "ANALYZE reminder_window_" in incremental
    assert ReminderLog.objects.filter(kind="inactivity").count() == 2


def test_the_daily_upkeep_removes_marks_no_sweep_moved_for_a_week(org, course):
    reminder_log.reminder_log_partitions_ensure(now=NOW)
    reminders.reminders_select(now=NOW - timedelta(days=8), kinds=["inactivity"], organization_ids=[org.pk])
    reminders.reminders_select(now=NOW, kinds=["inactivity"])
    assert reminder_log.reminder_log_maintain(now=NOW)["stale_marks"] == 1
    assert list(ReminderSweepMark.objects.values_list("scope", flat=True)) == ["all"]

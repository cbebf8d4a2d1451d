"""Each kind's selection: who is due now, who is not, and how policies per organization and course
change it (courses.reminders.services.reminders_select)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from courses.reminders.registry import sources
from tests import factories as people
from tests.courses.factories import build_course
from tests.courses.reminders.conftest import NOW, enroll, learner

pytestmark = pytest.mark.django_db


def selected(kind: str, now=NOW) -> set[tuple[str, int, str]]:
    reminders.reminders_select(now=now, kinds=[kind])
    return set(ReminderLog.objects.filter(kind=kind).values_list("recipient__email", "subject_id", "period"))


def test_the_registry_holds_one_source_per_kind():
    assert sorted(sources()) == ["certificate_issued", "due_soon", "hr_nudge", "inactivity", "leadership_feedback",
                                 "manager_digest", "not_started", "overdue", "peer_reviews_owed",
                                 "workshop_session_soon"]


def test_inactivity_selects_active_enrollments_idle_for_the_default_seven_days(org, course):
    idle = enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=7.5)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=6)  # not yet
    enroll(learner(org), course, org, enrolled_days_ago=30)  # never started: another kind
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=20, status=Enrollment.Status.COMPLETED)
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=20, status=Enrollment.Status.WITHDRAWN)
    period = (NOW - timedelta(days=7.5)).date().isoformat()
    assert selected("inactivity") == {(idle.user.email, idle.pk, period)}
    assert ReminderLog.objects.get().enrollment_id == idle.pk
    assert ReminderLog.objects.get().organization_id == org.pk


def test_not_started_selects_enrollments_untouched_three_days_after_enrolling(org, course):
    due = enroll(learner(org), course, org, enrolled_days_ago=3.5)
    enroll(learner(org), course, org, enrolled_days_ago=2)
    enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1)
    enroll(learner(org), course, org, enrolled_days_ago=10, status=Enrollment.Status.WITHDRAWN)
    assert selected("not_started") == {(due.user.email, due.pk, "once")}


def test_due_soon_selects_enrollments_due_within_three_days(org, course):
    soon = enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=2)
    enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=5)
    enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=-1)  # overdue instead
    enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=1,
           status=Enrollment.Status.COMPLETED)
    assert selected("due_soon") == {(soon.user.email, soon.pk, soon.due_at.date().isoformat())}


def test_overdue_selects_active_enrollments_past_their_due_date(org, course):
    late = enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=-0.5)
    enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=0.5)
    enroll(learner(org), course, org, enrolled_days_ago=10, idle_days=1, due_in_days=-3,
           status=Enrollment.Status.WITHDRAWN)
    assert selected("overdue") == {(late.user.email, late.pk, late.due_at.date().isoformat())}


def _certificate(enrollment: Enrollment, *, days_ago: float) -> Certificate:
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.COMPLETED, completed_at=NOW)
    return Certificate.objects.create(enrollment=enrollment, code=f"code{enrollment.pk}", learner_name="Ana Souza",
                                      course_title="Listening Well", course_language="en", issuer_name="Acme",
                                      hours_credited=1, issued_at=NOW - timedelta(days=days_ago))


def test_certificate_issued_goes_to_the_learners_manager_within_seven_days(org, course):
    boss = people.MembershipFactory(organization=org, roles=["supervisor", "learner"])
    reports = [people.MembershipFactory(organization=org, manager=boss) for _ in range(3)]
    loner = people.MembershipFactory(organization=org)  # no manager: nobody to tell
    recent = _certificate(enroll(reports[0].user, course, org, enrolled_days_ago=20), days_ago=1)
    _certificate(enroll(reports[1].user, course, org, enrolled_days_ago=20), days_ago=30)  # too old
    revoked = _certificate(enroll(reports[2].user, course, org, enrolled_days_ago=20), days_ago=1)
    Certificate.objects.filter(pk=revoked.pk).update(status=Certificate.Status.REVOKED, revoked_at=NOW)
    _certificate(enroll(loner.user, course, org, enrolled_days_ago=20), days_ago=1)
    assert selected("certificate_issued") == {(boss.user.email, recent.pk, "once")}


def test_manager_digest_goes_weekly_to_managers_with_someone_behind(org, course, other_org):
    behind_boss = people.MembershipFactory(organization=org, roles=["supervisor"])
    calm_boss = people.MembershipFactory(organization=org, roles=["supervisor"])
    late = people.MembershipFactory(organization=org, manager=behind_boss)
    fine = people.MembershipFactory(organization=org, manager=calm_boss)
    enroll(late.user, course, org, enrolled_days_ago=20, idle_days=1, due_in_days=-1)
    enroll(fine.user, course, org, enrolled_days_ago=20, idle_days=1, due_in_days=10)
    # Behind, but in another organization than the one where calm_boss manages them: not calm_boss's business.
    enroll(fine.user, build_course(title="Elsewhere", activities=[{}]), other_org, enrolled_days_ago=20, idle_days=30)
    assert selected("manager_digest") == {(behind_boss.user.email, behind_boss.pk, "2026-W48")}


def test_an_organization_policy_changes_the_days_and_a_course_policy_overrides_it(org, other_org, course):
    other_course = build_course(title="Another", activities=[{}])
    a = enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=4)
    b = enroll(learner(org), other_course, org, enrolled_days_ago=30, idle_days=4)
    c = enroll(learner(other_org), course, other_org, enrolled_days_ago=30, idle_days=4)
    reminders.reminder_policy_upsert(organization=org, kind="inactivity", days=3)
    reminders.reminder_policy_upsert(organization=org, kind="inactivity", course=other_course, days=10)
    assert {row[1] for row in selected("inactivity")} == {a.pk}  # b waits 10 days; c keeps the default 7
    assert b.pk and c.pk


def test_a_disabled_policy_selects_nothing_for_that_organization_or_course(org, other_org, course):
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10)
    kept = enroll(learner(other_org), course, other_org, enrolled_days_ago=30, idle_days=10)
    reminders.reminder_policy_upsert(organization=org, kind="inactivity", enabled=False)
    assert {row[1] for row in selected("inactivity")} == {kept.pk}
    reminders.reminder_policy_upsert(organization=other_org, kind="inactivity", course=course, enabled=False)
    ReminderLog.objects.all().delete()
    assert selected("inactivity") == set()


def test_selecting_twice_logs_each_reminder_once(org, course):
    enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=10, due_in_days=-1)
    first = reminders.reminders_select(now=NOW)
    second = reminders.reminders_select(now=NOW + timedelta(minutes=15))
    assert first["inactivity"] == 1 and first["overdue"] == 1
    assert sum(second.values()) == 0
    assert ReminderLog.objects.count() == 2


def test_a_course_rule_without_days_takes_the_organizations_days(org, course):
    idle = enroll(learner(org), course, org, enrolled_days_ago=30, idle_days=4)
    reminders.reminder_policy_upsert(organization=org, kind="inactivity", enabled=False, days=3)
    reminders.reminder_policy_upsert(organization=org, kind="inactivity", course=course, enabled=True)
    assert {row[1] for row in selected("inactivity")} == {idle.pk}

"""courses.enrollments.services: the one door into progress (activity_record_result)."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from courses.enrollments import services
from courses.enrollments.errors import EnrollmentConflict, ProgressError
from courses.enrollments.models import ActivityProgress, Enrollment
from tests import factories as people
from tests.courses.factories import activities_of, build_course, completion_hook


def _enroll(course, user=None) -> Enrollment:
    user = user or people.UserFactory()
    enrollment, created = services.enrollment_create(user=user, course=course)
    assert created
    return enrollment


@pytest.fixture
def weighted_course(db):
    """A (required, weight 3), B (required, weight 1), C (optional, weight 2): quizzes with scores."""
    return build_course(slug="weighted", activities=[
        {"title": "A", "kind": "quiz", "required": True, "weight": 3},
        {"title": "B", "kind": "quiz", "required": True, "weight": 1},
        {"title": "C", "kind": "quiz", "required": False, "weight": 2},
    ])


def test_optional_activity_does_not_block_completion(weighted_course):
    a, b, c = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)

    services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=80)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.progress_percent, enrollment.completed_at) == ("active", 75, None)

    services.activity_record_result(enrollment=enrollment, activity=b, passed=True, score=40)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert enrollment.progress_percent == 100
    assert enrollment.completed_at is not None
    assert not ActivityProgress.objects.filter(enrollment=enrollment, activity=c).exists()


def test_final_score_is_the_weighted_mean_of_required_and_attempted(weighted_course):
    a, b, c = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=80)
    enrollment.refresh_from_db()
    # B is required and unattempted: it counts 0. (80*3 + 0*1) / 4 = 60; C (optional, untouched) is left out.
    assert enrollment.final_score == Decimal("60.00")

    services.activity_record_result(enrollment=enrollment, activity=b, passed=True, score=40)
    enrollment.refresh_from_db()
    assert enrollment.final_score == Decimal("70.00")  # (80*3 + 40*1) / 4

    services.activity_record_result(enrollment=enrollment, activity=c, passed=True, score=100)
    enrollment.refresh_from_db()
    assert enrollment.final_score == Decimal("80.00")  # (80*3 + 40*1 + 100*2) / 6: optional C raises the mean


def test_weight_zero_is_not_scored_but_still_moves_progress(db):
    course = build_course(activities=[
        {"title": "Scored", "kind": "quiz", "weight": 1},
        {"title": "Unscored", "kind": "quiz", "weight": 0},
    ])
    scored, unscored = activities_of(course)
    enrollment = _enroll(course)
    services.activity_record_result(enrollment=enrollment, activity=unscored, passed=True, score=10)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 50
    assert enrollment.final_score == Decimal("0.00")  # only "Scored" (unattempted, 0) counts

    services.activity_record_result(enrollment=enrollment, activity=scored, passed=True, score=90)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.final_score) == ("completed", Decimal("90.00"))


def test_a_failed_optional_activity_does_not_block_completion(db):
    """Optional work can only help: a poor optional attempt never holds back a passing learner."""
    course = build_course(passing_score=70, activities=[
        {"title": "Core quiz", "kind": "quiz", "required": True, "weight": 1},
        {"title": "Bonus quiz", "kind": "quiz", "required": False, "weight": 1},
    ])
    core, bonus = activities_of(course)
    enrollment = _enroll(course)
    services.activity_record_result(enrollment=enrollment, activity=bonus, passed=False, score=0)
    services.activity_record_result(enrollment=enrollment, activity=core, passed=True, score=80)
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert enrollment.final_score == Decimal("80.00")  # not (80 + 0) / 2 = 40

    services.activity_record_result(enrollment=enrollment, activity=bonus, passed=True, score=100)
    enrollment.refresh_from_db()
    assert enrollment.final_score == Decimal("90.00")  # (80 + 100) / 2: optional work that helps counts


def test_a_poor_optional_attempt_after_completion_does_not_lower_the_final_score(weighted_course):
    a, b, c = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=80)
    services.activity_record_result(enrollment=enrollment, activity=b, passed=True, score=40)
    services.activity_record_result(enrollment=enrollment, activity=c, passed=False, score=10)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.final_score) == ("completed", Decimal("70.00"))


def test_a_course_without_required_activities_needs_them_all(db):
    course = build_course(activities=[
        {"title": "One", "kind": "quiz", "required": False}, {"title": "Two", "kind": "quiz", "required": False},
    ])
    one, two = activities_of(course)
    enrollment = _enroll(course)
    services.activity_record_result(enrollment=enrollment, activity=one, passed=True, score=90)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.progress_percent, enrollment.final_score) == ("active", 50, Decimal("45.00"))
    services.activity_record_result(enrollment=enrollment, activity=two, passed=True, score=70)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.progress_percent, enrollment.final_score) == (
        "completed", 100, Decimal("80.00"))


def test_completing_the_same_lesson_twice_is_idempotent(db):
    course = build_course(activities=[{"title": "Only lesson"}])
    (lesson,) = activities_of(course)
    enrollment = _enroll(course)
    with completion_hook() as calls:
        first = services.lesson_complete(enrollment=enrollment, activity=lesson, time_spent_seconds=60)
        enrollment.refresh_from_db()
        completed_at = enrollment.completed_at
        assert enrollment.status == "completed" and completed_at is not None

        second = services.lesson_complete(enrollment=enrollment, activity=lesson, time_spent_seconds=30)

    assert ActivityProgress.objects.filter(enrollment=enrollment).count() == 1
    row = ActivityProgress.objects.get(enrollment=enrollment)
    assert row.attempts == 2
    assert row.completed_at == first.completed_at == second.completed_at
    assert row.time_spent_seconds == 90
    enrollment.refresh_from_db()
    assert enrollment.completed_at == completed_at
    assert enrollment.status == "completed"
    assert enrollment.time_spent_seconds == 90
    assert calls == []  # the test transaction never commits: hooks wait for a commit


def test_best_score_is_kept(weighted_course):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=90)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=60)
    row = ActivityProgress.objects.get(enrollment=enrollment, activity=a)
    assert (row.score, row.attempts, row.status) == (Decimal("90.00"), 2, "passed")


def test_a_failed_later_attempt_never_undoes_a_pass(weighted_course):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=85)
    passed_at = ActivityProgress.objects.get(enrollment=enrollment, activity=a).completed_at
    services.activity_record_result(enrollment=enrollment, activity=a, passed=False, score=20)
    row = ActivityProgress.objects.get(enrollment=enrollment, activity=a)
    assert (row.status, row.score, row.attempts, row.completed_at) == ("passed", Decimal("85.00"), 2, passed_at)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 75


def test_failure_before_a_pass_is_recorded_as_failed(weighted_course):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=False, score=30)
    row = ActivityProgress.objects.get(enrollment=enrollment, activity=a)
    assert (row.status, row.completed_at) == ("failed", None)
    enrollment.refresh_from_db()
    assert enrollment.progress_percent == 0


def test_passing_score_gate_keeps_the_enrollment_active_until_the_score_is_reached(db):
    course = build_course(passing_score=70, activities=[
        {"title": "Quiz 1", "kind": "quiz"}, {"title": "Quiz 2", "kind": "quiz"},
    ])
    q1, q2 = activities_of(course)
    enrollment = _enroll(course)
    with completion_hook() as calls:
        services.activity_record_result(enrollment=enrollment, activity=q1, passed=True, score=60)
        services.activity_record_result(enrollment=enrollment, activity=q2, passed=True, score=60)
        enrollment.refresh_from_db()
        assert (enrollment.status, enrollment.progress_percent) == ("active", 100)
        assert enrollment.final_score == Decimal("60.00")
        assert enrollment.completed_at is None

        services.activity_record_result(enrollment=enrollment, activity=q2, passed=True, score=90)
    enrollment.refresh_from_db()
    assert enrollment.final_score == Decimal("75.00")  # (60 + 90) / 2 >= 70
    assert enrollment.status == "completed" and enrollment.completed_at is not None
    assert calls == []  # not committed


def test_completion_hook_runs_once_after_commit(django_capture_on_commit_callbacks, weighted_course):
    a, b, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    with completion_hook() as calls:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=100)
            services.activity_record_result(enrollment=enrollment, activity=b, passed=True, score=100)
            assert calls == []  # not before the commit
        assert calls == [enrollment.pk]
        assert len(callbacks) == 1

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.activity_record_result(enrollment=enrollment, activity=b, passed=True, score=100)
        assert callbacks == []
        assert calls == [enrollment.pk]


def test_a_failing_hook_is_logged_and_the_other_hooks_still_run(db, django_capture_on_commit_callbacks, caplog):
    course = build_course(activities=[{"title": "Only"}])
    (lesson,) = activities_of(course)
    enrollment = _enroll(course)

    def explode(enrollment_id: int) -> None:
        raise RuntimeError("broker down")

    with completion_hook(explode), completion_hook() as calls:
        with django_capture_on_commit_callbacks(execute=True):
            services.lesson_complete(enrollment=enrollment, activity=lesson)
    assert calls == [enrollment.pk]
    assert "completion hook explode failed" in caplog.text
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"


def test_withdrawn_enrollment_cannot_record(weighted_course):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.enrollment_withdraw(enrollment=enrollment)
    with pytest.raises(EnrollmentConflict) as excinfo:
        services.activity_record_result(enrollment=enrollment, activity=a, passed=True, score=100)
    assert (excinfo.value.status_code, excinfo.value.code) == (409, "enrollment_not_active")
    assert not ActivityProgress.objects.filter(enrollment=enrollment).exists()


def test_activity_of_another_course_is_not_found(weighted_course):
    other = build_course(activities=[{"title": "Elsewhere"}])
    enrollment = _enroll(weighted_course)
    with pytest.raises(ProgressError) as excinfo:
        services.activity_record_result(enrollment=enrollment, activity=activities_of(other)[0], passed=True)
    assert (excinfo.value.status_code, excinfo.value.code) == (404, "activity_not_in_course")
    assert not ActivityProgress.objects.exists()


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"score": 101}, "invalid_score"), ({"score": -1}, "invalid_score"), ({"time_spent_seconds": -5}, "invalid_time"),
])
def test_bad_values_are_rejected_before_anything_is_written(weighted_course, kwargs, code):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    with pytest.raises(ProgressError) as excinfo:
        services.activity_record_result(enrollment=enrollment, activity=a, passed=True, **kwargs)
    assert (excinfo.value.status_code, excinfo.value.code) == (422, code)
    assert not ActivityProgress.objects.exists()


def test_time_spent_is_capped_per_result_and_per_heartbeat(weighted_course):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    services.activity_record_result(enrollment=enrollment, activity=a, passed=False, time_spent_seconds=10 * 3600)
    services.activity_heartbeat(enrollment=enrollment, activity=a, seconds=3600)
    row = ActivityProgress.objects.get(enrollment=enrollment, activity=a)
    assert row.time_spent_seconds == 4 * 3600 + 300
    enrollment.refresh_from_db()
    assert enrollment.time_spent_seconds == 4 * 3600 + 300


def test_lesson_complete_refuses_other_kinds(weighted_course):
    a, _, _ = activities_of(weighted_course)
    enrollment = _enroll(weighted_course)
    with pytest.raises(ProgressError) as excinfo:
        services.lesson_complete(enrollment=enrollment, activity=a)
    assert (excinfo.value.status_code, excinfo.value.code) == (409, "not_a_lesson")
    assert not ActivityProgress.objects.exists()


# --- the race: two final results at once (PostgreSQL only: SQLite serialises every writer) ---------

def _race(enrollment_id: int, activities) -> list[BaseException]:
    barrier = threading.Barrier(len(activities))
    errors: list[BaseException] = []

    def run(activity) -> None:
        try:
            enrollment = Enrollment.objects.get(pk=enrollment_id)
            barrier.wait(timeout=10)
            services.activity_record_result(enrollment=enrollment, activity=activity, passed=True, score=100)
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(activity,)) for activity in activities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return errors


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks race only on PostgreSQL")


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_activity", [False, True], ids=["two-last-activities", "same-last-activity"])
def test_racing_final_results_complete_exactly_once(same_activity):
    course = build_course(activities=[{"title": f"Step {n}", "kind": "quiz"} for n in range(3)])
    first, second, third = activities_of(course)
    enrollment = _enroll(course)
    services.activity_record_result(enrollment=enrollment, activity=first, passed=True, score=100)
    if same_activity:
        services.activity_record_result(enrollment=enrollment, activity=second, passed=True, score=100)
    lock = threading.Lock()
    seen: list[int] = []

    def record(enrollment_id: int) -> None:
        with lock:
            seen.append(enrollment_id)

    with completion_hook(record):
        errors = _race(enrollment.pk, [third, third] if same_activity else [second, third])
    assert errors == []
    assert seen == [enrollment.pk]
    enrollment.refresh_from_db()
    assert enrollment.status == "completed" and enrollment.completed_at is not None
    assert enrollment.progress_percent == 100
    rows = ActivityProgress.objects.filter(enrollment=enrollment)
    assert rows.count() == 3
    if same_activity:
        assert rows.get(activity=third).attempts == 2

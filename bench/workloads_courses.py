"""Course workloads."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from bench import data
from bench.registry import Context, Outcome, Plan, Request, workload
from courses.catalog import services as catalog_services
from courses.catalog.models import Activity, Course, Lesson
from courses.certificates.models import Certificate
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import ActivityProgress, Enrollment
from lms.models import Organization

COURSE_SLUG = "bench-progress-write"
LESSON_BODY = "A short bench lesson.\n\n" + "Empathy starts with listening. " * 40  # ~200 words: 1 minute
TIME_SPENT = {"time_spent_seconds": 90}


def _course(org: Organization, activities: int) -> Course:
    """The bench course: published, one module, ``activities`` article lessons (made through courses.services).

    Reused when it still has exactly that shape; otherwise deleted (with its enrollments) and rebuilt.
    """
    course = Course.objects.filter(slug=COURSE_SLUG).first()
    if course is not None:
        kinds = list(Activity.objects.filter(course=course).values_list("kind", flat=True))
        lessons = Lesson.objects.filter(activity__course=course).count()
        if (course.status == Course.Status.PUBLISHED and course.modules.count() == 1 and len(kinds) == activities
            and lessons == activities and set(kinds) == {Activity.Kind.LESSON}):
            return course
        course.delete()
    progress = data.Progress("course activities", activities)
    with transaction.atomic():
        course = catalog_services.course_create(slug=COURSE_SLUG, title="Bench: progress write", organization=org,
                                                description="Lessons that learners mark done during the benchmark.")
        module = catalog_services.module_create(course=course, title="Module 1")
        for n in range(activities):
            catalog_services.activity_create(module=module, title=f"Lesson {n + 1}",
                                             lesson={"content_type": "article", "body": LESSON_BODY})
            progress.advance()
        catalog_services.course_publish(course=course)
    course.refresh_from_db()
    return course


def _fresh_enrollments(course: Course, org: Organization, learners: list) -> list[Enrollment]:
    """Drop the previous run's enrollments, progress and certificates in the bench course (a worker on the
    bench's broker may have issued certificates for the enrollments the last run completed); one active
    enrollment per learner."""
    Certificate.objects.filter(enrollment__course=course).delete()
    ActivityProgress.objects.filter(enrollment__course=course).delete()
    Enrollment.objects.filter(course=course).delete()
    now = timezone.now()
    created = data.bulk(Enrollment, [
        Enrollment(user=user, course=course, organization=org, status=Enrollment.Status.ACTIVE, enrolled_at=now)
        for user in learners
    ], "enrollments (progress_write)")
    return created  # PostgreSQL returns the ids; same order as ``learners``


@workload("progress_write", sizes={"learners": 500, "activities": 10})
def progress_write(ctx: Context) -> Plan:
    """POST …/enrollments/{id}/activities/{id}/complete/, first completions (some final); floor POST /bench/floor/."""
    learner_count, activity_count = ctx.sizes["learners"], ctx.sizes["activities"]
    if learner_count < 1 or activity_count < 1:
        raise ValueError("--learners and --activities must be at least 1.")
    org = data.organization()
    course = _course(org, activity_count)
    activity_rows = list(Activity.objects.filter(course=course).order_by("position", "id"))
    activities = [a.pk for a in activity_rows]
    learners = data.people(org, learner_count, prefix="learner", roles=("learner",))
    auth = [{"Authorization": f"Token {raw}"} for raw in data.tokens(learners)]
    enrollment_rows = _fresh_enrollments(course, org, learners)
    enrollments = [e.pk for e in enrollment_rows]

    # Lanes: request i goes to lane i % lanes; a lane walks its learners one after another through
    # every activity in order, so each (learner, activity) pair is asked for once and a learner's
    # last activity completes the enrollment. Lanes start at staggered activities (lane % activities),
    # and the first learner of a lane has the activities before its start passed here, through
    # courses.services, so from the first request on about one in ``activities`` completes an
    # enrollment, whatever the time cap cuts. A learner's next request comes ``lanes`` indices
    # later: its previous one has long finished.
    lanes = min(learner_count, max(64, 8 * ctx.concurrency))
    seeded = 0
    seeding = data.Progress("head starts (lesson_complete)", sum(lane % activity_count for lane in range(lanes)))
    for lane in range(lanes):
        for activity in activity_rows[:lane % activity_count]:
            enrollment_services.lesson_complete(enrollment=enrollment_rows[lane], activity=activity,
                                                time_spent_seconds=TIME_SPENT["time_spent_seconds"])
            seeded += 1
            seeding.advance()

    def target(i: int) -> tuple[int, int]:
        step, lane = divmod(i, lanes)
        walked, a = divmod(step + lane % activity_count, activity_count)
        return walked * lanes + lane, a

    needed = max(target(i)[0] for i in range(ctx.total_indices)) + 1 if ctx.total_indices else 0
    if needed > learner_count:
        raise ValueError(f"progress_write needs --learners {needed} or more for {ctx.total_indices} distinct "
                         f"first completions with --activities {activity_count} (got --learners {learner_count}).")

    def project(i: int) -> Request:
        k, a = target(i)
        return Request.json("POST", f"/api/v1/enrollments/{enrollments[k]}/activities/{activities[a]}/complete/",
                            TIME_SPENT, auth[k])

    def floor(i: int) -> Request:
        k, _ = target(i)
        return Request.json("POST", "/bench/floor/", TIME_SPENT, auth[k])

    def verify(outcome: Outcome) -> str:
        rows = ActivityProgress.objects.filter(enrollment__course=course)
        passed = rows.filter(status=ActivityProgress.Status.PASSED).count()
        problems = []
        if passed != seeded + outcome.project_ok:
            problems.append(f"{passed} passed progress rows, but {seeded} head starts + {outcome.project_ok} "
                            "successful requests")
        if rows.count() != passed or rows.exclude(attempts=1).exists():
            problems.append("progress rows that are not single passing attempts")
        stats = Enrollment.objects.filter(course=course).annotate(
            passed=Count("progress", filter=Q(progress__status=ActivityProgress.Status.PASSED)),
            last_pass=Max("progress__completed_at"),
        )
        done = stats.filter(passed=activity_count)
        completed = done.filter(status=Enrollment.Status.COMPLETED, completed_at__isnull=False, progress_percent=100)
        if completed.count() != done.count():
            problems.append(f"{done.count() - completed.count()} enrollments with every activity passed "
                            "are not completed")
        # Completed once: at the request that passed the last activity, never again afterwards.
        late = [e.pk for e in completed if e.completed_at != e.last_pass]
        if late:
            problems.append(f"{len(late)} enrollments completed at another time than their last pass ({late[:5]})")
        early = stats.exclude(passed=activity_count).exclude(status=Enrollment.Status.ACTIVE, completed_at=None)
        if early.exists():
            problems.append(f"{early.count()} enrollments completed or changed without every activity passed")
        if problems:
            raise AssertionError("; ".join(problems))
        return (f"ok: {passed} passed progress rows = {outcome.project_ok} successful requests (warm-up "
                f"included) + {seeded} head starts; {completed.count()} enrollments completed, each once")

    return Plan(project=project, floor=floor, project_ok=frozenset({200}), verify=verify)

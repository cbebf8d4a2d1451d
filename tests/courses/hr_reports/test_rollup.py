"""The HR summary's rollup: it answers like the live aggregate, in a constant number of queries; the clock
moves overdue and certificate figures without a refresh; refresh after random writes equals a rebuild."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from courses.certificates import services as certificate_services
from courses.certificates.models import Certificate
from courses.enrollments import services as enrollment_services
from courses.enrollments.models import Enrollment
from courses.hr_reports import queries
from courses.hr_reports.models import HrRollup
from courses.hr_reports.services.rollup import duration_bucket, rollup_rebuild, rollup_refresh
from lms import services as people_services
from lms.models import Membership
from tests.courses.factories import build_course
from tests.courses.hr_reports.conftest import add_member, complete, enroll

URL = "/api/v1/reports/summary/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settle(settings):
    settings.HR_ROLLUP_SETTLE_SECONDS = 0  # the refresh under test finds moved groups by fingerprint alone


def _rollup_answer(world, **filters) -> dict:
    answer = queries.summary(actor=world.hr, filters=queries.Filters(**filters))
    assert HrRollup.objects.exists(), "the rollup was not built: this compared the live query with itself"
    return answer


def _live_answer(world, **filters) -> dict:
    return queries.live_summary(actor=world.hr, filters=queries.Filters(**filters))


def _comparable(answer: dict, tolerance_days: float = 0.0) -> dict:
    """The answer with medians rounded to the histogram's precision (compared separately)."""
    out = {}
    for grouping, rows in answer.items():
        out[grouping] = sorted(({k: v for k, v in row.items() if k != "median_days_to_complete"} for row in rows),
                               key=lambda row: sorted((k, str(v)) for k, v in row.items()))
    return out


def _medians(answer: dict) -> list[float | None]:
    return [row["median_days_to_complete"] for grouping in ("by_course", "by_department")
            for row in sorted(answer[grouping],
                              key=lambda r: (r["organization"], r.get("course", r.get("department"))))]


def _assert_same(rollup: dict, live: dict, tolerance_days: float = 0.1) -> None:
    """Equal figures; each median read low by at most the histogram's step (0.1 day under 30 days: the rollup
    keeps a bucket's lower bound) plus the live median's rounding to one decimal."""
    assert _comparable(rollup) == _comparable(live)
    for got, want in zip(_medians(rollup), _medians(live), strict=True):
        assert (got is None) == (want is None)
        if got is not None:
            assert want - tolerance_days - 0.05 <= got <= want + 0.05


def test_the_summary_from_the_rollup_matches_the_live_aggregate(world, client_for):
    e, now = world.enrollments, timezone.now()
    alice, cleo = complete(e["alice"], score=80), complete(e["cleo_acme"], score=100)
    Enrollment.objects.filter(pk=alice.pk).update(enrolled_at=now - timedelta(days=4), completed_at=now)
    Enrollment.objects.filter(pk=cleo.pk).update(enrolled_at=now - timedelta(days=10), completed_at=now)
    for enrollment in (alice, cleo):
        certificate_services.certificate_issue(enrollment_id=enrollment.pk)
    Certificate.objects.filter(enrollment=cleo).update(expires_at=now + timedelta(days=10))
    call_command("rollup_rebuild")
    body = client_for(world.hr).get(URL).json()
    listening = next(row for row in body["by_course"] if row["course"] == "listening")
    assert listening == {
        "organization": "acme", "course": "listening", "course_title": "Listening well", "enrolled": 3,
        "completed": 2, "completion_rate": round(2 / 3, 4), "overdue": 1, "average_score": "90.00",
        "median_days_to_complete": 7.0, "valid_certificates": 2, "certificates_expiring_30_days": 1,
    }
    assert body == _live_answer(world)
    support = _rollup_answer(world, department=world.support.pk)
    assert support == _live_answer(world, department=world.support.pk)
    assert [row["enrolled"] for row in support["by_course"]] == [1]
    assert _rollup_answer(world, course="calm") == _live_answer(world, course="calm")


def test_the_summary_is_scoped_to_the_callers_organizations(world, client_for):
    rollup_rebuild()
    body = client_for(world.globex_hr).get(URL).json()
    assert [row["course"] for row in body["by_course"]] == ["calm"]
    assert [(row["department"], row["enrolled"]) for row in body["by_department"]] == [("Operations", 1)]
    assert all(row["organization"] == "acme" for row in client_for(world.hr).get(URL).json()["by_course"])


def _grow(world, learners: int) -> None:
    course = build_course(slug=f"grow-{learners}", title="Grow", activities=[{"title": "Read"}], due_days=1)
    for n in range(learners):
        member = add_member(world.acme, department=world.sales if n % 2 else world.support)
        enrollment = enroll(member.user, course, world.acme, due_at=timezone.now() - timedelta(days=n % 3))
        if n % 3 == 0:
            complete(enrollment, score=70 + n)


@pytest.mark.parametrize("learners", [3, 30])
def test_summary_and_chart_take_a_constant_number_of_queries(world, learners, django_assert_num_queries):
    _grow(world, learners)
    rollup_rebuild()
    with django_assert_num_queries(3):  # the rollup collapsed, the due edge, the expiry edge
        answer = queries.summary(actor=world.hr, filters=queries.Filters(organization=world.acme))
    assert sum(row["enrolled"] for row in answer["by_course"]) == 4 + learners
    with django_assert_num_queries(1):
        _labels, series = queries.completions_by_month(organization=world.acme)
    assert sum(series["Support"]) + sum(series.get("Sales", [0] * 12)) == (learners + 2) // 3


def test_the_clock_moves_overdue_and_certificates_without_a_refresh(world, monkeypatch):
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: start)
    e = world.enrollments
    Enrollment.objects.filter(pk=e["alice"].pk).update(due_at=start + timedelta(hours=1))
    Enrollment.objects.filter(pk=e["bob_calm"].pk).update(due_at=start + timedelta(days=2))
    soon, later = complete(e["cleo_acme"]), complete(e["bob"])
    for enrollment, expires in ((soon, start + timedelta(hours=3)), (later, start + timedelta(days=30, hours=1))):
        certificate_services.certificate_issue(enrollment_id=enrollment.pk)
        Certificate.objects.filter(enrollment=enrollment).update(expires_at=expires)
    rollup_rebuild()
    seen = []
    for hours in (0, 2, 4, 24, 49, 24 * 31):
        moment = start + timedelta(hours=hours)
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        rollup, live = _rollup_answer(world), _live_answer(world)
        _assert_same(rollup, live)
        seen.append(tuple(sum(row[key] for row in rollup["by_course"])
                          for key in ("overdue", "valid_certificates", "certificates_expiring_30_days")))
    assert seen == [(0, 2, 1), (1, 2, 2), (1, 1, 1), (1, 1, 1), (2, 1, 1), (2, 0, 0)]


def test_overdue_reads_the_snapshot_of_today_then_only_what_fell_due_since(world, monkeypatch):
    noon = (datetime.now(UTC) + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    e = world.enrollments
    for name in ("alice", "bob_calm", "cleo_acme"):
        assert Enrollment.objects.get(pk=e[name].pk).status == Enrollment.Status.ACTIVE
    Enrollment.objects.filter(pk__in=[e[name].pk for name in ("alice", "bob_calm", "cleo_acme")]).update(due_at=None)
    before = sum(row["overdue"] for row in _live_answer(world)["by_course"])
    Enrollment.objects.filter(pk=e["alice"].pk).update(due_at=noon - timedelta(hours=3))
    Enrollment.objects.filter(pk=e["bob_calm"].pk).update(due_at=noon + timedelta(minutes=20))
    rollup_rebuild()
    assert sum(HrRollup.objects.filter(kind=HrRollup.Kind.DUE_TODAY).values_list("count", flat=True)) == 1  # alice

    def overdue(answer: dict) -> int:
        return sum(row["overdue"] for row in answer["by_course"]) - before

    later = noon + timedelta(minutes=30)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert overdue(_rollup_answer(world)) == 2  # alice from the snapshot, bob from what fell due since noon
    # A due date moved behind the snapshot without touching the row's stamp is the rollup's to see: the
    # summary reads the snapshot, not the morning's enrollments, until the next refresh.
    Enrollment.objects.filter(pk=e["cleo_acme"].pk).update(due_at=noon - timedelta(hours=1))
    assert (overdue(_rollup_answer(world)), overdue(_live_answer(world))) == (2, 3)
    rollup_rebuild()
    assert overdue(_rollup_answer(world)) == 3
    assert _comparable(_rollup_answer(world)) == _comparable(_live_answer(world))


def test_the_chart_reads_course_and_department_filters_from_the_rollup(world):
    complete(world.enrollments["alice"])
    complete(world.enrollments["bob"])
    rollup_rebuild()
    _labels, series = queries.completions_by_month(organization=world.acme)
    assert series == {"Sales": [0] * 11 + [1], "Support": [0] * 11 + [1]}
    filtered = queries.Filters(department=world.support.pk, course="listening")
    assert queries.completions_by_month(organization=world.acme, filters=filtered)[1] == {"Support": [0] * 11 + [1]}
    live = queries.Filters(manager="boss@acme.example")  # not in the rollup: answered live
    assert queries.completions_by_month(organization=world.acme, filters=live)[1] == {"Support": [0] * 11 + [1]}


def test_never_built_falls_back_to_the_live_query(world):
    complete(world.enrollments["alice"])
    assert queries.summary(actor=world.hr, filters=queries.Filters()) == _live_answer(world)
    assert queries.completions_by_month(organization=world.acme)[1] == {"Support": [0] * 11 + [1]}


def test_the_rebuild_command(world):
    call_command("rollup_rebuild", "--organization", "globex")
    assert set(HrRollup.objects.values_list("organization__slug", flat=True)) == {"globex"}
    with pytest.raises(CommandError):
        call_command("rollup_rebuild", "--organization", "nope")


def test_duration_buckets_have_the_documented_precision():
    day = 86400
    assert duration_bucket(4 * day) == 40 and duration_bucket(4.26 * day) == 42
    assert duration_bucket(45.7 * day) == 450 and duration_bucket(400.5 * day) == 4000


@pytest.mark.parametrize("delta", [
    timedelta(0), timedelta(microseconds=1), timedelta(seconds=8639, microseconds=999999), timedelta(seconds=8640),
    timedelta(days=4), timedelta(days=4.26), timedelta(days=30) - timedelta(microseconds=1), timedelta(days=30),
    timedelta(days=45.7), timedelta(days=365) - timedelta(microseconds=1), timedelta(days=365),
    timedelta(days=400.5), timedelta(days=1234, seconds=5), timedelta(microseconds=-1), timedelta(seconds=-8640),
    timedelta(seconds=-8640, microseconds=-1), timedelta(days=-3.3),
], ids=str)
def test_the_database_buckets_days_to_complete_exactly_like_python(world, delta):
    """The rollup's days-to-complete bucket is computed in SQL; on the edges it equals ``duration_bucket``."""
    enrolled_at = datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    alice = complete(world.enrollments["alice"], score=80)
    Enrollment.objects.filter(pk=alice.pk).update(enrolled_at=enrolled_at, completed_at=enrolled_at + delta)
    rollup_rebuild(organization_id=world.acme.pk)
    values = set(HrRollup.objects.filter(course_id=alice.course_id, kind=HrRollup.Kind.DURATION)
                 .values_list("value", flat=True))
    assert values == {duration_bucket(delta.total_seconds())}


# --- random writes through the services: the refreshed rollup equals a rebuild --------------------------

def _snapshot() -> list[tuple]:
    """The rollup's rows but today's due snapshot, which each run takes at its own minute (tested apart)."""
    rows = HrRollup.objects.exclude(kind=HrRollup.Kind.DUE_TODAY)
    return sorted(rows.values_list("organization_id", "course_id", "department_id", "kind", "bucket", "value", "count",
                                   "score_sum", "score_count"),
                  key=lambda row: tuple(str(cell) for cell in row))


def _rebuilt_snapshot() -> list[tuple]:
    with transaction.atomic():
        rollup_rebuild()
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


def _step(rng: random.Random, world, learners: list[Membership], courses: list) -> str:
    action = rng.choice(["enroll", "enroll", "complete", "withdraw", "certificate", "revoke", "department",
                         "course", "delete", "due"])
    enrollments = list(Enrollment.objects.filter(organization__isnull=False).order_by("id"))
    active = [e for e in enrollments if e.status == Enrollment.Status.ACTIVE]
    completed = [e for e in enrollments if e.status == Enrollment.Status.COMPLETED]
    if action == "enroll":
        member = rng.choice(learners)
        enrollment_services.enrollment_create(user=member.user, course=rng.choice(courses),
                                              organization=member.organization)
    elif action == "complete" and active:
        complete(rng.choice(active), score=rng.randint(50, 100))
    elif action == "withdraw" and active:
        enrollment_services.enrollment_withdraw(enrollment=rng.choice(active))
    elif action == "certificate" and completed:
        certificate_services.certificate_issue(enrollment_id=rng.choice(completed).pk)
    elif action == "revoke" and Certificate.objects.filter(status="valid").exists():
        certificate = rng.choice(list(Certificate.objects.filter(status="valid").order_by("id")))
        certificate_services.certificate_revoke(certificate=certificate, actor=world.hr, reason="test")
    elif action == "department":
        member = rng.choice([m for m in learners if m.organization_id == world.acme.pk])
        people_services.membership_update(membership=member, department=rng.choice([world.support, world.sales, None]))
    elif action == "course":
        course = rng.choice(courses)
        course.title = f"Renamed {rng.randint(1, 999)}"
        course.save()
    elif action == "delete" and (deletable := [e for e in enrollments if not hasattr(e, "certificate")]):
        rng.choice(deletable).delete()
    elif action == "due" and active:
        enrollment = rng.choice(active)
        enrollment.due_at = timezone.now() + timedelta(hours=rng.randint(-72, 72))
        enrollment.save()
    return action


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_refresh_after_random_writes_equals_a_rebuild(world, seed):
    rng = random.Random(seed)
    learners = list(Membership.objects.select_related("user", "organization").order_by("id"))
    courses = [world.course, world.other_course]
    rollup_rebuild()
    actions = []
    for _ in range(25):
        actions.append(_step(rng, world, learners, courses))
        rollup_refresh()
        assert _snapshot() == _rebuilt_snapshot(), actions
    _assert_same(_rollup_answer(world), _live_answer(world), tolerance_days=0.1)
    assert Decimal(0) <= sum(row[7] for row in _snapshot())

"""peer_reviews_owed (assessments/reminders.py): registered with the courses registry at start-up;
one reminder a day per reviewer with pending reviews due within two days or late, listing them."""
from __future__ import annotations

import datetime
from datetime import timedelta

import pytest

from assessments.roleplays.models import ReviewAssignment, ReviewerRole
from courses.reminders import registry
from courses.reminders import services as reminders
from courses.reminders.models import ReminderLog
from tests import factories as people
from tests.assessments.roleplays.factories import perform, world

pytestmark = pytest.mark.django_db
KIND = "peer_reviews_owed"
NOW = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://lms.example.test"


def test_the_registry_lists_the_kind_of_another_app():
    assert KIND in registry.sources()
    assert registry.source(KIND).__class__.__module__ == "assessments.roleplays.reminders"


def selected(now=NOW) -> set[tuple[str, int, str]]:
    reminders.reminders_select(now=now, kinds=[KIND])
    return set(ReminderLog.objects.filter(kind=KIND).values_list("recipient__email", "subject_id", "period"))


@pytest.fixture
def w(org):
    result = world(org, learners=3)
    performances = [perform(result, index) for index in range(3)]
    ReviewAssignment.objects.all().delete()  # only the assignments each test places in time
    result.performances = performances
    return result


def owe(w, reviewer, index: int, *, due_in_days: float, status=ReviewAssignment.Status.PENDING):
    return ReviewAssignment.objects.create(performance=w.performances[index], reviewer=reviewer,
                                           role=ReviewerRole.PEER, status=status,
                                           due_at=NOW + timedelta(days=due_in_days))


def test_reviewers_with_reviews_due_within_two_days_or_late_get_one_reminder_a_day(w, org):
    soon, late, later, done = (people.member(org) for _ in range(4))
    owe(w, soon, 0, due_in_days=1)
    owe(w, soon, 1, due_in_days=1.5)  # two owed: still one reminder
    owe(w, late, 0, due_in_days=-3)
    owe(w, later, 1, due_in_days=5)  # not yet
    owe(w, done, 2, due_in_days=1, status=ReviewAssignment.Status.DONE)  # already submitted
    owe(w, done, 1, due_in_days=1, status=ReviewAssignment.Status.REASSIGNED)  # handed to someone else
    today = NOW.date().isoformat()
    expected = {(soon.email, soon.pk, today), (late.email, late.pk, today)}
    assert selected() == expected
    assert selected(NOW + timedelta(hours=2)) == expected  # the same day: nothing twice
    log = ReminderLog.objects.get(kind=KIND, recipient=soon)
    assert log.enrollment_id is None and log.organization_id == org.pk
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    assert (soon.email, soon.pk, tomorrow) in selected(NOW + timedelta(days=1))


def test_a_review_submitted_or_owed_by_someone_else_is_not_a_reason(w, org):
    reviewer, other = people.member(org), people.member(org)
    assignment = owe(w, reviewer, 0, due_in_days=1)
    owe(w, other, 1, due_in_days=10)
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=ReviewAssignment.Status.DONE, closed_at=NOW)
    assert selected() == set()


def test_policies_per_course_change_the_days(w, org):
    reviewer = people.member(org)
    owe(w, reviewer, 0, due_in_days=4)
    assert selected() == set()
    reminders.reminder_policy_upsert(organization=org, kind=KIND, course=w.course, days=5)
    assert selected() == {(reviewer.email, reviewer.pk, NOW.date().isoformat())}
    ReminderLog.objects.all().delete()
    reminders.reminder_policy_upsert(organization=org, kind=KIND, course=w.course, enabled=False)
    assert selected() == set()


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["You have 2 role-play review(s) to write", "Broken birthday gift", "— due ", "was due",
            "Open my review queue"]),
    ("pt-br", ["Você tem 2 avaliação(ões) de role-play para fazer", "Broken birthday gift", "— prazo ",
               "o prazo era", "Abrir minha fila de avaliações"]),
])
def test_message_lists_what_is_owed_and_links_to_the_queue(w, org, language, expected):
    reviewer, other = people.member(org), people.member(org)
    owe(w, reviewer, 0, due_in_days=1000)  # far ahead (the message is worded at the real now)
    owe(w, reviewer, 1, due_in_days=-1000)
    owe(w, other, 2, due_in_days=1)
    reminders.reminder_policy_upsert(organization=org, kind=KIND, days=365)
    reminders.reminders_select(now=NOW - timedelta(days=990), kinds=[KIND])
    log = ReminderLog.objects.get(kind=KIND, recipient=reviewer)
    src = registry.source(KIND)
    message = src.message(log, src.load([log])[log.pk], language)
    text = "\n".join([message.subject, *message.paragraphs, *message.items, message.action_label])
    for fragment in expected:
        assert fragment in text, text
    assert len(message.items) == 2 and w.learners[0].email not in text  # the performer stays anonymous
    assert message.action_url == "https://lms.example.test/reviews/"

"""assessments.quizzes.services.attempts: starting, time limits, max attempts, pools, shuffling, submitting."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.quizzes.errors import AnswerError, AttemptConflict, QuizConflict
from assessments.quizzes.models import SUBMIT_GRACE, Attempt, AttemptAnswer
from assessments.quizzes.services import attempts as quiz_attempts
from assessments.quizzes.services import authoring as quiz_authoring
from assessments.quizzes.services.attempts import draw_layout
from courses.enrollments import services as course_services
from courses.enrollments.models import ActivityProgress, Enrollment
from tests.assessments.factories import add_single_choice, enroll, quiz_course, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def _progress(enrollment, quiz):
    return ActivityProgress.objects.filter(enrollment=enrollment, activity=quiz.activity).first()


def _snapshot(enrollment):
    enrollment.refresh_from_db()
    return (Attempt.objects.count(), AttemptAnswer.objects.count(), ActivityProgress.objects.count(),
            enrollment.status, enrollment.progress_percent, enrollment.final_score)


def test_passing_attempt_completes_the_enrollment():
    course, quiz = quiz_course(questions=4, passing_score=75)
    enrollment = enroll(course)
    attempt, created = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert created and attempt.number == 1 and attempt.max_points == 4
    attempt, graded = quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert graded and (attempt.status, attempt.score, attempt.passed) == ("submitted", Decimal("100.00"), True)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.final_score) == (Enrollment.Status.COMPLETED, Decimal("100.00"))
    assert AttemptAnswer.objects.filter(attempt=attempt, is_correct=True).count() == 4


def test_score_below_passing_fails_and_the_best_attempt_counts():
    course, quiz = quiz_course(questions=4, passing_score=75)
    enrollment = enroll(course)
    first, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    answers = right_answers(first)[:2]  # 2 of 4 right, 2 unanswered
    first, _ = quiz_attempts.attempt_submit(attempt=first, answers=answers)
    assert (first.score, first.passed) == (Decimal("50.00"), False)
    assert _progress(enrollment, quiz).status == ActivityProgress.Status.FAILED

    second, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    second, _ = quiz_attempts.attempt_submit(attempt=second, answers=right_answers(second))
    third, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    third, _ = quiz_attempts.attempt_submit(attempt=third, answers=wrong_answers(third))
    assert [a.number for a in (first, second, third)] == [1, 2, 3]
    progress = _progress(enrollment, quiz)
    assert (progress.status, progress.score, progress.attempts) == ("passed", Decimal("100.00"), 3)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_double_submit_returns_the_same_result_and_writes_nothing():
    course, quiz = quiz_course(questions=3)
    enrollment = enroll(course)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    first, graded = quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    before = _snapshot(enrollment)
    progress_attempts = _progress(enrollment, quiz).attempts
    again, graded_again = quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert graded and not graded_again
    assert (again.score, again.passed, again.submitted_at) == (first.score, first.passed, first.submitted_at)
    assert _snapshot(enrollment) == before
    assert _progress(enrollment, quiz).attempts == progress_attempts


def test_an_open_attempt_is_resumed_not_duplicated():
    course, quiz = quiz_course(questions=5, shuffle_questions=True, shuffle_choices=True)
    enrollment = enroll(course)
    first, created = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    again, created_again = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert created and not created_again
    assert again.pk == first.pk and again.layout == first.layout
    assert Attempt.objects.count() == 1


def test_max_attempts_and_nothing_recorded_past_it():
    course, quiz = quiz_course(questions=2, max_attempts=2)
    enrollment = enroll(course)
    for _ in range(2):
        attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
        quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    before = _snapshot(enrollment)
    with pytest.raises(AttemptConflict) as error:
        quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert (error.value.code, error.value.status_code) == ("max_attempts_reached", 409)
    assert _snapshot(enrollment) == before


def test_unlimited_attempts():
    course, quiz = quiz_course(questions=1, max_attempts=None)
    enrollment = enroll(course)
    for _ in range(5):
        attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
        quiz_attempts.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert Attempt.objects.filter(enrollment=enrollment).count() == 5


def _age(attempt, seconds):
    """Move the attempt's clock ``seconds`` into the past, as if it had started earlier."""
    Attempt.objects.filter(pk=attempt.pk).update(started_at=attempt.started_at - timedelta(seconds=seconds),
                                                 deadline=attempt.deadline - timedelta(seconds=seconds))
    attempt.refresh_from_db()
    return attempt


def test_submit_within_the_grace_after_the_deadline_counts():
    course, quiz = quiz_course(questions=2, time_limit_seconds=60)
    enrollment = enroll(course)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert attempt.deadline - attempt.started_at == timedelta(seconds=60)
    attempt = _age(attempt, 60 + SUBMIT_GRACE.total_seconds() - 2)
    attempt, graded = quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert graded and attempt.passed


def test_submit_after_the_time_limit_is_refused_and_nothing_recorded():
    course, quiz = quiz_course(questions=2, time_limit_seconds=60, max_attempts=2)
    enrollment = enroll(course)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    attempt = _age(attempt, 60 + SUBMIT_GRACE.total_seconds() + 1)
    before = _snapshot(enrollment)
    with pytest.raises(AttemptConflict) as error:
        quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    assert error.value.code == "attempt_expired"
    assert _snapshot(enrollment) == before
    assert Attempt.objects.get(pk=attempt.pk).effective_status == Attempt.Status.EXPIRED

    # The expired attempt is closed by the next start, and it counts as used.
    second, created = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert created and second.number == 2
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.EXPIRED
    with pytest.raises(AttemptConflict):
        quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    quiz_attempts.attempt_submit(attempt=second, answers=right_answers(second))
    with pytest.raises(AttemptConflict) as error:
        quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert error.value.code == "max_attempts_reached"


def test_no_time_limit_means_no_deadline():
    course, quiz = quiz_course(questions=1)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    assert attempt.deadline is None
    Attempt.objects.filter(pk=attempt.pk).update(started_at=timezone.now() - timedelta(days=3))
    attempt.refresh_from_db()
    assert quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))[1]


def test_pool_draws_n_of_m_without_repeats():
    course, quiz = quiz_course(questions=10, questions_per_attempt=4)
    all_ids = set(quiz.questions.values_list("id", flat=True))
    seen: set[int] = set()
    for _ in range(12):
        attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
        drawn = [entry["question"] for entry in attempt.layout]
        assert len(drawn) == 4 and len(set(drawn)) == 4 and set(drawn) <= all_ids
        assert attempt.max_points == 4
        seen |= set(drawn)
    assert len(seen) > 4  # different learners draw different questions


def test_pool_larger_than_the_quiz_shows_every_question():
    course, quiz = quiz_course(questions=3, questions_per_attempt=10)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    assert sorted(e["question"] for e in attempt.layout) == sorted(quiz.questions.values_list("id", flat=True))


def test_shuffling_is_stable_within_an_attempt_and_varies_between_attempts():
    course, quiz = quiz_course(questions=8, shuffle_questions=True, shuffle_choices=True)
    questions = list(quiz.questions.prefetch_related("choices"))
    in_order = [q.pk for q in questions]
    # Deterministic in the seed: the stored layout is what the seed produces, every time.
    assert draw_layout(questions, quiz=quiz, seed=42) == draw_layout(questions, quiz=quiz, seed=42)
    layouts = []
    for _ in range(6):
        attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
        assert draw_layout(questions, quiz=quiz, seed=attempt.seed) == attempt.layout
        layouts.append(attempt.layout)
        fetched = Attempt.objects.get(pk=attempt.pk)
        assert fetched.layout == attempt.layout
    assert any([e["question"] for e in layout] != in_order for layout in layouts)
    assert len({str(layout) for layout in layouts}) > 1


def test_without_shuffling_the_authored_order_is_kept():
    course, quiz = quiz_course(questions=5)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    assert [e["question"] for e in attempt.layout] == list(quiz.questions.values_list("id", flat=True))
    first = quiz.questions.first()
    assert attempt.layout[0]["choices"] == list(first.choices.values_list("id", flat=True))


def test_true_false_choices_are_never_shuffled():
    course, quiz = quiz_course(shuffle_choices=True)
    question = quiz_authoring.question_create(quiz=quiz, kind="true_false", prompt="Listening is a skill.",
                                              correct=True)
    expected = list(question.choices.values_list("id", flat=True))
    for _ in range(5):
        attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
        assert attempt.layout[0]["choices"] == expected


@pytest.mark.parametrize(("make_answers", "code"), [
    (lambda a, other: [{"question": other.pk, "choices": []}], "unknown_question"),
    (lambda a, other: [{"question": a.layout[0]["question"], "choices": [a.layout[0]["choices"][0]]}] * 2,
     "duplicate_answer"),
    (lambda a, other: [{"question": a.layout[0]["question"], "choices": [other.choices.first().pk]}],
     "unknown_choice"),
    (lambda a, other: [{"question": a.layout[0]["question"], "choices": a.layout[0]["choices"][:2]}],
     "too_many_choices"),
    (lambda a, other: [{"question": a.layout[0]["question"], "text": "hello"}], "wrong_answer_kind"),
    (lambda a, other: [{"question": a.layout[0]["question"], "choices": [a.layout[0]["choices"][0]] * 2}],
     "duplicate_choice"),
    (lambda a, other: [{"question": str(a.layout[0]["question"]), "choices": []}], "unknown_question"),
])
def test_bad_answers_are_refused_and_nothing_recorded(make_answers, code):
    course, quiz = quiz_course(questions=2)
    _, other_quiz = quiz_course(questions=1)
    other = other_quiz.questions.get()
    enrollment = enroll(course)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    before = _snapshot(enrollment)
    with pytest.raises(AnswerError) as error:
        quiz_attempts.attempt_submit(attempt=attempt, answers=make_answers(attempt, other))
    assert (error.value.code, error.value.status_code) == (code, 422)
    assert _snapshot(enrollment) == before
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.IN_PROGRESS


def test_choices_for_a_short_text_question_are_refused():
    course, quiz = quiz_course()
    quiz_authoring.question_create(quiz=quiz, kind="short_text", prompt="Name the skill.", accepted_answers=["empathy"])
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    with pytest.raises(AnswerError) as error:
        quiz_attempts.attempt_submit(attempt=attempt, answers=[{"question": attempt.layout[0]["question"],
                                                                "choices": [1]}])
    assert error.value.code == "wrong_answer_kind"


def test_mixed_kinds_and_partial_credit_make_the_score():
    course, quiz = quiz_course(passing_score=50)
    single = quiz_authoring.question_create(quiz=quiz, kind="single_choice", prompt="One", points=2, choices=[
        {"text": "right", "correct": True}, {"text": "wrong", "correct": False}])
    multiple = quiz_authoring.question_create(quiz=quiz, kind="multiple_choice", prompt="Many", points=4, choices=[
        {"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": False}])
    text = quiz_authoring.question_create(quiz=quiz, kind="short_text", prompt="Word", points=2,
                                          accepted_answers=["Active listening"])
    true_false = quiz_authoring.question_create(quiz=quiz, kind="true_false", prompt="TF", points=2, correct=False)
    a, _, c = multiple.choices.all()
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    attempt, _ = quiz_attempts.attempt_submit(attempt=attempt, answers=[
        {"question": single.pk, "choices": [single.choices.get(text="right").pk]},  # 2
        {"question": multiple.pk, "choices": [a.pk, c.pk]},  # 4 * (1 - 1) / 2 = 0
        {"question": text.pk, "text": "  ACTIVE   listening "},  # 2
        {"question": true_false.pk, "choices": [true_false.choices.get(text="True").pk]},  # 0
    ])
    assert (attempt.points, attempt.max_points, attempt.score, attempt.passed) == (
        Decimal("4.00"), 10, Decimal("40.00"), False)
    multiple_answer = AttemptAnswer.objects.get(attempt=attempt, question=multiple)
    assert (multiple_answer.points, multiple_answer.is_correct, multiple_answer.answered) == (0, False, True)


def test_starting_needs_an_active_or_completed_enrollment():
    course, quiz = quiz_course(questions=1)
    enrollment = enroll(course)
    course_services.enrollment_withdraw(enrollment=enrollment)
    with pytest.raises(AttemptConflict) as error:
        quiz_attempts.attempt_start(quiz=quiz, enrollment=enrollment)
    assert error.value.code == "enrollment_required"
    assert not Attempt.objects.exists()


def test_an_empty_quiz_cannot_start():
    course, quiz = quiz_course()
    with pytest.raises(AttemptConflict) as error:
        quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    assert error.value.code == "quiz_empty"


def test_answered_questions_cannot_be_deleted_but_fresh_ones_can():
    course, quiz = quiz_course(questions=2)
    attempt, _ = quiz_attempts.attempt_start(quiz=quiz, enrollment=enroll(course))
    quiz_attempts.attempt_submit(attempt=attempt, answers=right_answers(attempt))
    fresh = add_single_choice(quiz, 1)[0]
    with pytest.raises(QuizConflict) as error:
        quiz_authoring.question_delete(question=quiz.questions.first())
    assert error.value.code == "question_answered"
    quiz_authoring.question_delete(question=fresh)
    assert quiz.questions.count() == 2

"""assessments.quizzes.grading: the rules for each kind of question."""
from __future__ import annotations

from decimal import Decimal

import pytest

from assessments.quizzes.grading import grade, normalise_text, score_percent


def test_single_choice_all_or_nothing():
    right = grade(kind="single_choice", points=2, correct_choice_ids=[1], accepted_answers=[], picked=[1])
    wrong = grade(kind="single_choice", points=2, correct_choice_ids=[1], accepted_answers=[], picked=[2])
    blank = grade(kind="single_choice", points=2, correct_choice_ids=[1], accepted_answers=[], picked=[])
    assert (right.points, right.is_correct, right.answered) == (Decimal(2), True, True)
    assert (wrong.points, wrong.is_correct, wrong.answered) == (Decimal(0), False, True)
    assert (blank.points, blank.is_correct, blank.answered) == (Decimal(0), False, False)


def test_true_false():
    assert grade(kind="true_false", points=1, correct_choice_ids=[8], accepted_answers=[], picked=[8]).is_correct
    assert grade(kind="true_false", points=1, correct_choice_ids=[8], accepted_answers=[], picked=[9]).points == 0


@pytest.mark.parametrize(("picked", "points", "correct"), [
    ([1, 2, 3], Decimal("3.00"), True),  # every correct choice, nothing wrong
    ([1, 2], Decimal("2.00"), False),  # two thirds
    ([1], Decimal("1.00"), False),
    ([1, 2, 4], Decimal("1.00"), False),  # (2 - 1) / 3
    ([1, 4], Decimal("0.00"), False),  # (1 - 1) / 3
    ([4, 5], Decimal("0.00"), False),  # never below zero
    ([1, 2, 3, 4, 5], Decimal("1.00"), False),  # picking everything: (3 - 2) / 3
])
def test_multiple_choice_partial_credit(picked, points, correct):
    result = grade(kind="multiple_choice", points=3, correct_choice_ids=[1, 2, 3], accepted_answers=[], picked=picked)
    assert (result.points, result.is_correct) == (points, correct)


def test_multiple_choice_rounds_to_hundredths():
    result = grade(kind="multiple_choice", points=1, correct_choice_ids=[1, 2, 3], accepted_answers=[], picked=[1])
    assert result.points == Decimal("0.33")


@pytest.mark.parametrize("text", ["Empathy", "  empathy ", "EMPATHY", "active   listening", "ACTIVE\tlistening\n",
                                  "\uff45\uff4d\uff50\uff41\uff54\uff48\uff59"])  # the last: full-width letters (NFKC)
def test_short_text_ignores_case_spacing_and_width(text):
    result = grade(kind="short_text", points=1, correct_choice_ids=[], accepted_answers=["empathy", "Active listening"],
                   text=text)
    assert result.is_correct and result.points == 1


@pytest.mark.parametrize("text", ["sympathy", "empathy!", "active-listening"])
def test_short_text_forgives_nothing_else(text):
    assert not grade(kind="short_text", points=1, correct_choice_ids=[], accepted_answers=["empathy",
                                                                                           "active listening"],
                     text=text).is_correct


def test_short_text_blank_is_unanswered():
    result = grade(kind="short_text", points=1, correct_choice_ids=[], accepted_answers=["x"], text="   ")
    assert (result.answered, result.points) == (False, 0)


def test_normalise_text_and_score():
    assert normalise_text("  Straße\u00a0 AND  ") == "strasse and"
    assert score_percent(Decimal("2.5"), 3) == Decimal("83.33")
    assert score_percent(Decimal(0), 0) == Decimal("0.00")

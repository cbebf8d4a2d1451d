"""The customer-service demo courses written for issue 21 (active listening, calming an angry customer,
saying no kindly), each in English and a Brazilian Portuguese adaptation: full articles, one final
quiz, and an honest number of hours credited.

The course folders are read directly (not through catalog.yaml), so these checks hold whatever order
the catalog lists them in. The quiz files of every demo course are checked too: a choice written as a
YAML flow mapping with an unquoted comma in its text silently becomes extra keys and a cut-off
choice, which the loader does not notice.
"""
from __future__ import annotations

import math

import pytest
import yaml

from assessments.demo import QUIZ_DIR
from assessments.quizzes.services.authoring import clean_question
from courses.catalog.lesson_content import WORDS_PER_MINUTE, count_words, render_markdown
from courses.demo_content import DATA_DIR, _read_yaml, _with_files

# English original -> Brazilian Portuguese adaptation
PAIRS = [
    ("active-listening-at-the-desk", "escuta-ativa-no-atendimento"),
    ("calming-an-angry-customer", "acalmando-um-cliente-irritado"),
    ("saying-no-kindly", "dizer-nao-com-gentileza"),
]
SLUGS = [slug for pair in PAIRS for slug in pair]
QUIZ_MINUTES = 5  # what the demo loader gives a quiz whose file names no estimated_minutes
CHOICE_KEYS = {"text", "correct", "feedback"}


def course(slug: str) -> dict:
    folder = DATA_DIR / slug
    return _with_files(_read_yaml(folder / "course.yaml"), folder)


def quizzes(slug: str) -> list[dict]:
    data = yaml.safe_load((QUIZ_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))
    assert data["course"] == slug
    return data["quizzes"]


def articles(spec: dict) -> list[str]:
    return [activity["lesson"]["body"] for module in spec["modules"] for activity in module["activities"]
            if activity["lesson"]["type"] == "article"]


@pytest.mark.parametrize(("english", "portuguese"), PAIRS)
def test_each_course_has_a_portuguese_adaptation_with_the_same_shape(english, portuguese):
    original, adaptation = course(english), course(portuguese)
    assert (original["language"], original["translation_of"]) == ("en", None)
    assert (adaptation["language"], adaptation["translation_of"]) == ("pt-BR", english)
    shape = [[(a["kind"], a["lesson"]["type"], a["required"]) for a in m["activities"]] for m in original["modules"]]
    assert shape == [[(a["kind"], a["lesson"]["type"], a["required"]) for a in m["activities"]]
                     for m in adaptation["modules"]]
    assert original["title"] != adaptation["title"] and original["summary"] != adaptation["summary"]
    assert original["category"] == adaptation["category"] == "customer-service"
    assert set(original["tags"]) == set(adaptation["tags"]) and "customer-service" in original["tags"]
    assert {"empathy", "de-escalation", "active-listening"} & set(original["tags"])


@pytest.mark.parametrize("slug", SLUGS)
def test_articles_are_full_lessons_with_examples_and_a_quick_check(slug):
    spec = course(slug)
    assert 2 <= len(spec["modules"]) <= 3
    assert 3 <= sum(len(module["activities"]) for module in spec["modules"]) + len(quizzes(slug)) <= 5
    bodies = articles(spec)
    assert bodies
    for body in bodies:
        assert 350 <= count_words(body) <= 700
        assert "### Quick check" in body or "### Verificação rápida" in body
    # dialogue snippets (quoted replies) in most articles, and a checklist to practise with
    assert sum("<blockquote>" in render_markdown(body) for body in bodies) >= len(bodies) - 1
    assert any(line.startswith("## ") and "checklist" in line.lower() for body in bodies for line in body.splitlines())
    assert spec["summary"].strip() and render_markdown(spec["description"]).startswith("<p>")


@pytest.mark.parametrize("slug", SLUGS)
def test_one_final_quiz_of_five_or_six_questions_with_explained_distractors(slug):
    spec = course(slug)
    [quiz] = quizzes(slug)
    assert quiz["module"] == len(spec["modules"])  # the quiz closes the course
    assert 5 <= len(quiz["questions"]) <= 6
    for question in quiz["questions"]:
        assert question["feedback"].strip()
        wrong = [choice for choice in question.get("choices", []) if not choice["correct"]]
        if question["kind"] in {"single_choice", "multiple_choice"}:
            assert wrong and all(choice.get("feedback", "").strip() for choice in wrong), question["prompt"]


@pytest.mark.parametrize("slug", SLUGS)
def test_hours_credited_match_the_reading_and_quiz_time(slug):
    """Reading time per article (rounded up, as the course estimate counts it) plus the quiz's minutes,
    to the nearest tenth of an hour (the field's precision)."""
    spec = course(slug)
    reading = sum(math.ceil(count_words(body) / WORDS_PER_MINUTE) for body in articles(spec))
    minutes = reading + sum(quiz.get("estimated_minutes", QUIZ_MINUTES) for quiz in quizzes(slug))
    assert abs(float(spec["hours_credited"]) * 60 - minutes) <= 3, (slug, minutes)


@pytest.mark.parametrize("path", sorted(QUIZ_DIR.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_demo_quiz_file_holds_valid_questions_for_an_existing_course(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["course"] == path.stem
    modules = _read_yaml(DATA_DIR / path.stem / "course.yaml")["modules"]
    for place, quiz in enumerate(data["quizzes"], start=1):
        assert 1 <= quiz.get("module", place) <= len(modules)
        for question in quiz["questions"]:
            for choice in question.get("choices", []):
                assert set(choice) <= CHOICE_KEYS, (question["prompt"], choice)
                assert isinstance(choice["text"], str) and isinstance(choice["correct"], bool)
            clean_question(**question)  # raises on anything the authoring service would refuse

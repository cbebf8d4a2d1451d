"""Versioned rubrics: the default rubric, validation, frozen once scored against, new versions."""
from __future__ import annotations

import pytest

from assessments.roleplays.default_content import DEFAULT_RUBRIC_SLUG
from assessments.roleplays.errors import RoleplayConflict, RoleplayError
from assessments.roleplays.models import Criterion, Level, ReviewScore, Rubric
from assessments.roleplays.services import performances as roleplay_performances
from assessments.roleplays.services import reviews as roleplay_reviews
from assessments.roleplays.services import rubrics as roleplay_rubrics
from tests.assessments.roleplays.factories import perform, scores, world

pytestmark = pytest.mark.django_db


def _two_levels(key="a"):
    return [{"key": key, "title": key.upper(), "levels": [{"points": 0, "label": "No", "descriptor": "Absent"},
                                                          {"points": 2, "label": "Yes", "descriptor": "Present"}]}]


def test_default_rubric_has_six_criteria_levels_zero_to_four_and_is_created_once():
    rubric = roleplay_rubrics.default_rubric_ensure()
    assert roleplay_rubrics.default_rubric_ensure() == rubric
    assert (rubric.slug, rubric.version, rubric.title) == (DEFAULT_RUBRIC_SLUG, 1, "Empathic customer conversation")
    criteria = list(rubric.criteria.prefetch_related("levels"))
    assert [c.key for c in criteria] == ["notices-cue", "names-feeling", "open-questions", "listens-actively",
                                         "respect-support", "tailors-resolution"]
    for criterion in criteria:
        levels = list(criterion.levels.all())
        assert [level.points for level in levels] == [0, 1, 2, 3, 4]
        assert all(level.label and level.descriptor and level.example for level in levels)


@pytest.mark.parametrize("criteria", [
    [], "nope", [{"title": "", "levels": []}],
    [{"key": "a", "title": "A", "weight": 0, "levels": _two_levels()[0]["levels"]}],
    [{"key": "a", "title": "A", "levels": [{"points": 1, "label": "x", "descriptor": "y"}]}],
    [{"key": "a", "title": "A", "levels": [{"points": 1, "label": "x", "descriptor": "y"},
                                           {"points": 1, "label": "z", "descriptor": "w"}]}],
    [{"key": "a", "title": "A", "levels": [{"points": 101, "label": "x", "descriptor": "y"},
                                           {"points": 1, "label": "z", "descriptor": "w"}]}],
    _two_levels() + _two_levels(),
])
def test_invalid_rubrics_are_rejected_and_nothing_is_written(criteria):
    with pytest.raises(RoleplayError):
        roleplay_rubrics.rubric_create(slug="bad", title="Bad", criteria=criteria)
    assert not Rubric.objects.filter(slug="bad").exists()


def test_a_rubric_in_use_is_never_changed_and_a_new_version_is_made_instead(org):
    w = world(org, learners=1)
    rubric = w.scenario.rubric
    roleplay_rubrics.rubric_update(rubric=rubric, title="Empathic conversation")  # wording: always allowed
    performance = perform(w, 0)
    roleplay_reviews.review_submit(performance=performance, reviewer=w.learners[0], scores=scores(w.scenario, 2))
    before = list(ReviewScore.objects.values_list("criterion_id", "points"))
    levels_before = Level.objects.count()
    with pytest.raises(RoleplayConflict) as error:
        roleplay_rubrics.rubric_update(rubric=rubric, criteria=_two_levels())
    assert error.value.code == "rubric_in_use"
    assert Level.objects.count() == levels_before
    copy = roleplay_rubrics.rubric_new_version(rubric=rubric)
    assert (copy.slug, copy.version, copy.previous_id) == (rubric.slug, 2, rubric.pk)
    assert copy.criteria.count() == rubric.criteria.count() == 6
    roleplay_rubrics.rubric_update(rubric=copy, criteria=_two_levels())  # the new version is editable
    assert list(copy.criteria.values_list("key", flat=True)) == ["a"]
    assert list(ReviewScore.objects.values_list("criterion_id", "points")) == before  # past scores untouched
    assert Criterion.objects.filter(rubric=rubric).count() == 6


def test_scenario_rubric_changes_only_before_any_performance(org):
    w = world(org, learners=1)
    newer = roleplay_rubrics.rubric_new_version(rubric=w.scenario.rubric)
    roleplay_performances.scenario_update(scenario=w.scenario, rubric=newer)
    perform(w, 0)
    with pytest.raises(RoleplayConflict) as error:
        roleplay_performances.scenario_update(scenario=w.scenario,
                                              rubric=roleplay_rubrics.rubric_new_version(rubric=newer))
    assert error.value.code == "scenario_has_performances"

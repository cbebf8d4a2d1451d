"""The empathy-growth report as a reader who holds it whole: for each course and block, the total and
the lists by cohort and by department are one table, and every hidden group must stay hidden."""
from __future__ import annotations

import pytest

from lms.disclosure import list_lines
from tests import factories as people
from tests.assessments.instruments.test_growth_report import _fill, _surveys
from tests.assessments.roleplays.factories import add_learner, world
from tests.disclosure_attack import recovered_by_algebra, recovered_by_search

pytestmark = pytest.mark.django_db
FIGURES = ("n", "mean_before", "mean_after", "mean_difference", "ci_low", "ci_high", "cohens_dz")


def _attack(body: dict, truth: dict[tuple[str, str | None], int]) -> dict:
    """Try every hidden group of both blocks; ``truth`` holds every group's real size (both blocks here)."""
    hidden_by_block = {}
    for block in ("instrument", "rubric"):
        counts, hidden = {}, {}
        for group in body["groups"]:
            key, figures = (group["dimension"], group["group"]), group[block]
            if figures["suppressed"]:
                assert figures["n"] is None and figures["suppression"] in ("primary", "complementary")
                hidden[key] = figures["suppression"]
                counts[key] = truth[key]
            else:
                assert figures["suppression"] is None
                counts[key] = figures["n"]
        assert set(counts) == set(truth)
        total = ("course", None)
        lines = (list_lines(total, [key for key in counts if key[0] == "cohort"])
                 + list_lines(total, [key for key in counts if key[0] == "department"]))
        assert recovered_by_search(counts, lines, hidden, minimum=body["min_group_size"]) == []
        assert recovered_by_algebra(counts, lines, hidden) == []  # so no hidden group's sum of scores either
        hidden_by_block[block] = hidden
    return hidden_by_block


def test_the_issues_example_nine_learners_five_and_four_hides_both_cohorts(org, client_for):
    w = world(org, learners=9)
    before, after = _surveys(w.course)
    _fill(w, before, after, 5, cohort="spring")
    _fill(w, before, after, 4, start=5, cohort="autumn")
    body = client_for(people.member(org, "hr")).get("/api/v1/reports/empathy-growth/").json()
    groups = {(g["dimension"], g["group"]): g for g in body["groups"]}
    assert groups[("course", None)]["instrument"]["n"] == 9
    spring = groups[("cohort", "spring")]["instrument"]
    assert spring["suppression"] == "complementary" and all(spring[f] is None for f in FIGURES)
    assert groups[("cohort", "autumn")]["instrument"]["suppression"] == "primary"
    assert groups[("cohort", "autumn")]["rubric"]["suppression"] == "primary"
    hidden = _attack(body, {("course", None): 9, ("cohort", "spring"): 5, ("cohort", "autumn"): 4,
                            ("department", None): 9})
    assert hidden["instrument"] == {("cohort", "spring"): "complementary", ("cohort", "autumn"): "primary"}


def test_cohorts_and_departments_of_the_same_learners_protect_each_other(org, client_for):
    care = people.DepartmentFactory(organization=org, name="Care")
    sales = people.DepartmentFactory(organization=org, name="Sales")
    w = world(org, learners=7, department=care)
    for _ in range(4):
        add_learner(w, org, department=sales)
    for _ in range(3):
        add_learner(w, org)
    before, after = _surveys(w.course)
    _fill(w, before, after, 6, cohort="spring")  # Care 6
    _fill(w, before, after, 3, start=6, cohort="autumn")  # Care 1, Sales 2
    _fill(w, before, after, 5, start=9, cohort="winter")  # Sales 2, no department 3
    body = client_for(people.member(org, "hr")).get("/api/v1/reports/empathy-growth/").json()
    hidden = _attack(body, {("course", None): 14, ("cohort", "spring"): 6, ("cohort", "autumn"): 3,
                            ("cohort", "winter"): 5, ("department", "Care"): 7, ("department", "Sales"): 4,
                            ("department", None): 3})
    assert hidden["instrument"] == {
        ("cohort", "autumn"): "primary", ("cohort", "winter"): "complementary",
        ("department", "Sales"): "primary", ("department", None): "primary"}
    groups = {(g["dimension"], g["group"]): g for g in body["groups"]}
    assert groups[("cohort", "spring")]["instrument"]["n"] == 6
    assert groups[("department", "Care")]["rubric"]["n"] == 7

"""The empathy-growth report's tables as the report builds them (growth_tables), over random spreads of
learners across cohorts and departments, attacked with the reader's own view of the lists."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.instruments.growth_report import MIN_GROUP, growth_tables
from lms.disclosure import cells_suppress, list_lines
from tests.disclosure_attack import recovered_by_algebra, recovered_by_search


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "spring", "autumn", "winter"]),
                          st.sampled_from(["", "Care", "Sales", "Billing"]),
                          st.booleans()), min_size=1, max_size=40))
def test_no_hidden_group_of_a_random_course_can_be_recovered(learners):
    # Each learner: cohort, department, and whether they answered both surveys (else only role-plays).
    shown: dict = {}
    for cohort, department, answered in learners:
        for key in ((1, "course", ""), (1, "cohort", cohort), (1, "department", department)):
            data = shown.setdefault(key, {"instrument": [], "rubric": []})
            data["rubric"].append((50.0, 60.0))
            if answered:
                data["instrument"].append((2.0, 3.0))
    for block in ("instrument", "rubric"):
        [(counts, _)] = growth_tables(shown, block)
        hidden = cells_suppress(counts, growth_tables(shown, block)[0][1], minimum=MIN_GROUP)
        total = (1, "course", "")
        reader_lines = (list_lines(total, [key for key in counts if key[1] == "cohort"])
                        + list_lines(total, [key for key in counts if key[1] == "department"]))
        assert recovered_by_search(counts, reader_lines, hidden, minimum=MIN_GROUP) == []
        assert recovered_by_algebra(counts, reader_lines, hidden) == []
        if any(count < MIN_GROUP for count in counts.values()):
            assert hidden

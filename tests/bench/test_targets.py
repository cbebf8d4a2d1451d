"""`make bench`'s targets table: every target beside its figure, and RESULTS.md only from trustworthy runs."""
from __future__ import annotations

import pytest

from bench import machine, targets


class Watch:
    """A LoadWatch whose readings the test chooses."""

    def __init__(self, before: float, after: float, problem: str | None = None) -> None:
        self.before, self.after, self._problem = before, after, problem

    def finish(self):
        return self

    def problem(self):
        return self._problem


@pytest.fixture(autouse=True)
def files(tmp_path, monkeypatch):
    monkeypatch.setattr(targets, "FIGURES", tmp_path / "figures.json")
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n")
    monkeypatch.setattr(machine, "RESULTS", results)
    targets._PENDING.clear()
    return results


def every_target(value_for=lambda target: target.goal, watch=None) -> None:
    for target in targets.TARGETS:
        targets.figure_put(target.key, value=value_for(target), project="p", floor="f",
                           watch=watch or Watch(1.0, 1.2))


def test_the_table_appends_when_every_target_has_a_trusted_figure(files, capsys):
    targets.start()
    every_target()
    assert targets.finish() == 0
    written = files.read_text()
    assert "every target in one table" in written
    assert written.count("| yes |") == len(targets.TARGETS)
    assert "1.00 → 1.20" in written


def test_a_missed_target_is_marked_but_still_recorded(files):
    targets.start()
    every_target(lambda target: target.goal / 2 if target.comparison == ">=" else target.goal * 2)
    assert targets.finish() == 0
    assert files.read_text().count("| **no** |") == len(targets.TARGETS)


def test_a_missing_figure_keeps_the_table_out_of_results(files, capsys):
    targets.start()
    targets.figure_put("progress_write", value=0.5, project="p", floor="f", watch=Watch(1.0, 1.0))
    assert targets.finish() == 1
    assert "every target" not in files.read_text()
    assert "report_csv: no figure" in capsys.readouterr().out


def test_an_untrusted_load_keeps_the_table_out_of_results(files, capsys):
    targets.start()
    every_target(watch=Watch(0.5, 3.0, problem="the load rose by 2.50"))
    assert targets.finish() == 1
    assert "every target" not in files.read_text()
    assert "the load rose by 2.50" in capsys.readouterr().out


def test_figures_inside_a_run_wait_for_its_load_watch(files):
    targets.start()
    targets.figure_put("report_csv", value=0.7, project="p", floor="f")
    assert "report_csv" not in targets._read()["figures"]
    targets.figures_flush(Watch(0.4, 0.6))
    figure = targets._read()["figures"]["report_csv"]
    assert (figure["value"], figure["load_before"], figure["load_after"]) == (0.7, 0.4, 0.6)

"""Every headline ratio of `make bench` beside its target, in one table.

Each benchmark leaves its headline figures in ``var/bench/figures.json`` as it finishes (``figure_put``),
with the load average its own run started and ended at, the share of the machine other processes used
meanwhile, and whether that run could trust it. `make bench`
begins with ``python -m bench.targets start`` (an empty file, the load average now) and ends with
``python -m bench.targets finish``: the table of every target, its figure, the floor and the project's
side it was measured from, and the load average of each run. RESULTS.md gains the table only when every
target has a figure from a run whose load stayed trustworthy (bench/machine.py, LoadWatch); otherwise the
table is printed with the reason and nothing is appended.

    python -m bench.targets start
    python -m bench.targets finish
    python -m bench.targets show          # the table so far, nothing written
"""
from __future__ import annotations

import json
import operator
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import environment, machine

FIGURES = Path(environment.BASE_DIR) / "var" / "bench" / "figures.json"


@dataclass(frozen=True)
class Target:
    key: str
    what: str
    comparison: str  # ">=" (a throughput ratio, higher is better) or "<=" (a time multiple, lower is better)
    goal: float
    runner: str

    def met(self, value: float) -> bool:
        return {">=": operator.ge, "<=": operator.le}[self.comparison](value, self.goal)


TARGETS = [
    Target("report_csv", "HR report CSV over HTTP (COPY, formatted in SQL) ÷ psql COPY of the unformatted query, "
           "rows/s", ">=", 0.6, "python -m bench"),
    Target("progress_write", "progress write ÷ trivial view with the same token, requests/s", ">=", 0.45,
           "python -m bench"),
    Target("certificate", "certificate issue + render + sign ÷ the same layout drawn by reportlab alone, per second",
           ">=", 0.5, "python -m bench.certificates"),
    Target("reminder_first_pass", "reminder sweep, first pass over the enrollments ÷ `SELECT count(*)` of the due "
           "rows, seconds", "<=", 8.0, "python -m bench.reminders"),
    Target("reminder_resweep", "reminder re-sweep 15 minutes after the first pass (log full; the periodic sweep, "
           "from its marks) ÷ the count floor at that moment, seconds", "<=", 1.5, "python -m bench.reminders"),
    Target("reminder_full_resweep", "reminder full re-sweep (log full; at least daily, and when rules change) ÷ "
           "the same count floor, seconds", "<=", 1.5, "python -m bench.reminders"),
    Target("reminder_mail", "reminder mail (claim, render, send, record) ÷ raw smtplib with the same bytes, "
           "messages/s", ">=", 0.3, "python -m bench.reminders"),
    Target("summary_speedup", "HR summary from the rollup: p50 of the aggregate query over live rows ÷ p50 from "
           "the rollup", ">=", 100.0, "python -m bench"),
]


def _read() -> dict:
    try:
        return json.loads(FIGURES.read_text())
    except (OSError, ValueError):
        return {"started": None, "load_before": None, "figures": {}}


def _write(state: dict) -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(state, indent=1, sort_keys=True))


_PENDING: dict[str, dict] = {}  # figures measured inside a run whose load is judged when it ends


def figure_put(key: str, *, value: float, project: str, floor: str, watch: machine.LoadWatch | None = None) -> None:
    """Records one headline figure (``project`` and ``floor`` say what each side measured, with units). Without
    ``watch`` (a workload inside `python -m bench`) it waits for ``figures_flush`` with the run's own watch."""
    _PENDING[key] = {"value": value, "project": project, "floor": floor}
    if watch is not None:
        figures_flush(watch)


def figures_flush(watch: machine.LoadWatch) -> None:
    """Writes the waiting figures with the load average of the run that measured them."""
    if not _PENDING:
        return
    state = _read()
    watch.finish()
    for key, figure in _PENDING.items():
        state["figures"][key] = {**figure, "load_before": watch.before, "load_after": watch.after,
                                 "foreign_share": getattr(watch, "foreign_share", None),
                                 "load_problem": watch.problem(),
                                 "at": datetime.now(UTC).isoformat(timespec="seconds")}
    _PENDING.clear()
    _write(state)


def start() -> None:
    _write({"started": datetime.now(UTC).isoformat(timespec="seconds"), "started_epoch": time.time(),
            "load_before": machine.load_average(), "figures": {}})
    print(f"bench targets: figures go to {FIGURES}")


def table(state: dict) -> tuple[list[str], list[str]]:
    """The table's lines, and what keeps it out of RESULTS.md (missing figures, untrusted loads)."""
    lines = ["| target | figure | goal | met | project | floor | load (1 min) before → after; others' CPU |",
             "|:--|--:|--:|:-:|:--|:--|:--|"]
    problems = []
    for target in TARGETS:
        figure = state["figures"].get(target.key)
        if figure is None:
            lines.append(f"| {target.what} | — | {target.comparison} {target.goal:g} | — | not measured | | |")
            problems.append(f"{target.key}: no figure (did `{target.runner}` run?)")
            continue
        value = figure["value"]
        load = f"{figure['load_before']:.2f} → {figure['load_after']:.2f}"
        if figure.get("foreign_share") is not None:
            load += f"; {figure['foreign_share']:.1%}"
        if figure["load_problem"]:
            load += f" (untrusted: {figure['load_problem']})"
            problems.append(f"{target.key}: {figure['load_problem']}")
        lines.append(f"| {target.what} | {value:.2f} | {target.comparison} {target.goal:g} | "
                     f"{'yes' if target.met(value) else '**no**'} | {figure['project']} | {figure['floor']} | {load} |")
    return lines, problems


def finish(record: bool = True) -> int:
    state = _read()
    lines, problems = table(state)
    elapsed = time.time() - state["started_epoch"] if state.get("started_epoch") else None
    notes = [f"- {machine.hardware_line()}",
             f"- load average (1 min) when `make bench` began {state.get('load_before') or 0:.2f}, now "
             f"{machine.load_average():.2f}" + (f"; the whole run took {elapsed / 60:.1f} min" if elapsed else "")]
    print("\n".join([*lines, "", *notes]))
    if problems:
        print("not appending the targets table to RESULTS.md:\n  " + "\n  ".join(problems))
        return 1
    if record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with machine.RESULTS.open("a") as out:
            out.write("\n".join([f"\n## {stamp} — `make bench`: every target in one table\n", *notes, "",
                                 *lines, ""]))
        print(f"appended to {machine.RESULTS}")
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "show"
    if command == "start":
        start()
        return 0
    if command in ("finish", "show"):
        return finish(record=command == "finish")
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

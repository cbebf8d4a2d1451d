"""The benchmarks' judgement of the machine: CPU used by anyone else during a run keeps its figures out."""
from __future__ import annotations

import subprocess
import sys
import time

from bench import machine

BUSY = "import time\nend = time.time() + 2\nwhile time.time() < end: pass\n"


def test_a_foreign_process_busy_during_the_run_makes_it_untrusted(monkeypatch):
    monkeypatch.setattr(machine, "FOREIGN_SHARE", 0.02)
    watch = machine.LoadWatch(own=1)
    # The shell exits at once, so the busy process it leaves behind is no descendant of this one: someone else.
    subprocess.run(["/bin/sh", "-c", f"{sys.executable} -c '{BUSY}' >/dev/null 2>&1 &"], check=True)  # noqa: S603
    time.sleep(2.5)
    assert watch.finish().problem() is not None
    assert watch.foreign_seconds > 0.2


def test_the_benchmarks_own_children_are_not_someone_else(monkeypatch):
    watch = machine.LoadWatch(own=1)
    child = subprocess.Popen([sys.executable, "-c", BUSY])  # noqa: S603 - this interpreter, fixed code
    time.sleep(1)  # read while the child still runs: its CPU time is in /proc
    watch.finish()
    child_cpu = machine._processes()[child.pid][1]
    child.wait()
    assert child_cpu > 0.2
    assert watch.foreign_seconds < child_cpu / 2  # counted as someone else's, it would be about child_cpu
    assert "other processes used" in watch.line()

"""The benchmarks' judgement of the machine: CPU used by anyone else during a run keeps its figures out."""
from __future__ import annotations

import os
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


def test_the_benchmarks_own_children_are_not_someone_else():
    # Judged by membership, not by totals: other processes of a parallel test run are someone else here.
    child = subprocess.Popen([sys.executable, "-c", BUSY])  # noqa: S603 - this interpreter, fixed code
    try:
        table = machine._processes()
        ours = machine._ours(table, set())
        assert os.getpid() in ours and child.pid in ours
        assert os.getppid() not in ours  # whoever started this process is not the benchmark's
    finally:
        child.wait()

"""What every benchmark notes about the machine it ran on, and how it appends to RESULTS.md."""
from __future__ import annotations

import math
import os
import platform
import time
from pathlib import Path

from bench import environment

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def redis_version() -> str:
    try:
        import redis

        return redis.Redis.from_url(environment.REDIS_URL).info("server").get("redis_version", "?")
    except Exception:  # only a note
        return "?"


def hardware_line() -> str:
    return f"nproc {os.cpu_count()}, CPU {cpu_model()}, {platform.system()} {platform.release()}"


def software_line() -> str:
    import django

    return (f"Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL {postgres_version()}, "
            f"Redis {redis_version()}")


# How far the 1-minute load average may move beyond what the benchmark itself explains before its figures
# are not trusted (BENCH_LOAD_TOLERANCE). On 2 cores, 0.5 is a quarter of the machine: another process
# that busy for the run's last minute, or gone since the start, slows one side of the alternating rounds
# more than the other by more than the differences the targets distinguish.
LOAD_TOLERANCE = float(os.environ.get("BENCH_LOAD_TOLERANCE", "0.5"))


def load_average() -> float:
    """The 1-minute load average (runnable and uninterruptible tasks, exponentially damped over 60 s)."""
    return os.getloadavg()[0]


class LoadWatch:
    """The 1-minute load average before and after a run, and whether the machine stayed as it was.

    The benchmark adds load of its own: with at most ``own`` tasks runnable for ``t`` seconds, the damped
    average rises by at most ``own * (1 - exp(-t / 60))`` on a machine whose other load did not change.
    ``own`` counts every task the benchmark can keep runnable, not the cores: the load average counts the
    tasks waiting for a core as well as those on one (eight requests in flight on two cores read as a load
    of about eight). A rise beyond that plus LOAD_TOLERANCE means someone else started working; a fall
    beyond LOAD_TOLERANCE means someone stopped. Either way the two sides of the run saw different
    machines, and RESULTS.md is not written.
    """

    def __init__(self, own: float) -> None:
        self.own = own
        self.before = load_average()
        self.started = time.monotonic()
        self.after: float | None = None
        print(f"load average (1 min) before: {self.before:.2f}")

    def finish(self) -> LoadWatch:
        self.after = load_average()
        return self

    @property
    def own_rise(self) -> float:
        return self.own * (1 - math.exp(-(time.monotonic() - self.started) / 60))

    def problem(self) -> str | None:
        after = self.after if self.after is not None else self.finish().after
        assert after is not None
        change = after - self.before
        if change > self.own_rise + LOAD_TOLERANCE:
            return (f"the load rose by {change:.2f}, more than this benchmark explains ({self.own_rise:.2f}) "
                    f"+ {LOAD_TOLERANCE:g}")
        if change < -LOAD_TOLERANCE:
            return f"the load fell by {-change:.2f} (more than {LOAD_TOLERANCE:g}): other work stopped during the run"
        return None

    def line(self) -> str:
        after = self.after if self.after is not None else self.finish().after
        return (f"load average (1 min): {self.before:.2f} before, {after:.2f} after (this benchmark explains up "
                f"to {self.own_rise:.2f} of a rise; tolerance {LOAD_TOLERANCE:g})")


def append_results(lines: list[str], load: LoadWatch) -> bool:
    """Append to RESULTS.md with the load line, unless the load changed more than the run can trust."""
    load.finish()
    print(load.line())
    problem = load.problem()
    if problem is not None:
        print(f"not appending to {RESULTS.relative_to(environment.BASE_DIR)}: {problem}; run again on a quiet "
              "machine (or --no-record)")
        return False
    with RESULTS.open("a") as out:
        out.write("\n".join([*lines, f"- {load.line()}", ""]))
    print(f"appended to {RESULTS.relative_to(environment.BASE_DIR)}")
    return True

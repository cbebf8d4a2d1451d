"""What every benchmark notes about the machine it ran on, and how it appends to RESULTS.md."""
from __future__ import annotations

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




def load_average() -> float:
    """The 1-minute load average (runnable and uninterruptible tasks, exponentially damped over 60 s)."""
    return os.getloadavg()[0]


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# How much of the machine others may use during a run (BENCH_FOREIGN_SHARE): CPU time of processes that are
# neither the benchmark's (its process and their children) nor PostgreSQL's serving the benchmark's databases,
# as a share of the run's wall time times the cores.
FOREIGN_SHARE = float(os.environ.get("BENCH_FOREIGN_SHARE", "0.1"))


def _processes() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds used so far, command name), read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        table[int(entry.name)] = (int(rest[1]), (int(rest[11]) + int(rest[12])) / TICKS, name)
    return table


def _foreign_postgres_pids() -> set[int]:
    """PostgreSQL backends connected to databases that are not the benchmark's (their work is someone else's)."""
    try:
        import psycopg

        with psycopg.connect(environment.database_url("postgres"), autocommit=True, connect_timeout=5) as conn:
            rows = conn.execute("SELECT pid, datname FROM pg_stat_activity WHERE datname IS NOT NULL").fetchall()
    except Exception:  # only a judgement of the machine: without PostgreSQL, every postgres process counts as ours
        return set()
    return {pid for pid, name in rows if not str(name).startswith("lms_") or "bench" not in str(name)}


def _ours(table: dict[int, tuple[int, float, str]], foreign_postgres: set[int]) -> set[int]:
    """The benchmark's process and its descendants, and PostgreSQL's processes not serving someone else."""
    me, ours = os.getpid(), set()
    for pid in table:
        seen, node = set(), pid
        while node in table and node not in seen:
            if node == me:
                ours.add(pid)
                break
            seen.add(node)
            node = table[node][0]
    ours |= {pid for pid, (_, _, name) in table.items() if name.startswith("postgres") and pid not in foreign_postgres}
    return ours


class LoadWatch:
    """The 1-minute load average before and after a run, and whether anyone else used the machine meanwhile.

    The load average is printed and recorded, but it cannot judge a run by itself: it lags a minute behind
    (a runner started right after another sees its predecessor's load fade) and counts the benchmark's own
    waiting tasks. The judgement is the CPU time of every other process between the start and the end of
    the run (from /proc: processes that are neither this benchmark's nor PostgreSQL's serving a
    ``lms_*bench*`` database). When it exceeds FOREIGN_SHARE of the machine (0.1: a tenth of the cores for
    the run's length), someone else worked during the run, the two sides of the alternating rounds may have
    seen different machines, and RESULTS.md is not written. (A foreign process that starts and ends between
    the two readings escapes it; a test suite or a benchmark of someone else's lasts longer than that.)
    """

    def __init__(self, own: float) -> None:
        self.own = own  # tasks the benchmark keeps runnable: what the load average will show of it
        self.before = load_average()
        self.started = time.monotonic()
        self.after: float | None = None
        self._cpu_before = {pid: cpu for pid, (_, cpu, _) in _processes().items()}
        self.foreign_seconds: float | None = None
        print(f"load average (1 min) before: {self.before:.2f}")

    def finish(self) -> LoadWatch:
        self.after = load_average()
        table = _processes()
        ours = _ours(table, _foreign_postgres_pids())
        self.foreign_seconds = sum(max(0.0, cpu - self._cpu_before.get(pid, 0.0))
                                   for pid, (_, cpu, _) in table.items() if pid not in ours)
        return self

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def foreign_share(self) -> float:
        if self.foreign_seconds is None:
            self.finish()
        assert self.foreign_seconds is not None
        return self.foreign_seconds / max(self.elapsed * (os.cpu_count() or 1), 1e-9)

    def problem(self) -> str | None:
        share = self.foreign_share
        if share > FOREIGN_SHARE:
            return (f"other processes used {share:.0%} of the machine during the run ({self.foreign_seconds:.0f} CPU s "
                    f"in {self.elapsed:.0f} s), more than {FOREIGN_SHARE:.0%}")
        return None

    def line(self) -> str:
        if self.after is None:
            self.finish()
        return (f"load average (1 min): {self.before:.2f} before, {self.after:.2f} after; other processes used "
                f"{self.foreign_share:.1%} of the machine during the run (trusted up to {FOREIGN_SHARE:.0%})")


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

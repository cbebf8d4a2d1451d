"""What every benchmark notes about the machine it ran on, and how it appends to RESULTS.md."""
from __future__ import annotations

import os
import platform
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


def append_results(lines: list[str]) -> None:
    with RESULTS.open("a") as out:
        out.write("\n".join(lines))
    print(f"appended to {RESULTS.relative_to(environment.BASE_DIR)}")

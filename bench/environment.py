"""The bench environment: PostgreSQL database ``lms_bench`` and Redis db 13, shared by this process and
the gunicorn subprocess. Set before Django is imported; ``lms.settings`` reads ``.env`` without
overwriting, so a developer's ``.env`` cannot point the benchmark at another database.

Override with BENCH_POSTGRES_URL (server, no database name) and BENCH_REDIS_URL.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DB_NAME", "lms_bench")  # e.g. a database of your own for one area
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
VAR_DIR = BASE_DIR / "var" / "bench"


def database_url(name: str = DB_NAME) -> str:
    parts = urlsplit(POSTGRES_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def bench_env() -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CACHE_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "VAR_DIR": str(VAR_DIR),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def configure() -> dict[str, str]:
    """Put the bench environment into ``os.environ`` (this process and children) and return it."""
    env = bench_env()
    os.environ.update(env)
    return env


def ensure_database() -> None:
    """Create ``lms_bench`` if it does not exist (connecting to the ``postgres`` maintenance db)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres"), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
            print(f"created database {DB_NAME}")


def drop_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres"), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        print(f"dropped database {DB_NAME}")

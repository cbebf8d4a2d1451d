"""``python -m bench.load``: a bounded mixed learner load on gunicorn + PostgreSQL + Redis + a Celery worker.

    python -m bench.load --duration 30 --users 20        # what `make bench` runs
    python -m bench.load --duration 10 --users 5 --no-record

Learners browse the catalog and course pages, complete lessons, and start and submit quizzes (locust,
loopback only, fixed duration); afterwards the database is checked against every successful write the
client counted. Prints, and appends to bench/RESULTS.md, throughput and p50/p99 per request type,
requests, errors and rows lost. Exit status 1 on any error, lost or unexplained row. Database and Redis
as for ``python -m bench`` (bench/environment.py: BENCH_DB_NAME, BENCH_POSTGRES_URL, BENCH_REDIS_URL).
See bench/load/learners.py for what a run does.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from datetime import UTC, datetime
from importlib import metadata

from bench import environment, machine


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--users", type=int, default=20, help="virtual users (each one prepared learner at a time)")
    parser.add_argument("--learners", type=int, default=0, help="learner pool (0: users x duration / 3)")
    parser.add_argument("--courses", type=int, default=3, help="courses in the catalog, each learner enrolled in all")
    parser.add_argument("--lessons", type=int, default=3, help="lessons per course (then one quiz)")
    parser.add_argument("--questions", type=int, default=3, help="questions per quiz")
    parser.add_argument("--think", type=float, default=0.2, help="mean seconds between a user's tasks")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (0: one per core, at least 2)")
    parser.add_argument("--threads", type=int, default=0, help="threads per gunicorn process (0: 4)")
    parser.add_argument("--drain-timeout", type=float, default=120.0, help="seconds the worker gets afterwards")
    parser.add_argument("--reset-db", action="store_true", help=f"drop and recreate {environment.DB_NAME} first")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 600:
        parser.error("--duration is 0 < seconds <= 600")
    if args.users < 1 or args.learners < 0 or args.think < 0:
        parser.error("--users must be at least 1, --learners and --think not negative")
    if args.learners and args.learners < args.users:
        parser.error("--learners must be at least --users (each user is a learner of its own)")
    if min(args.courses, args.lessons, args.questions) < 1:
        parser.error("--courses, --lessons and --questions must be at least 1")
    return args


def machine_notes(report) -> list[str]:
    config = report.config
    return [
        f"{machine.hardware_line()}; 1-minute load average "
        f"{report.load_average:.1f} when the run began (other work on the machine shares its cores)",
        f"{machine.software_line()}, "
        f"gunicorn {metadata.version('gunicorn')}, locust {metadata.version('locust')}, "
        f"celery {metadata.version('celery')}",
        f"server: {report.server}, DEBUG=0, project settings from the environment (user and anonymous throttles "
        "raised by THROTTLE_USER/THROTTLE_ANON); one Celery worker (prefork, concurrency 1) on the run's own queue; "
        "everything (server, worker, PostgreSQL, Redis, locust) on the same 2 cores",
        f"load: locust, {config.users} users (FastHttpUser, keep-alive) on loopback for {config.duration:g} s, "
        f"think time {config.think:g} s on average; task weights catalog 3, course detail 2, next step 5 (a lesson "
        f"completion, or a quiz start + submit); {config.courses} courses x ({config.lessons} lessons + a "
        f"{config.questions}-question quiz), every {config.fail_every}th learner fails each quiz once",
    ]


def record(report, argv: list[str], watch: machine.LoadWatch) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python -m bench.load", *map(shlex.quote, argv)])
    section = [f"\n## {stamp} — load test: mixed learner workload — `{command}`\n",
               *(f"- {n}" for n in machine_notes(report)), "", report.table(), "",
               *(f"- {line}" for line in report.summary()), ""]
    machine.append_results(section, watch)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    environment.configure()
    os.environ["CREDENTIAL_KEYS_DIR"] = str(environment.VAR_DIR / "keys")
    import django

    django.setup()
    from bench.__main__ import check_redis, prepare_database
    from bench.load import learners

    watch = machine.LoadWatch(own=args.users + 2)  # a request per user in flight, the Celery worker, locust
    prepare_database(args.reset_db)
    check_redis()
    config = learners.Config(
        database_url=environment.database_url(), broker_url=environment.REDIS_URL, cache_url=environment.REDIS_URL,
        var_dir=environment.VAR_DIR / "load", duration=args.duration, users=args.users, learners=args.learners,
        courses=args.courses, lessons=args.lessons, questions=args.questions, think=args.think,
        workers=args.workers, threads=args.threads, drain_timeout=args.drain_timeout,
    )
    report = learners.run(config)
    print()
    print(report.table())
    print()
    for line in report.summary():
        print(line, file=sys.stdout if report.passed else sys.stderr)
    if args.no_record:
        print(watch.finish().line())
    else:
        record(report, argv, watch)
    print(f"\nload figures: requests sent {report.requests}, errors {report.errors}, rows lost {report.rows_lost}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())

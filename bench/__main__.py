"""``python -m bench``: every registered workload against its floor, one table, appended to RESULTS.md.

    python -m bench                                  # all workloads, 2000 requests, concurrency 8, cap 30 s
    python -m bench --only me --requests 5000 --concurrency 16 --duration 20
    python -m bench --list                           # workloads and their size arguments

PostgreSQL (database ``lms_bench``, created and migrated if needed) and Redis db 13 come from
``bench.environment``. See bench/README.md.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from bench import environment, machine, targets


@dataclass
class Row:
    name: str
    project: object  # load.Result
    floor: object
    verified: str = ""  # what the workload's verify hook said ("" if it has none)
    verify_failed: bool = False


def parse_args(workloads: dict, size_defaults: dict[str, int], argv: list[str] | None) -> argparse.Namespace:
    from bench import server

    workers, threads = server.default_workers()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--only", action="append", metavar="NAME", choices=sorted(workloads),
                        help="run only this workload (repeatable)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (threads)")
    parser.add_argument("--duration", type=float, default=30.0, help="time cap per measurement, seconds")
    parser.add_argument("--rounds", type=int, default=4,
                        help="split each measurement into rounds, alternating project and floor")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each measurement")
    parser.add_argument("--workers", type=int, default=workers, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=threads, help="threads per gunicorn worker")
    parser.add_argument("--reset-db", action="store_true", help=f"drop and recreate {environment.DB_NAME} first")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    parser.add_argument("--list", action="store_true", help="list workloads and exit")
    sizes = parser.add_argument_group("sizes", "data sizes read by the workloads")
    for key, default in sorted(size_defaults.items()):
        sizes.add_argument(f"--{key.replace('_', '-')}", dest=f"size_{key}", type=int, default=default,
                           metavar="N")
    args = parser.parse_args(argv)
    for name in ("requests", "concurrency", "rounds", "warmup", "workers", "threads"):
        if getattr(args, name) < (0 if name == "warmup" else 1):
            parser.error(f"--{name} is too small")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    args.rounds = min(args.rounds, args.requests)
    return args


def prepare_database(reset: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    if reset:
        environment.drop_database()
    environment.ensure_database()
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrated {environment.DB_NAME} ({time.monotonic() - started:.1f}s)")
    connection.close()


def check_redis() -> None:
    from django.core.cache import cache

    cache.set("bench:ping", "pong", 10)
    if cache.get("bench:ping") != "pong":
        raise RuntimeError(f"Redis at {environment.REDIS_URL} does not keep values.")


def machine_notes(srv_describe: str, args: argparse.Namespace) -> list[str]:
    from django.db import connection

    software = machine.software_line()
    connection.close()
    return [
        machine.hardware_line(),
        software,
        f"server: {srv_describe}, DEBUG=1 (JSON renderer via Accept), throttles raised out of reach",
        f"load: {args.concurrency} keep-alive connections on loopback, {args.requests} requests per side "
        f"(cap {args.duration:g} s), in {args.rounds} alternating rounds after {args.warmup} warm-up requests",
    ]


def table(rows: list[Row]) -> str:
    header = ["workload", "project req/s", "floor req/s", "ratio", "project p50 ms", "project p99 ms",
              "floor p50 ms", "floor p99 ms", "requests (p/f)", "errors (p/f)"]
    lines = []
    for row in rows:
        p, f = row.project, row.floor
        ratio = p.throughput / f.throughput if f.throughput else float("nan")
        lines.append([
            row.name, f"{p.throughput:,.0f}", f"{f.throughput:,.0f}", f"{ratio:.2f}",
            f"{p.percentile(50):.1f}", f"{p.percentile(99):.1f}", f"{f.percentile(50):.1f}", f"{f.percentile(99):.1f}",
            f"{p.completed}{'*' if p.capped else ''}/{f.completed}{'*' if f.capped else ''}",
            f"{p.errors}/{f.errors}",
        ])
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                                 enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i else ":" + "-" * (w + 1) for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(header), rule, *(fmt(line) for line in lines)])


def record(text: str, notes: list[str], argv: list[str], watch: machine.LoadWatch) -> None:
    if not machine.RESULTS.exists():
        machine.RESULTS.write_text(
            "# Benchmark results\n\nAppended by `python -m bench` (newest last). *ratio* is project ÷ floor "
            "throughput; the floor is the same kind of request, with the same authentication, to a trivial "
            "view in the same run. `*` after a request count: stopped by the time cap.\n"
        )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python -m bench", *map(shlex.quote, argv)])
    machine.append_results([f"\n## {stamp} — `{command}`\n", *(f"- {n}" for n in notes), "", text, ""], watch)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    environment.configure()
    import django

    django.setup()
    from bench import load, registry, server

    workloads = registry.discover()
    args = parse_args(workloads, registry.size_defaults(workloads), argv)
    if args.list:
        for item in workloads.values():
            sizes = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in item.sizes.items())
            print(f"{item.name:<20} {item.description}" + (f"  [{sizes}]" if sizes else ""))
        return 0
    selected = [workloads[name] for name in (args.only or workloads)]
    if not selected:
        print("no workloads registered (bench/workloads_*.py)", file=sys.stderr)
        return 2

    # Own load: the server's processes (one per core) and the load generator keep every core busy.
    # Own load: each request in flight is one runnable task (a server thread or its PostgreSQL backend), plus
    # the load generator itself (the data setup before it runs one backend and its parallel workers: fewer).
    watch = machine.LoadWatch(own=args.concurrency + 1)
    prepare_database(args.reset_db)
    check_redis()
    sizes = {key[len("size_"):]: value for key, value in vars(args).items() if key.startswith("size_")}
    ctx = registry.Context(requests=args.requests, concurrency=args.concurrency, duration=args.duration,
                           warmup=args.warmup, sizes=sizes)

    from django.db import connection

    plans = {}
    for item in selected:
        print(f"setting up {item.name}: {item.description}")
        plans[item.name] = item.setup(ctx)
    connection.close()

    rows: list[Row] = []
    srv = server.Server(workers=args.workers, threads=args.threads)
    print(f"starting {srv.describe}")
    with srv:
        notes = machine_notes(srv.describe, args)

        def report(name: str, label: str, result) -> None:
            print(f"  {name} {label:<7} {result.throughput:8,.0f} req/s  p50 {result.percentile(50):6.1f} ms  "
                  f"p99 {result.percentile(99):6.1f} ms  {result.completed} done, {result.errors} errors, "
                  f"client CPU {result.client_cpu / max(result.elapsed, 1e-9):.0%} of a core")
            if result.error_sample:
                print(f"    first error: {result.error_sample}", file=sys.stderr)

        for item in selected:
            plan = plans[item.name]
            sides = {"project": (plan.project, plan.project_ok), "floor": (plan.floor, plan.floor_ok)}
            bounds = {"concurrency": args.concurrency}
            warm: dict[str, list] = {"project": [], "floor": []}
            if args.warmup:
                for side, (factory, ok) in sides.items():
                    warm[side].append(load.run(server.HOST, srv.port, factory, requests=args.warmup,
                                               duration=args.duration, ok=ok, **bounds))
            # Rounds alternate project and floor (P F, F P, …) so drift on a shared machine hits both.
            results: dict[str, list] = {"project": [], "floor": []}
            per_round = [args.requests // args.rounds + (r < args.requests % args.rounds) for r in range(args.rounds)]
            start = args.warmup
            for r, count in enumerate(per_round):
                order = ["project", "floor"] if r % 2 == 0 else ["floor", "project"]
                for side in order:
                    factory, ok = sides[side]
                    results[side].append(load.run(server.HOST, srv.port, factory, requests=count,
                                                  duration=args.duration / args.rounds, ok=ok,
                                                  start_index=start, **bounds))
                start += count
            project, floor = load.merge(results["project"]), load.merge(results["floor"])
            report(item.name, "project", project)
            report(item.name, "floor", floor)
            row = Row(item.name, project, floor)
            if plan.verify:
                everything = {side: results[side] + warm[side] for side in results}
                outcome = registry.Outcome(
                    project_ok=sum(r.completed - r.errors for r in everything["project"]),
                    floor_ok=sum(r.completed - r.errors for r in everything["floor"]),
                    project_errors=sum(r.errors for r in everything["project"]),
                    floor_errors=sum(r.errors for r in everything["floor"]),
                )
                try:
                    row.verified = plan.verify(outcome) or "ok"
                except Exception as exc:  # reported, recorded and turned into exit status 1
                    row.verified, row.verify_failed = f"FAILED: {exc}", True
                connection.close()
                print(f"  {item.name} verify  {row.verified}", file=sys.stderr if row.verify_failed else sys.stdout)
            rows.append(row)

    for row in rows:
        if row.name == "progress_write" and row.floor.throughput:
            targets.figure_put("progress_write", value=row.project.throughput / row.floor.throughput,
                               project=f"{row.project.throughput:,.0f} req/s",
                               floor=f"{row.floor.throughput:,.0f} req/s")
    targets.figures_flush(watch)
    text = table(rows)
    checks = [f"- verify {row.name}: {row.verified}" for row in rows if row.verified]
    if checks:
        text += "\n\n" + "\n".join(checks)
    print()
    print(text)
    if args.no_record:
        print(watch.finish().line())
    else:
        record(text, notes, argv, watch)
    return 1 if any(r.project.errors or r.floor.errors or r.verify_failed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

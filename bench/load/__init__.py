"""A bounded HTTP load generator: C threads, one keep-alive ``http.client`` connection each, loopback only.

A measurement stops at ``requests`` requests or ``duration`` seconds, whichever comes first.
Every response body is read in full; latency is from sending the request to the last body byte.
(The package's other modules are the learner load test, ``python -m bench.load``: see __main__.py.)
"""
from __future__ import annotations

import http.client
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.registry import RequestFactory

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
BASE_HEADERS = {"Accept": "application/json", "Connection": "keep-alive"}


@dataclass
class Result:
    completed: int
    errors: int
    elapsed: float
    latencies: list[float]  # seconds, sorted
    statuses: Counter = field(default_factory=Counter)
    error_sample: str = ""
    capped: bool = False  # stopped by the time cap before the request count
    client_cpu: float = 0.0  # CPU seconds this process (the load generator) spent during the run

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        rank = max(1, min(len(self.latencies), round(p / 100 * len(self.latencies) + 0.5)))
        return self.latencies[rank - 1] * 1000


def run(
    host: str, port: int, factory: RequestFactory, *, requests: int, concurrency: int, duration: float,
    ok: frozenset[int] = frozenset({200}), start_index: int = 0, timeout: float = 30.0,
) -> Result:
    if host not in LOOPBACK:
        raise ValueError(f"The load generator only talks to loopback, not {host!r}.")
    lock = threading.Lock()
    next_index = start_index
    end_index = start_index + requests
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: Counter = Counter()
    errors = 0
    error_sample = ""
    barrier = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def take() -> int | None:
        nonlocal next_index
        with lock:
            if next_index >= end_index or time.perf_counter() >= deadline:
                return None
            index = next_index
            next_index += 1
            return index

    def worker(slot: int) -> None:
        nonlocal errors, error_sample
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine = latencies[slot]
        local_status: Counter = Counter()
        barrier.wait()
        try:
            while (index := take()) is not None:
                req = factory(index)
                headers = {**BASE_HEADERS, **req.headers}
                began = time.perf_counter()
                try:
                    conn.request(req.method, req.path, body=req.body, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # reconnect on the next request
                    status, body = 0, repr(exc).encode()
                mine.append(time.perf_counter() - began)
                local_status[status] += 1
                problem = ""
                if status not in ok:
                    problem = f"{status}: {body[:300]!r}"
                elif "json" not in (content_type := response.getheader("Content-Type") or ""):
                    problem = f"{status} with Content-Type {content_type!r}, not JSON"
                if problem:
                    with lock:
                        errors += 1
                        error_sample = error_sample or f"{req.method} {req.path} -> {problem}"
        finally:
            conn.close()
            with lock:
                statuses.update(local_status)

    threads = [threading.Thread(target=worker, args=(slot,), daemon=True) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    deadline = started + duration
    barrier.wait()
    for thread in threads:
        thread.join(duration + timeout + 5)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    merged = sorted(value for chunk in latencies for value in chunk)
    return Result(
        completed=len(merged), errors=errors, elapsed=elapsed, latencies=merged, statuses=statuses,
        error_sample=error_sample, capped=len(merged) < requests, client_cpu=client_cpu,
    )


def merge(results: list[Result]) -> Result:
    """Several rounds of the same measurement as one: summed counts and time, pooled latencies."""
    statuses: Counter = Counter()
    for result in results:
        statuses.update(result.statuses)
    return Result(
        completed=sum(r.completed for r in results), errors=sum(r.errors for r in results),
        elapsed=sum(r.elapsed for r in results),
        latencies=sorted(value for r in results for value in r.latencies), statuses=statuses,
        error_sample=next((r.error_sample for r in results if r.error_sample), ""),
        capped=any(r.capped for r in results), client_cpu=sum(r.client_cpu for r in results),
    )

"""Gunicorn serving ``lms.wsgi`` on a free loopback port, in a subprocess with the bench environment."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench import environment

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def default_workers() -> tuple[int, int]:
    """Sized for the machine (2 cores here): one process per core, threads to overlap DB/Redis waits.

    The load generator runs on the same cores, so more processes than cores only adds switching.
    """
    cores = os.cpu_count() or 2
    return max(2, cores), 4


@dataclass
class Server:
    """``env`` replaces the bench environment (a run with other settings, database or broker); the
    server is ready when ``ready_path`` answers 401 or 403 without credentials on every worker."""

    workers: int
    threads: int
    env: Mapping[str, str] | None = None
    ready_path: str = "/bench/floor/"
    log_dir: Path | None = None
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def describe(self) -> str:
        return f"gunicorn gthread {self.workers} workers x {self.threads} threads, keep-alive"

    def start(self, timeout: float = 30.0) -> Server:
        self.port = free_port()
        log_dir = self.log_dir or environment.VAR_DIR
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / "gunicorn.log"
        command = [
            sys.executable, "-m", "gunicorn", "lms.wsgi:application",
            "--bind", f"{HOST}:{self.port}",
            "--worker-class", "gthread",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--keep-alive", "10",
            "--graceful-timeout", "5",
            "--timeout", "60",
            "--no-control-socket",
            "--log-level", "warning",
            "--error-logfile", str(self.log_path),
        ]
        env = {**os.environ, **(environment.bench_env() if self.env is None else self.env)}
        self.process = subprocess.Popen(
            command, cwd=environment.BASE_DIR, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        """Ready when every worker answers: a few unauthenticated requests must get 401/403."""
        deadline = time.monotonic() + timeout
        answered = 0
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", self.ready_path, headers={"Accept": "application/json"})
                status = conn.getresponse().status
                conn.close()
            except OSError:
                time.sleep(0.1)
                continue
            if status not in (401, 403):
                raise RuntimeError(f"{self.ready_path} answered {status} without credentials; see {self.log_path}")
            answered += 1
            if answered >= self.workers * 2:
                return
        self.stop()
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: graceful shutdown of the master and its workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

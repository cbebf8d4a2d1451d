"""Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

Used by ``make run`` after migrations and the demo data. Honours HOST and PORT.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def start(name: str, argv: list[str]) -> subprocess.Popen:
    print(f"starting {name}: {' '.join(argv)}", flush=True)
    return subprocess.Popen(argv, cwd=ROOT, start_new_session=True)


def wait_for_port(host: str, port: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def print_banner() -> None:
    base = f"http://{HOST if HOST not in ('0.0.0.0', '::') else '127.0.0.1'}:{PORT}"
    credentials_path = ROOT / os.environ.get("VAR_DIR", "var") / "demo-credentials.json"
    lines = [
        "",
        "Empathy LMS is running (Ctrl-C stops the web server, the worker and beat).",
        f"  Learning:   {base}/ (catalog, courses, quizzes, role-plays, workshops, my learning)",
        f"  API:        {base}/api/v1/",
        f"  API docs:   {base}/api/docs/",
        f"  Admin:      {base}/admin/",
        f"  Health:     {base}/api/v1/health/",
        f"  Mail:       {ROOT / 'var' / 'mail'} (one file per message)",
    ]
    if credentials_path.exists():
        data = json.loads(credentials_path.read_text())
        lines.append("  Demo logins (password for all: {}):".format(data["logins"][0]["password"]))
        for login in data["logins"]:
            lines.append(f"    {login['email']:<28} {', '.join(login['roles'])}")
        lines.append(f"  HR API key:  Authorization: Api-Key {data.get('hr_api_key', '?')}")
        lines.append(f"  (also in {credentials_path})")
    print("\n".join(lines) + "\n", flush=True)


def main() -> int:
    processes = {
        "web": start("web", [str(BIN / "python"), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]),
        "worker": start("worker", [str(BIN / "celery"), "-A", "lms", "worker", "-Q", "default,long",
                                   "--concurrency", "2", "--loglevel", "INFO"]),
        "beat": start("beat", [str(BIN / "celery"), "-A", "lms", "beat", "--loglevel", "INFO"]),
    }
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\nstopping web, worker and beat…", flush=True)
        for proc in processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    if wait_for_port("127.0.0.1" if HOST in ("0.0.0.0", "::") else HOST, int(PORT)):
        print_banner()
    status = 0
    while not stopping:
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the others", flush=True)
                status = proc.returncode or 1
                stop()
                break
        time.sleep(0.5)
    return status


if __name__ == "__main__":
    sys.exit(main())

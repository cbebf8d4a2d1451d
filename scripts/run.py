"""Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

Used by ``make run`` (gunicorn, threaded, with gunicorn.conf.py as in production) and ``make dev``
(``--dev``: Django's development server, reloading on code changes). Honours HOST and PORT.

In order, before anything starts: a lock on VAR_DIR (one ``make run`` per folder; a second one says
which process holds it and exits), the port claimed (``make run`` listens on it at once and hands the
socket to gunicorn, so nothing else can take it meanwhile; ``make dev`` only checks it is free), then
migrations, the demo data and the static files. The banner with the URLs and logins is printed once our
own web server answers.
"""
from __future__ import annotations

import argparse
import errno
import fcntl
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCK_NAME = "run.lock"


class StartError(Exception):
    """Why the stack cannot start; printed as is, and the script exits with status 1."""


def var_dir() -> Path:
    """VAR_DIR as the settings read it: the variable, else var/ beside manage.py."""
    path = Path(os.environ.get("VAR_DIR") or ROOT / "var")
    return path if path.is_absolute() else ROOT / path


def take_lock(folder: Path) -> IO[str]:
    """Hold an exclusive lock on ``folder``/run.lock for as long as the returned file stays open.

    The holder writes its pid into the file; a second caller gets StartError naming that pid. The lock
    goes with the process (flock), so a crashed run leaves nothing to clean up.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    handle = path.open("a+")  # not "w": truncating before the lock is ours would erase the holder's pid
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            handle.close()
            raise
        handle.seek(0)
        pid = handle.read().strip() or "unknown"
        handle.close()
        raise StartError(
            f"Another `make run` (pid {pid}) is already running on {folder} (lock file {path}).\n"
            f"Stop it first (Ctrl-C in its terminal, or `kill {pid}`), or start this one on its own "
            "folder and port, e.g. `VAR_DIR=/tmp/lms-2 PORT=8001 make run`."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def claim_port(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``, held from before the migrations until the web server
    takes it over (gunicorn is handed it as ``fd://N``): no other program can take the port meanwhile,
    so whatever answers there afterwards is our own server. StartError when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As the servers do: a port left in TIME_WAIT by a previous run counts as free.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(256)  # connections made while the migrations run wait here for the server
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise StartError(
                f"Port {port} on {host} is already in use by another program (another `make run`?).\n"
                f"Choose another port with PORT (and the address with HOST), e.g. "
                f"`PORT={port + 1} make run`."
            ) from None
        raise StartError(
            f"Cannot listen on {host}:{port}: {error.strerror or error}.\n"
            "Set HOST (an address of this machine, e.g. 127.0.0.1 or 0.0.0.0) and PORT, e.g. "
            "`HOST=127.0.0.1 PORT=8000 make run`."
        ) from None
    sock.set_inheritable(True)
    return sock


def check_port_free(host: str, port: int) -> None:
    """StartError unless a server could listen on ``host``:``port`` now (``make dev``: Django's
    development server cannot be handed a socket, so it binds the port itself)."""
    claim_port(host, port).close()


def client_host(host: str) -> str:
    """Where to reach a server listening on ``host`` (a wildcard address is reached on loopback)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def wait_until_answering(host: str, port: int, *, path: str = "/", alive: Callable[[], bool] = lambda: True,
                         timeout: float = 120.0, interval: float = 0.3) -> int | None:
    """The HTTP status of the first answer to GET ``path``, or None when ``alive()`` turns false or
    ``timeout`` seconds pass first. Any status counts: what matters is that an HTTP server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return None
        connection = http.client.HTTPConnection(client_host(host), port, timeout=2)
        try:
            connection.request("GET", path, headers={"Accept": "text/html"})
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            time.sleep(interval)
        finally:
            connection.close()
    return None


def banner(host: str, port: int, folder: Path) -> str:
    """The URLs and logins. What the settings decided (SITE_URL, the mail folder, the HR key) comes from
    the credentials file the demo loader wrote with those very settings, so the banner cannot disagree."""
    address = client_host(host)
    base = f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"
    credentials_path = folder / "demo-credentials.json"
    data = json.loads(credentials_path.read_text()) if credentials_path.exists() else {}
    lines = [
        "",
        "Empathy LMS is running (Ctrl-C stops the web server, the worker and beat).",
        f"  Learning:   {base}/ (catalog, courses, quizzes, role-plays, workshops, my learning)",
        f"  API:        {base}/api/v1/",
        f"  API docs:   {base}/api/docs/",
        f"  Admin:      {base}/admin/",
        f"  Health:     {base}/api/v1/health/live/ (process up), {base}/api/v1/health/ready/ (database, broker)",
        f"              {base}/api/v1/health/ (database, broker and a worker round trip)",
        f"  Mail:       {data.get('mail') or folder / 'mail'}",
    ]
    if data.get("site"):
        lines.append(f"  Links:      {data['site']} (SITE_URL: mail, QR codes, verify links, credentials)")
    if data.get("logins"):
        lines.append("  Demo logins (password for all: {}):".format(data["logins"][0]["password"]))
        for login in data["logins"]:
            lines.append(f"    {login['email']:<28} {', '.join(login['roles'])}")
    if data.get("hr_api_key"):
        lines.append(f"  HR API key:  Authorization: Api-Key {data['hr_api_key']} (kept between runs)")
        lines.append(f"    e.g. curl -H 'Authorization: Api-Key {data['hr_api_key']}' "
                     f"{base}/api/v1/reports/completions/")
        lines.append(f"  (also in {credentials_path})")
    return "\n".join(lines) + "\n"


def announce_when_answering(host: str, port: int, folder: Path, *, alive: Callable[[], bool],
                            timeout: float = 120.0) -> bool:
    """Print the banner once our web server answers; say so instead when it does not."""
    status = wait_until_answering(host, port, alive=alive, timeout=timeout)
    if status is None:
        if alive():
            print(f"the web server did not answer at http://{client_host(host)}:{port}/ within {timeout:.0f}s; "
                  "see its log above", flush=True)
        return False
    if status >= 500:
        print(f"warning: the web server answered {status} at /; see its log above", flush=True)
    print(banner(host, port, folder), flush=True)
    return True


def clear_metrics(folder: Path) -> None:
    """Start the counters of /metrics at zero: each process of the last run left its own files there."""
    target = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or folder / "metrics")
    for stale in target.glob("*.db"):
        stale.unlink(missing_ok=True)


def manage(*args: str) -> None:
    """One manage.py step before the servers start; a failure stops the run."""
    print(f"manage.py {' '.join(args)}", flush=True)
    result = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, check=False)
    if result.returncode:
        raise StartError(f"manage.py {' '.join(args)} failed (exit status {result.returncode}); see above.")


def start(name: str, argv: list[str], env: dict[str, str] | None = None,
          pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    print(f"starting {name}: {' '.join(argv)}", flush=True)
    return subprocess.Popen(argv, cwd=ROOT, start_new_session=True, env=env, pass_fds=pass_fds)


def web_command(host: str, port: int, *, dev: bool, fd: int | None = None) -> tuple[list[str], dict[str, str]]:
    """How to start the web server: gunicorn on the claimed socket ``fd`` (or on ``host``:``port``), or
    with ``dev`` Django's development server."""
    if dev:
        # One new thread per request: keep no database connection past its request.
        env = {**os.environ, "CONN_MAX_AGE": "0"}
        return [str(BIN / "python"), "manage.py", "runserver", f"{host}:{port}"], env
    bind = f"fd://{fd}" if fd is not None else f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [str(BIN / "python"), "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
            "--bind", bind], dict(os.environ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true",
                        help="Django's development server (reloads on code changes) instead of gunicorn")
    args = parser.parse_args(argv)
    host = os.environ.get("HOST", "127.0.0.1")
    port_text = os.environ.get("PORT", "8000")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        print(f"PORT must be a port number (1-65535), not {port_text!r}", file=sys.stderr)
        return 1
    port = int(port_text)
    folder = var_dir()
    try:
        lock = take_lock(folder)  # held (the file open) until this process ends
        listener = None if args.dev else claim_port(host, port)
        if args.dev:
            check_port_free(host, port)
        manage("migrate", "--noinput")
        manage("load_demo")
        manage("collectstatic", "--noinput", "-v0")
        clear_metrics(folder)
    except StartError as error:
        print(error, file=sys.stderr, flush=True)
        return 1

    fds = () if listener is None else (listener.fileno(),)
    web_argv, web_env = web_command(host, port, dev=args.dev, fd=fds[0] if fds else None)
    processes = {
        "web": start("web", web_argv, web_env, pass_fds=fds),
        "worker": start("worker", [str(BIN / "celery"), "-A", "lms", "worker", "-Q", "default,long",
                                   "--concurrency", "2", "--loglevel", "INFO"]),
        "beat": start("beat", [str(BIN / "celery"), "-A", "lms", "beat", "--loglevel", "INFO"]),
    }
    if listener is not None:
        listener.close()  # gunicorn holds it now
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

    announce_when_answering(host, port, folder, alive=lambda: not stopping and processes["web"].poll() is None)
    status = 0
    while not stopping:
        for name, proc in processes.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the others", flush=True)
                status = proc.returncode or 1
                stop()
                break
        time.sleep(0.5)
    lock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())

"""A real HTTP server on loopback, in a thread, that records webhook requests and answers as told.

While it runs, its exact host:port is the one test target webhooks may reach past the public-address rule
(WEBHOOKS_TEST_TARGETS; worker processes started meanwhile are given ``target`` in their environment)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from django.test import override_settings


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    target: str = ""  # host:port
    location: str = ""  # when set, sent as the Location header of every answer (a redirect)
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer, in order; the last one repeats. "hang" holds the request until released.
    script: list = field(default_factory=lambda: [200])
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.requests)


@contextmanager
def receiver(script: list | None = None) -> Iterator[Receiver]:
    state = Receiver(url="")
    if script:
        state.script = list(script)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                state.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                answer = state.script[min(len(state.requests) - 1, len(state.script) - 1)]
            if answer == "hang":
                state.release.wait(timeout=60)
                return  # no response: the connection just closes
            self.send_response(answer)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.target = f"127.0.0.1:{server.server_address[1]}"
    state.url = f"http://{state.target}/hooks/lms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    allowed = override_settings(WEBHOOKS_TEST_TARGETS=[*settings.WEBHOOKS_TEST_TARGETS, state.target])
    allowed.enable()
    try:
        yield state
    finally:
        allowed.disable()
        state.release.set()
        server.shutdown()
        server.server_close()

"""Monitoring: who may read /metrics, and where the processes keep their shared counters.

Prometheus' client counts in every process (two gunicorn processes, the Celery worker's children) and
writes its figures to files in one folder, which the scrape adds up. The folder must be known before
the client library is first imported, so it is put in the environment here, while settings load.
"""
from __future__ import annotations

import hashlib
import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import VAR_DIR, env

# Only the digest is kept: the token itself never sits in settings, and the check compares digests in
# constant time (lms.metrics.metrics_access_allowed).
_token = env.str("METRICS_TOKEN", default="")
METRICS_TOKEN_DIGEST = hashlib.sha256(_token.encode()).hexdigest() if _token else ""
del _token


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for text in env.list("METRICS_ALLOWED_NETWORKS", default=[]):
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {text!r} is not a network ({exc}).") from exc
    return networks


METRICS_ALLOWED_NETWORKS = _networks()

PROMETHEUS_MULTIPROC_DIR = Path(env.str("PROMETHEUS_MULTIPROC_DIR", default=str(VAR_DIR / "metrics")))
PROMETHEUS_MULTIPROC_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(PROMETHEUS_MULTIPROC_DIR)

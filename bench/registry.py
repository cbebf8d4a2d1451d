"""Workload registry: ``@workload("name")`` on a setup function in any ``bench/workloads_*.py``.

A workload's setup function runs in the benchmark process (Django is set up, the bench database
is migrated, the server is already listening). It creates the data it needs, usually through
``bench.data``, and returns a ``Plan``: two request factories, one for the project endpoint and
one for its floor (the same kind of request, with the same authentication, to ``/bench/floor/``).

A request factory is called as ``factory(i)`` with a distinct index ``i`` for every request of a
run: warm-up requests get ``0 .. warmup-1`` and measured ones follow, so a factory that must not
repeat itself (complete activity *i*, say) can derive its target from ``i`` alone. Factories are
called from several load threads at once and must not share mutable state.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @classmethod
    def json(cls, method: str, path: str, payload: Any, headers: Mapping[str, str] | None = None) -> Request:
        import json

        return cls(method, path, {**(headers or {}), "Content-Type": "application/json"},
                   json.dumps(payload).encode())


RequestFactory = Callable[[int], Request]


@dataclass(frozen=True)
class Outcome:
    """What ``Plan.verify`` gets: successful requests per side, warm-up included (each one hit the server)."""

    project_ok: int
    floor_ok: int
    project_errors: int
    floor_errors: int


@dataclass(frozen=True)
class Plan:
    """What to measure: ``project`` against ``floor``, each a ``RequestFactory``."""

    project: RequestFactory
    floor: RequestFactory
    # Statuses that count as success for each side; anything else is counted as an error.
    project_ok: frozenset[int] = frozenset({200})
    floor_ok: frozenset[int] = frozenset({200})
    # Called once after both measurements with an ``Outcome`` (e.g. to check the writes landed).
    # Raise to fail the run; a returned string is printed and recorded under the table. Optional.
    verify: Callable[[Outcome], str | None] | None = None


@dataclass(frozen=True)
class Context:
    """What a setup function gets: the run's bounds and the size arguments (``--learners`` …)."""

    requests: int
    concurrency: int
    duration: float
    warmup: int
    sizes: Mapping[str, int]

    @property
    def total_indices(self) -> int:
        """How many distinct request indices one side may be asked for (warm-up + measurement)."""
        return self.warmup + self.requests


Setup = Callable[[Context], Plan]


@dataclass(frozen=True)
class Workload:
    name: str
    setup: Setup
    description: str
    sizes: Mapping[str, int]  # size arguments this workload reads, with their defaults


_workloads: dict[str, Workload] = {}


def workload(name: str, *, sizes: Mapping[str, int] | None = None) -> Callable[[Setup], Setup]:
    """Register ``setup`` under ``name``. ``sizes`` declares ``--<size>`` arguments and their defaults.

    Two workloads may declare the same size (``learners``); they then share one argument, and the
    first default registered wins.
    """

    def register(setup: Setup) -> Setup:
        existing = _workloads.get(name)
        if existing is not None and existing.setup is not setup:
            raise ValueError(f"Workload {name!r} is registered twice "
                             f"({existing.setup.__module__}, {setup.__module__}).")
        doc = (setup.__doc__ or "").strip().splitlines()
        _workloads[name] = Workload(name, setup, doc[0] if doc else "", dict(sizes or {}))
        return setup

    return register


def discover() -> dict[str, Workload]:
    """Import every ``bench/workloads_*.py`` and return the workloads in registration order."""
    package_dir = Path(__file__).resolve().parent
    for module in sorted(pkgutil.iter_modules([str(package_dir)]), key=lambda m: m.name):
        if module.name.startswith("workloads_"):
            importlib.import_module(f"bench.{module.name}")
    return dict(_workloads)


def size_defaults(workloads: Mapping[str, Workload]) -> dict[str, int]:
    defaults: dict[str, int] = {}
    for item in workloads.values():
        for key, value in item.sizes.items():
            defaults.setdefault(key, value)
    return defaults

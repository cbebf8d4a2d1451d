"""What needs an instructor now: a registry of sources the /teach/ home asks in turn.

A source is a function of the signed-in person returning `Need`s (one line each on the home page: what, how many,
where to act). Domains of this app register theirs in `courses/teaching/sources.py`; another app registers from its
own module, imported by its `AppConfig.ready()` (assessments: role-play reviews owed).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Need:
    key: str
    label: str
    count: int
    url: str


NeedSource = Callable[[Any], list[Need]]
_SOURCES: dict[str, NeedSource] = {}


def teach_need_source(name: str) -> Callable[[NeedSource], NeedSource]:
    def register(function: NeedSource) -> NeedSource:
        _SOURCES[name] = function
        return function
    return register


def needs_for(actor: Any) -> list[Need]:
    """Every registered source's needs with a count above zero, in registration order."""
    found: list[Need] = []
    for source in _SOURCES.values():
        found.extend(need for need in source(actor) if need.count)
    return found

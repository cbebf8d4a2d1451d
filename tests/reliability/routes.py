"""Every API operation, read from the URL configuration (so a new endpoint cannot be forgotten)."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from tests.reliability.world import route_template

API_PREFIX = "api/v1/"
IGNORED_METHODS = {"options", "head", "trace"}


@dataclass(frozen=True)
class Operation:
    method: str
    route: str  # relative to /api/v1/, with Django converters: ``courses/<slug:slug>/``

    @property
    def key(self) -> str:
        """``GET /api/v1/courses/{slug}/``: the row name in the permission table."""
        return f"{self.method} /{API_PREFIX}{route_template(self.route)}"


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def api_operations() -> list[Operation]:
    operations = set()
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view is None:
            raise AssertionError(f"{route} is not a class-based API view; the matrix cannot read its methods.")
        for method in view.http_method_names:
            if method not in IGNORED_METHODS and hasattr(view, method):
                operations.add(Operation(method.upper(), route[len(API_PREFIX):]))
    return sorted(operations, key=lambda op: (op.route, op.method))

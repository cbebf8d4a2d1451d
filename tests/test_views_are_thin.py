"""Views are thin: API and page modules hold no ORM call, no hand-made file, no inline permission check.

Reads live in selectors (``*/selectors.py``), "may the caller do this?" in selectors and the
domains' ``permissions.py``, CSV/ICS building in builder modules. This test parses every view module
with ``ast`` and names each offending line.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("courses", "assessments", "lms")
VIEW_MODULE_NAMES = {"api.py", "pages.py", "views.py"}
# Modules that must stay as they are, each with its reason.
EXCLUDED: dict[str, str] = {}


def is_view_module(relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return "/api" in relative or "/pages" in relative or name in VIEW_MODULE_NAMES


def view_modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/settings/" in relative:
                continue
            if is_view_module(relative) and relative not in EXCLUDED:
                found.append(relative)
    return found


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        base = func.value.id if isinstance(func.value, ast.Name) else ""
        return f"{base}.{func.attr}" if base else func.attr
    return ""


def _raised_name(node: ast.Raise) -> str:
    exc = node.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    if isinstance(exc, ast.Name):
        return exc.id
    if isinstance(exc, ast.Attribute):
        return exc.attr
    return ""


def offences(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, "ORM access `.objects`"))
        elif isinstance(node, ast.Call):
            name = _called_name(node)
            if name.rsplit(".", 1)[-1] == "get_object_or_404":
                found.append((node.lineno, "get_object_or_404()"))
            elif name in {"csv.writer", "writer", "csv.DictWriter", "DictWriter"}:
                found.append((node.lineno, f"file building `{name}()`"))
        elif isinstance(node, ast.Raise) and _raised_name(node) == "Forbidden":
            found.append((node.lineno, "inline `raise Forbidden`: use a permission class or an access_* selector"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if any(alias.name == "csv" for alias in node.names) and not isinstance(node, ast.ImportFrom):
                found.append((node.lineno, "imports csv: build files in a builder module"))
    return sorted(found)


def test_the_walk_finds_the_view_modules():
    modules = view_modules()
    assert "courses/workshops/api/views.py" in modules
    assert "lms/api/people.py" in modules
    assert "courses/catalog/pages/catalog.py" in modules
    assert "courses/workshops/selectors.py" not in modules


def test_the_check_catches_each_kind_of_offence():
    source = (
        "import csv\n"
        "from django.shortcuts import get_object_or_404\n"
        "def view(request, pk):\n"
        "    course = Course.objects.filter(pk=pk).first()\n"
        "    get_object_or_404(Course, pk=pk)\n"
        "    csv.writer(buffer)\n"
        "    raise Forbidden('no')\n"
    )
    assert [line for line, _ in offences(source)] == [1, 4, 5, 6, 7]


@pytest.mark.parametrize("relative", view_modules())
def test_view_module_is_thin(relative):
    found = offences((ROOT / relative).read_text())
    assert not found, f"{relative} is not thin:\n" + "\n".join(f"  line {line}: {what}" for line, what in found)

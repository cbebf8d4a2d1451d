"""The layout rules of docs/ARCHITECTURE.md that a linter does not check: sizes, cycles, task names.

import-linter (``make lint``) checks the direction of imports between layers; these tests check what
it cannot: no import cycle at all, no module or function too long to read, and that every task a
service enqueues by name exists.
"""
from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest
from celery import current_app
from django.utils.module_loading import autodiscover_modules

ROOT = Path(__file__).resolve().parent.parent
APPS = ("lms", "courses", "assessments")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def app_modules() -> list[Path]:
    return sorted(path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


def test_no_module_is_longer_than_the_limit():
    long = {str(path.relative_to(ROOT)): lines for path in app_modules()
            if (lines := path.read_text().count("\n")) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_longer_than_the_limit():
    long = {}
    for path in app_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
                if (lines := node.end_lineno - first + 1) > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert long == {}


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), over every import, even late ones."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle():
    graph = grimp.build_graph(*APPS, include_external_packages=False)
    modules = {module for module in graph.modules if ".migrations" not in module}
    assert len(modules) > 100, "the graph holds the apps' modules"
    assert _cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph, {"pkg.a", "pkg.b", "pkg.c"}) == [["pkg.a", "pkg.b"]]


def _enqueued_task_names() -> set[str]:
    names = set()
    for path in app_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr",
                                                                                None)) == "task_enqueue"
                and node.args and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
    return names


@pytest.mark.django_db
def test_every_task_a_service_enqueues_by_name_is_registered():
    names = _enqueued_task_names()
    assert len(names) >= 5, "services enqueue certificates, exports, webhooks, reminders and workshop mail"
    autodiscover_modules("tasks")
    assert names - set(current_app.tasks) == set()


def test_the_project_cites_no_document_outside_it():
    """The code and docs stand alone: nothing points at the old outside design guide."""
    outside_guide = "GUI" + "DE"  # spelled in two parts so this test does not find itself
    skip = {".venv", "node_modules", "var", ".git", "__pycache__"}
    suffixes = {".py", ".md", ".txt", ".toml", ".yaml", ".yml", ".html", ".po", ".json", ".cfg", ""}
    found = []
    for path in ROOT.rglob("*"):
        if skip & set(path.relative_to(ROOT).parts) or not path.is_file() or path.suffix not in suffixes:
            continue
        if outside_guide in path.read_text(errors="ignore"):
            found.append(str(path.relative_to(ROOT)))
    assert found == []

"""README's settings table documents every environment variable the settings read, each once, and no other.

The variables are found by reading ``lms/settings/*.py`` with ``ast`` (no import, so no environment
is needed): calls on django-environ's ``env`` object (``env("X")``, ``env.str("X")``, ``env.db("X")``
...) and the standard library's ``os.environ.get("X")``, ``os.environ["X"]`` and ``os.getenv("X")``.
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "lms" / "settings"
README = ROOT / "README.md"

# django-environ's Env methods that read one variable, named by their first argument.
ENV_READERS = {
    "str", "bytes", "bool", "int", "float", "json", "list", "tuple", "dict", "url", "path", "get_value",
    "db", "db_url", "cache", "cache_url", "email", "email_url", "search_url", "channels", "channels_url",
}
# Env methods that read no single variable.
ENV_NOT_READERS = {"read_env", "escape_proxy", "smart_cast", "parse_value"}
OS_ENVIRON_READERS = {"get", "setdefault", "pop"}

NAME = r"`[A-Z][A-Z0-9_]*`"
FIRST_CELL = re.compile(rf"^{NAME}(, {NAME})*$")
SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")


def _is_os_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _variable(node: ast.expr | None, where: str) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise AssertionError(f"{where}: an environment read whose variable name is not a string literal; "
                         "this test cannot tell which variable it is")


def _reads_in(source: str, filename: str) -> set[str]:
    """Every environment variable ``source`` reads, by the patterns above."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            found.add(_variable(node.slice, where))
        if not isinstance(node, ast.Call):
            continue
        func, first = node.func, node.args[0] if node.args else None
        if isinstance(func, ast.Name) and func.id == "env":
            found.add(_variable(first, where))
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env":
            if func.attr in ENV_READERS:
                found.add(_variable(first, where))
            elif func.attr not in ENV_NOT_READERS:
                raise AssertionError(f"{where}: env.{func.attr}() is unknown to this test; add it to ENV_READERS "
                                     "or ENV_NOT_READERS")
        elif isinstance(func, ast.Attribute) and _is_os_environ(func.value) and func.attr in OS_ENVIRON_READERS:
            found.add(_variable(first, where))
        elif (isinstance(func, ast.Attribute) and func.attr == "getenv"
              and isinstance(func.value, ast.Name) and func.value.id == "os"):
            found.add(_variable(first, where))
    return found


def settings_variables() -> set[str]:
    modules = sorted(SETTINGS_DIR.glob("*.py"))
    assert modules, f"no settings modules found in {SETTINGS_DIR}"
    found: set[str] = set()
    for module in modules:
        found |= _reads_in(module.read_text(encoding="utf-8"), str(module.relative_to(ROOT)))
    assert found, f"found no environment variable read in {SETTINGS_DIR}; the patterns in this test are stale"
    return found


def settings_section() -> list[str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Settings")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start + 1:end]


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def table_rows() -> list[list[str]]:
    """The body rows of the section's one table, after checking that it is one contiguous table."""
    section = settings_section()
    table_lines = [i for i, line in enumerate(section) if line.lstrip().startswith("|")]
    assert table_lines, "the Settings section of README.md has no table"
    first, last = table_lines[0], table_lines[-1]
    inside = section[first:last + 1]
    breaks = [f"line {first + n + 1} of the section: {line!r}" for n, line in enumerate(inside)
              if not line.lstrip().startswith("|")]
    assert not breaks, "the Settings table is interrupted (blank line or text inside it):\n" + "\n".join(breaks)
    header, separator, *body = inside
    assert _cells(header)[0].lower() == "variable", f"the table's header should start with 'variable': {header!r}"
    assert SEPARATOR.match(separator.strip()), f"the table's second line should be its separator: {separator!r}"
    assert body, "the Settings table has no rows"
    for row in body:
        assert not SEPARATOR.match(row.strip()) and _cells(row) != _cells(header), \
            f"a second header inside the Settings table: {row!r}"
        assert len(_cells(row)) == len(_cells(header)), f"row with a different number of cells: {row!r}"
    return [_cells(row) for row in body]


def documented_variables() -> Counter:
    counts: Counter = Counter()
    for cells in table_rows():
        assert FIRST_CELL.match(cells[0]), (
            f"first column {cells[0]!r}: list variables by their exact names in backticks, separated by ', '")
        counts.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]))
    return counts


def test_settings_table_is_one_contiguous_table():
    table_rows()


def test_the_scan_finds_the_settings_variables():
    found = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "EMAIL_URL", "THROTTLE_ANON"} <= found, found


@pytest.mark.parametrize("line", [
    'env("A")', 'env.str("A", default="")', 'env.bool("A")', 'env.int("A")', 'env.list("A", cast=float)',
    'env.db("A")', 'env.cache("A")', 'env.email_url("A")', 'os.environ.get("A")', 'os.environ["A"]',
    'os.getenv("A", "x")',
])
def test_the_scan_recognises_each_pattern(line):
    assert _reads_in(line, "example.py") == {"A"}


def test_the_scan_refuses_what_it_cannot_name():
    with pytest.raises(AssertionError, match="not a string literal"):
        _reads_in("env.str(name)", "example.py")
    with pytest.raises(AssertionError, match="unknown to this test"):
        _reads_in('env.novel("A")', "example.py")


def test_every_variable_the_settings_read_is_documented_once():
    read, documented = settings_variables(), documented_variables()
    missing = sorted(read - set(documented))
    repeated = sorted(name for name, count in documented.items() if count > 1)
    unread = sorted(set(documented) - read)
    assert not missing, f"read by lms/settings but not in README's Settings table: {missing}"
    assert not repeated, f"documented more than once in README's Settings table: {repeated}"
    assert not unread, f"in README's Settings table but not read by lms/settings: {unread}"

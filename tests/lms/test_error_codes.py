"""Error codes are enum members: none is a string literal where it is raised, each is unique and used,
and the OpenAPI description of an operation lists the codes its view declares."""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

from lms.error_codes import ErrorCodeEnum
from lms.errors import ApplicationError

ROOT = Path(__file__).resolve().parents[2]
APPS = ("courses", "assessments", "lms")
ERROR_CALLEE = re.compile(r"(Error|Exception|Conflict|NotFound|Forbidden|Locked)$")


def _sources() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), filename=str(path))
        for app in APPS for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _import_app_modules(sources) -> None:
    for path in sources:
        relative = path.relative_to(ROOT).with_suffix("")
        if "settings" in relative.parts or "management" in relative.parts:
            continue
        importlib.import_module(".".join(relative.parts).removesuffix(".__init__"))


@pytest.fixture(scope="module")
def sources():
    found = _sources()
    _import_app_modules(found)
    return found


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_no_string_literal_error_code_is_raised(sources):
    error_classes = {cls.__name__ for cls in _subclasses(ApplicationError)}
    problems = []
    for path, tree in sources.items():
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (ERROR_CALLEE.search(_callee(node)) or _callee(node) in error_classes):
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        problems.append(f"{where}:{node.lineno} {_callee(node)}(code={keyword.value.value!r})")
            if isinstance(node, ast.ClassDef) and (
                node.name in error_classes or any(ERROR_CALLEE.search(ast.unparse(base)) for base in node.bases)
            ):
                for statement in node.body:
                    if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
                        and any(getattr(target, "id", None) == "code" for target in statement.targets)):
                        problems.append(
                            f"{where}:{statement.lineno} class {node.name}: code = {statement.value.value!r}")
    assert problems == []


def test_error_code_values_are_unique(sources):
    enums = _subclasses(ErrorCodeEnum)
    assert len(enums) >= 10
    seen: dict[str, str] = {}
    for enum in enums:
        values = [member.value for member in enum.__members__.values()]
        assert len(values) == len(set(values)), f"{enum.__name__} repeats a value"
        for value in values:
            # A code raised in several domains lives once, in the lowest place they share.
            assert value not in seen, f"{value!r} is in both {seen[value]} and {enum.__name__}"
            seen[value] = enum.__name__


def test_every_error_code_is_used(sources):
    enums = {enum.__name__: enum for enum in _subclasses(ErrorCodeEnum)}
    used = {
        (node.value.id, node.attr)
        for tree in sources.values() for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in enums
    }
    dead = [f"{name}.{member}" for name, enum in enums.items() for member in enum.__members__
            if (name, member) not in used]
    assert dead == []


def test_error_codes_serialize_as_their_plain_string():
    import json

    from courses.workshops.errors import WorkshopConflict, WorkshopErrorCode
    from lms.errors import error_body

    error = WorkshopConflict("Full.", code=WorkshopErrorCode.SESSION_FULL)
    assert error.code == "session_full"
    assert str(error.code) == "session_full"
    assert json.dumps(error_body(error.code, error.message)) == (
        '{"error": {"code": "session_full", "message": "Full.", "fields": {}}}')


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(schema, path_suffix: str, method: str) -> dict:
    matches = [item[method] for path, item in schema["paths"].items() if path.endswith(path_suffix) and method in item]
    assert len(matches) == 1, path_suffix
    return matches[0]


@pytest.mark.parametrize(("path", "method", "codes"), [
    ("/sessions/{session_id}/register/", "post", ["session_full", "not_enrolled", "registration_closed"]),
    ("/activities/{activity_id}/quiz/attempts/", "post", ["enrollment_required", "max_attempts_reached", "quiz_empty"]),
    ("/certificates/{code}/revoke/", "post", ["already_revoked", "reason_required"]),
    ("/auth/token/", "post", ["invalid_credentials", "account_locked"]),
])
def test_operation_descriptions_list_their_error_codes(schema, path, method, codes):
    description = _operation(schema, path, method)["description"]
    assert "Error codes" in description
    for code in codes:
        assert f"- `{code}`" in description


def test_read_only_operation_of_a_writing_view_lists_no_codes(schema):
    description = _operation(schema, "/sessions/{session_id}/", "get").get("description", "")
    assert "Error codes" not in description

"""SCIM filters (RFC 7644 3.4.2.2): parsed by scim2-filter-parser, evaluated on our SCIM documents.

``compile_filter(text)`` returns a predicate over a resource's SCIM document (a dict), or raises a 400
``invalidFilter``. The same predicate serves PATCH's value paths (``emails[type eq "work"]``), applied to
one element of a multi-valued attribute. Comparison is case-insensitive (no attribute is caseExact).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser

from lms.scim.errors import ScimError, ScimType
from lms.scim.schemas import ENTERPRISE, GROUP, USER

Predicate = Callable[[dict], bool]
MAX_FILTER_LENGTH = 2000
_CORE = {USER.lower(), GROUP.lower()}


def _invalid(detail: str) -> ScimError:
    return ScimError(detail, scim_type=ScimType.INVALID_FILTER)


def compile_filter(text: str) -> Predicate:
    if len(text) > MAX_FILTER_LENGTH:
        raise _invalid("The filter is too long.")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as exc:  # the parser raises several kinds, all meaning "not a filter"
        raise _invalid(f"The filter could not be parsed: {exc}") from None
    if tree is None:
        raise _invalid("The filter is empty.")
    return _compile(tree)


def simple_equality(text: Any) -> tuple[str, str] | None:
    """(attribute, value) when the filter is one ``attribute eq "value"`` on a top-level core attribute (the
    lookup identity providers make before every create), so a selector can narrow the rows in SQL first."""
    if not isinstance(text, str) or not text or len(text) > MAX_FILTER_LENGTH:
        return None
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception:  # compile_filter reports it
        return None
    expr = tree.expr if isinstance(tree, scim_ast.Filter) and not tree.negated and tree.namespace is None else None
    if not isinstance(expr, scim_ast.AttrExpr) or expr.value.lower() != "eq" or expr.comp_value is None:
        return None
    path = expr.attr_path
    if not isinstance(path.attr_name, str) or path.sub_attr is not None or (path.uri and path.uri.lower() not in _CORE):
        return None
    return path.attr_name.lower(), str(expr.comp_value.value)


def lookup(document: dict, name: str) -> Any:
    """The value of ``name`` in ``document``, matching names without regard to case."""
    lowered = name.lower()
    for key, value in document.items():
        if key.lower() == lowered:
            return value
    return None


def _scope(document: dict, uri: str | None) -> dict:
    if uri is None or uri.lower() in _CORE:
        return document
    if uri.lower() == ENTERPRISE.lower():
        return lookup(document, ENTERPRISE) or {}
    raise _invalid(f"Unknown schema in the filter: {uri}.")


def _values(document: dict, path: scim_ast.AttrPath) -> list[Any]:
    """Every value the path names (several for a multi-valued attribute)."""
    if not isinstance(path.attr_name, str):
        raise _invalid("A value filter cannot be nested here.")
    value = lookup(_scope(document, path.uri), path.attr_name)
    items = value if isinstance(value, list) else [value]
    if path.sub_attr is not None:
        items = [lookup(item, path.sub_attr.value) if isinstance(item, dict) else None for item in items]
    elif items and all(isinstance(item, dict) for item in items if item is not None):
        # A complex attribute compared directly stands for its "value" sub-attribute.
        items = [lookup(item, "value") if isinstance(item, dict) else None for item in items]
    return [item for item in items if item not in (None, "", [], {})]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def _compare(op: str, actual: Any, expected: str | None) -> bool:
    left, right = _text(actual), (expected or "").lower()
    if expected is None:  # "eq null"
        return False
    return {
        "eq": left == right, "ne": left != right, "co": right in left, "sw": left.startswith(right),
        "ew": left.endswith(right), "gt": left > right, "ge": left >= right, "lt": left < right,
        "le": left <= right,
    }[op]


def _compile_comparison(node: scim_ast.AttrExpr) -> Predicate:
    op = node.value.lower()
    path = node.attr_path
    if isinstance(path.attr_name, scim_ast.Filter):  # emails[type eq "work"].value eq "x"
        inner = _compile(path.attr_name.expr)
        namespace = path.attr_name.namespace
        sub = namespace.sub_attr.value if namespace.sub_attr is not None else "value"
        element_path = scim_ast.AttrPath(sub, None, None)
        outer = scim_ast.AttrExpr(node.value, element_path, node.comp_value)
        element_test = _compile_comparison(outer)

        def value_path(document: dict) -> bool:
            items = lookup(_scope(document, namespace.uri), namespace.attr_name) or []
            return any(isinstance(item, dict) and inner(item) and element_test(item) for item in items)

        return value_path
    if op == "pr":
        return lambda document: bool(_values(document, path))
    if op not in {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}:
        raise _invalid(f"Unknown operator: {node.value}.")
    expected = None if node.comp_value is None or node.comp_value.value == "null" else node.comp_value.value
    if op == "ne":
        return lambda document: not any(_compare("eq", value, expected) for value in _values(document, path))
    return lambda document: any(_compare(op, value, expected) for value in _values(document, path))


def _compile(node: Any) -> Predicate:
    if isinstance(node, scim_ast.Filter):
        if node.namespace is not None:  # emails[type eq "work"] as a whole filter
            inner = _compile(node.expr)
            namespace = node.namespace

            def any_element(document: dict) -> bool:
                items = lookup(_scope(document, namespace.uri), namespace.attr_name) or []
                return any(isinstance(item, dict) and inner(item) for item in items)

            test = any_element
        else:
            test = _compile(node.expr)
        if node.negated:
            return lambda document: not test(document)
        return test
    if isinstance(node, scim_ast.LogExpr):
        left, right = _compile(node.expr1), _compile(node.expr2)
        if node.op.lower() == "and":
            return lambda document: left(document) and right(document)
        return lambda document: left(document) or right(document)
    if isinstance(node, scim_ast.AttrExpr):
        return _compile_comparison(node)
    raise _invalid("The filter could not be understood.")


def element_filter(text: str) -> Predicate:
    """The filter inside a PATCH value path (``type eq "work"``), applied to one element."""
    return compile_filter(text)

"""The completion report's CSV and NDJSON written by PostgreSQL itself (``COPY … TO STDOUT``).

The Python writers in ``queries`` turn every database value into a Python object, then into a row, then
into text: most of an export's time. On PostgreSQL the same row query is wrapped in one ``SELECT`` that
formats every column the way those writers do, and ``COPY (that select) TO STDOUT`` streams the result
through psycopg's ``cursor.copy()``; Python only adjusts line ends and joins rows into chunks. The bytes
are the Python writers' bytes (``tests/courses/hr_reports/test_copy_rows.py`` compares them on every
awkward value), so the choice of writer is invisible to clients:

- timestamps as ``2026-01-31T09:05:00Z``, with ``.ffffff`` only when there are microseconds (Python's
  ``isoformat``), in UTC;
- the learner's and the manager's names joined by a space and stripped of the characters Python's
  ``str.strip()`` strips;
- CSV: empty and missing values as nothing (an empty string is sent as NULL, which ``COPY`` writes bare;
  a non-NULL empty string it would quote); a text cell a spreadsheet could read as a formula
  (``lms.spreadsheets.looks_like_formula``) gets the same leading apostrophe, tested by a regular
  expression over the same characters (``FORMULA_PATTERN``); quoting by ``COPY``'s rules, which for these
  cells are the csv module's (a cell is quoted when it holds a comma, a double quote, CR or LF, and
  quotes are doubled); rows end in CRLF. ``COPY`` ends each row in LF and sends one row per message, so
  the last byte of every message is that LF and becomes CRLF, while a line break inside a quoted cell
  stays as it is;
- NDJSON: each line built as text in the column order and with the separators of ``json.dumps``, strings
  escaped by ``to_json`` (which escapes exactly what ``json.dumps(ensure_ascii=False)`` escapes, with the
  same lower-case ``\\u00XX``); ``COPY``'s text format doubles each backslash, undone on the way out.

The SQLite database keeps the Python writers.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from psycopg import ClientCursor
from psycopg.abc import Buffer
from psycopg.sql import Literal

from courses.hr_reports import queries as reports
from courses.hr_reports.queries import FIELDS

# Characters ``lms.spreadsheets`` treats as blank before a formula (whitespace, control and format
# characters) and those NFKC folds into = + - @, as inclusive code point ranges. Computed from Python's
# Unicode tables; a test recomputes them over every code point, so an upgrade that moves them fails it.
BLANK_RANGES = (
    (0x1, 0x20), (0x7F, 0xA0), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F),
    (0x205F, 0x2064), (0x2066, 0x206F), (0x3000, 0x3000), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
TRIGGER_CODE_POINTS = (0x2B, 0x2D, 0x3D, 0x40, 0x207A, 0x207C, 0x208A, 0x208C, 0xFB29, 0xFE62, 0xFE63, 0xFE66,
                       0xFE6B, 0xFF0B, 0xFF0D, 0xFF1D, 0xFF20)
# What Python's str.strip() removes (str.isspace()).
STRIP_CODE_POINTS = (0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
                     0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F,
                     0x205F, 0x3000)


def _escape(code_point: int) -> str:
    """A character escape of PostgreSQL's regular expressions (valid inside a bracket expression too)."""
    return f"\\u{code_point:04x}" if code_point <= 0xFFFF else f"\\U{code_point:08x}"


def _bracket(ranges) -> str:
    return "[" + "".join(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}"
                         for low, high in ranges) + "]"


# A tab or CR first, or blanks and then a trigger: lms.spreadsheets.looks_like_formula as a regex.
FORMULA_PATTERN = (f"^(?:[\\u0009\\u000d]|{_bracket(BLANK_RANGES)}*"
                   f"{_bracket((point, point) for point in TRIGGER_CODE_POINTS)})")
STRIP_CHARACTERS = "".join(chr(point) for point in STRIP_CODE_POINTS)

_ORDER_COLUMNS = {"id": 0, "pk": 0, "updated_at": FIELDS.index("updated_at")}
COPY_ROWS_PER_CHUNK = 500  # rows joined into one chunk handed to the client or the file


def _c(index: int) -> str:
    return f"r.c{index}"


def _timestamp(index: int) -> str:
    """``datetime.isoformat()`` of the UTC time, ``+00:00`` written ``Z``; NULL stays NULL."""
    column = _c(index)
    return (f"to_char({column} AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', {column}) = {column} "
            f"""THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END)""")


# First characters that begin no formula: neither a blank nor a trigger (all of those are below "A" or past "~").
_PLAIN_START = "int4range(65, 127)"


def _safe(expression: str) -> str:
    """A formula-like text with a leading apostrophe (``lms.spreadsheets.neutralize``).

    Most cells start with a letter, which begins no formula: the first character's code is checked before
    the regular expression runs (the expression took about a tenth of PostgreSQL's time in an export)."""
    return (f"CASE WHEN {_PLAIN_START} @> ascii({expression}) THEN ({expression}) "
            f"WHEN ({expression}) ~ %(formula)s THEN '''' || ({expression}) ELSE ({expression}) END")


def _name(first: int, last: int) -> str:
    return f"btrim(coalesce({_c(first)}, '') || ' ' || coalesce({_c(last)}, ''), %(strip)s)"


def _formatted_text() -> dict[str, str]:
    """Each report column (``COLUMNS``) as SQL text, NULL where the Python row holds None."""
    index = {field: position for position, field in enumerate(FIELDS)}
    code, status, expires, due = (_c(index["certificate__code"]), _c(index["status"]),
                                  _c(index["certificate__expires_at"]), _c(index["due_at"]))
    return {
        "enrollment_id": f"{_c(0)}::text", "organization": _c(index["organization__slug"]),
        "employee_id": f"coalesce({_c(index['member__employee_id'])}, '')",
        "name": _name(index["user__first_name"], index["user__last_name"]), "email": _c(index["user__email"]),
        "department": f"coalesce({_c(index['member__department__name'])}, '')",
        "manager_name": _name(index["member__manager__user__first_name"], index["member__manager__user__last_name"]),
        "manager_email": f"coalesce({_c(index['member__manager__user__email'])}, '')",
        "course_slug": _c(index["course__slug"]), "course_title": _c(index["course__title"]),
        "language": _c(index["course__language"]), "enrolled_at": _timestamp(index["enrolled_at"]),
        "due_at": _timestamp(index["due_at"]), "status": status,
        "overdue": (f"CASE WHEN {status} = 'active' AND {due} IS NOT NULL AND {due} < %(now)s "
                    "THEN 'true' ELSE 'false' END"),
        "progress_percent": f"{_c(index['progress_percent'])}::text",
        "completed_at": _timestamp(index["completed_at"]), "final_score": f"{_c(index['final_score'])}::text",
        "time_spent_seconds": f"{_c(index['time_spent_seconds'])}::text",
        "certificate_code": f"coalesce({code}, '')",
        "certificate_verify_url": f"CASE WHEN {code} <> '' THEN %(site)s || '/verify/' || {code} || '/' ELSE '' END",
        "certificate_status": (f"CASE WHEN {code} IS NULL THEN NULL WHEN {_c(index['certificate__status'])} = "
                               f"'revoked' THEN 'revoked' WHEN {expires} IS NOT NULL AND {expires} <= %(now)s "
                               "THEN 'expired' ELSE 'valid' END"),
        "certificate_expires_at": _timestamp(index["certificate__expires_at"]),
        "last_activity_at": _timestamp(index["last_activity_at"]), "updated_at": _timestamp(index["updated_at"]),
    }


# Columns the Python writers hand over as numbers, booleans or built-in words: never neutralised.
_NOT_TEXT = {"enrollment_id", "overdue", "progress_percent", "time_spent_seconds", "certificate_status",
             "enrolled_at", "due_at", "completed_at", "certificate_expires_at", "last_activity_at", "updated_at"}
_JSON_NUMBERS = {"enrollment_id", "progress_percent", "time_spent_seconds"}
_JSON_TIMES = {"enrolled_at", "due_at", "completed_at", "certificate_expires_at", "last_activity_at", "updated_at"}


def csv_select_list() -> str:
    """The CSV cells: an empty cell is NULL (written bare by COPY), formula-like text neutralised."""
    cells = []
    for column, expression in _formatted_text().items():
        cells.append(f"NULLIF({expression if column in _NOT_TEXT else _safe(expression)}, '')")
    return ", ".join(cells)


def ndjson_select_list() -> str:
    """One text column: the JSON object of ``queries.as_dict`` as ``json.dumps`` writes it."""
    parts = []
    for position, (column, expression) in enumerate(_formatted_text().items()):
        if column == "overdue":
            value = expression
        elif column in _JSON_NUMBERS:
            value = f"coalesce({expression}, 'null')"
        elif column in _JSON_TIMES or column == "final_score":
            value = f"""coalesce('"' || {expression} || '"', 'null')"""
        else:
            value = f"coalesce(to_json({expression})::text, 'null')"
        key = ("{" if position == 0 else ",") + f'"{column}":'
        parts.append(f"'{key}' || {value}")
    return " || ".join(parts) + " || '}'"


def _order_by(queryset: QuerySet) -> str:
    terms = []
    for name in queryset.query.order_by:
        descending = name.startswith("-")
        column = _ORDER_COLUMNS.get(name.lstrip("-"))
        if column is None:
            raise ValueError(f"the COPY writer cannot order by {name!r}")
        terms.append(f"{_c(column)}{' DESC' if descending else ''}")
    return f" ORDER BY {', '.join(terms)}" if terms else ""


def copy_statement(queryset: QuerySet, select_list: str, *, literals: dict[str, str],
                   limit: int | None = None) -> tuple[str, list]:
    """``SELECT <select_list> FROM (<the row query>) r ORDER BY …`` and the row query's parameters.

    ``literals`` are the select list's ``%(name)s`` values, already quoted as SQL. The row query loses
    its own ORDER BY so PostgreSQL can flatten it; the same order is asked of the outer select, by the
    columns it names."""
    inner_sql, inner_params = queryset.order_by().values_list(*FIELDS).query.sql_with_params()
    aliases = ", ".join(f"c{index}" for index in range(len(FIELDS)))
    outer = select_list
    for key, literal in literals.items():
        outer = outer.replace(f"%({key})s", literal.replace("%", "%%"))
    # Only our own SQL text: values are psycopg-quoted literals or the row query's parameters.
    sql = f"SELECT {outer} FROM ({inner_sql}) AS r({aliases}){_order_by(queryset)}"  # noqa: S608
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, list(inner_params)


def _copy_messages(queryset: QuerySet, *, csv: bool, limit: int | None = None) -> Iterator[Buffer]:
    """The raw ``COPY`` messages, one per row. Logged like any query (so query counts see it), with
    Django's database errors; a consumer that stops early cancels the ``COPY`` (psycopg does)."""
    connection = connections[queryset.db]
    connection.ensure_connection()
    raw_connection = connection.connection
    values = {"formula": FORMULA_PATTERN, "strip": STRIP_CHARACTERS, "now": timezone.now(), "site": settings.SITE_URL}
    literals = {key: Literal(value).as_string(raw_connection) for key, value in values.items()}
    sql, params = copy_statement(queryset, csv_select_list() if csv else ndjson_select_list(), literals=literals,
                                 limit=limit)
    with connection.wrap_database_errors, connection.cursor() as wrapper:
        raw = ClientCursor(raw_connection)  # COPY takes no bind parameters: they are merged here
        statement = f"COPY ({raw.mogrify(sql, params)}) TO STDOUT WITH (FORMAT {'csv' if csv else 'text'})"
        log = getattr(wrapper, "debug_sql", None)
        with (log(statement) if log is not None else nullcontext()), raw.copy(statement) as copy:
            yield from copy


def _csv_chunks(queryset: QuerySet) -> Iterator[bytes]:
    batch: list[Buffer] = []
    for row in _copy_messages(queryset, csv=True):  # its last byte is the row's LF
        batch.append(row[:-1])
        if len(batch) >= COPY_ROWS_PER_CHUNK:
            yield b"\r\n".join(batch) + b"\r\n"
            batch = []
    if batch:
        yield b"\r\n".join(batch) + b"\r\n"


def _ndjson_chunks(queryset: QuerySet) -> Iterator[bytes]:
    batch: list[Buffer] = []
    for row in _copy_messages(queryset, csv=False):
        batch.append(row)
        if len(batch) >= COPY_ROWS_PER_CHUNK:
            yield b"".join(batch).replace(b"\\\\", b"\\")
            batch = []
    if batch:
        yield b"".join(batch).replace(b"\\\\", b"\\")


def copy_supported(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def csv_stream(queryset: QuerySet, *, bom: bool = False) -> Iterator[bytes]:
    """The report as CSV: the header, then the rows (``COPY`` on PostgreSQL, the Python writer elsewhere)."""
    if not copy_supported(queryset):
        return reports.csv_chunks(reports.iter_rows(queryset), bom=bom)
    return _csv_with_header(queryset, bom)


def _csv_with_header(queryset: QuerySet, bom: bool) -> Iterator[bytes]:
    yield next(reports.csv_chunks([], bom=bom))
    yield from _csv_chunks(queryset)


def ndjson_stream(queryset: QuerySet) -> Iterator[bytes]:
    """The report as NDJSON (``COPY`` on PostgreSQL, the Python writer elsewhere)."""
    if not copy_supported(queryset):
        return reports.ndjson_chunks(reports.iter_rows(queryset))
    return _ndjson_chunks(queryset)


def csv_batch(queryset: QuerySet, *, limit: int) -> tuple[bytes, int, int | None]:
    """At most ``limit`` CSV rows (no header) in the queryset's order, whole: (bytes, rows, last id).

    For the file export, which records a checkpoint between batches (the connection is free again by then)."""
    if not copy_supported(queryset):
        rows = list(reports.iter_rows(queryset[:limit]))
        body = b"".join(list(reports.csv_chunks(rows))[1:])
        return body, len(rows), rows[-1][0] if rows else None
    lines = [bytes(row[:-1]) for row in _copy_messages(queryset, csv=True, limit=limit)]
    if not lines:
        return b"", 0, None
    return b"\r\n".join(lines) + b"\r\n", len(lines), int(lines[-1].split(b",", 1)[0])

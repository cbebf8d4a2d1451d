"""Importing outcome scores (CSV upload or a JSON list of rows): validate every row, then write all or none.

The rule is the membership import's (lms/imports.py): a file imported halfway would leave a report computed on
part of a month, so one bad row and nothing is written; every bad row is reported at once, each with its line
(CSV: as a spreadsheet numbers it, the header being line 1; JSON: the row's position, from 1) and one message
per field (the API answers 422 ``outcome_invalid_rows`` with them in ``fields.rows``; the page lists them).
Rows are matched by ``external_id`` within the organization: a known id updates its row (counted as
``updated``, or ``unchanged`` when nothing differs), a new one creates a row. The agent is a member of the
importing organization, named by ``employee_id`` or ``email`` (another organization's people are unknown here).
CSV files follow the house conventions: UTF-8 with or without BOM, comma, semicolon or tab, at most 5 MB and
10,000 rows, NUL bytes refused. Text read from a file is echoed back formula-safe (``lms.spreadsheets``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from assessments.outcomes.errors import OutcomeErrorCode
from assessments.outcomes.models import OutcomeScore
from lms.csv_uploads import csv_delimiter, csv_upload_text
from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError
from lms.models import Membership, Organization
from lms.spreadsheets import neutralize

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ["external_id", "employee_id", "email", "metric", "period_start", "period_end", "score", "scale_min",
           "scale_max", "responses", "source"]
REQUIRED = ["external_id", "metric", "period_start", "period_end", "score", "scale_min", "scale_max"]
_LIMITS = {"external_id": 128, "source": 64, "employee_id": 64, "email": 254}
_FIELDS = ("metric", "period_start", "period_end", "score", "scale_min", "scale_max", "responses", "source")


@dataclass
class _Row:
    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    action: str = ""
    membership: Membership | None = None

    def error(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def rows_from_csv(file) -> list[_Row]:
    """The rows of an uploaded CSV, numbered as a spreadsheet shows them."""
    if file.size > MAX_BYTES:
        raise ApplicationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
                               code=PlatformErrorCode.FILE_TOO_LARGE, status_code=413)
    text = csv_upload_text(file.read())
    if "\x00" in text:
        raise ApplicationError("The file contains NUL bytes; it does not look like CSV.",
                               code=PlatformErrorCode.INVALID_CSV)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing or not ({"employee_id", "email"} & set(header)):
        raise ApplicationError(
            f"The first line must name the columns: {', '.join(REQUIRED)} and employee_id or email.",
            code=PlatformErrorCode.MISSING_COLUMNS, fields={"columns": COLUMNS})
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise ApplicationError(f"Unknown column(s): {', '.join(neutralize(name) for name in unknown)}.",
                               code=PlatformErrorCode.UNKNOWN_COLUMNS, fields={"columns": COLUMNS})
    reader.fieldnames = header
    rows: list[_Row] = []
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise ApplicationError(f"At most {MAX_ROWS} rows per file.", code=PlatformErrorCode.TOO_MANY_ROWS)
            raw = {key: _text(record.get(key)) for key in COLUMNS}
            row = _Row(line=reader.line_num, raw=raw)
            if None in record:
                row.error("row", "The row has more cells than the header.")
            elif not any(raw.values()):
                continue  # a blank line
            rows.append(row)
    except csv.Error as exc:
        raise ApplicationError(f"The CSV cannot be read: {exc}.", code=PlatformErrorCode.INVALID_CSV) from None
    return rows


def rows_from_list(items: list[dict[str, Any]]) -> list[_Row]:
    """The rows of a JSON import, numbered from 1."""
    if len(items) > MAX_ROWS:
        raise ApplicationError(f"At most {MAX_ROWS} rows per request.", code=PlatformErrorCode.TOO_MANY_ROWS)
    return [_Row(line=number, raw={key: _text(item.get(key)) for key in COLUMNS})
            for number, item in enumerate(items, start=1)]


def _decimal(row: _Row, name: str) -> Decimal | None:
    text = row.raw[name].replace(",", ".") if row.raw[name].count(",") == 1 and "." not in row.raw[name] \
        else row.raw[name]
    try:
        value = Decimal(text)
    except InvalidOperation:
        row.error(name, f"{name} must be a number.")
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e6"):
        row.error(name, f"{name} must be a number under 1,000,000.")
        return None
    return value.quantize(Decimal("0.001"))


def _date(row: _Row, name: str) -> date | None:
    try:
        return date.fromisoformat(row.raw[name])
    except ValueError:
        row.error(name, f"{name} must be a date written YYYY-MM-DD.")
        return None


def _check_fields(row: _Row) -> None:
    raw = row.raw
    for name in REQUIRED:
        if not raw[name]:
            row.error(name, f"{name} is required.")
    if not raw["employee_id"] and not raw["email"]:
        row.error("employee_id", "Give the agent's employee_id or email.")
    for name, limit in _LIMITS.items():
        if len(raw[name]) > limit:
            row.error(name, f"{name} is longer than {limit} characters.")
    if raw["metric"]:
        if raw["metric"].lower() in OutcomeScore.Metric.values:
            row.values["metric"] = raw["metric"].lower()
        else:
            row.error("metric", f"metric must be one of {', '.join(OutcomeScore.Metric.values)}.")
    for name in ("period_start", "period_end"):
        if raw[name]:
            row.values[name] = _date(row, name)
    for name in ("score", "scale_min", "scale_max"):
        if raw[name]:
            row.values[name] = _decimal(row, name)
    row.values["responses"] = None
    if raw["responses"]:
        if raw["responses"].isdigit() and int(raw["responses"]) < 2**31:
            row.values["responses"] = int(raw["responses"])
        else:
            row.error("responses", "responses must be a whole number, 0 or more.")
    row.values["source"] = raw["source"]
    _check_ranges(row)


def _check_ranges(row: _Row) -> None:
    start, end = row.values.get("period_start"), row.values.get("period_end")
    if start and end and end < start:
        row.error("period_end", "period_end is before period_start.")
    low, high, score = row.values.get("scale_min"), row.values.get("scale_max"), row.values.get("score")
    if low is not None and high is not None:
        if high <= low:
            row.error("scale_max", "scale_max must be greater than scale_min.")
        elif score is not None and not low <= score <= high:
            row.error("score", f"score {score} is outside the scale {low} to {high}.")


def _validate(organization: Organization, rows: list[_Row]) -> None:
    members = Membership.objects.filter(organization=organization).select_related("user")
    by_employee = {m.employee_id: m for m in members if m.employee_id}
    by_email = {m.user.email.lower(): m for m in members}
    lines_by_id: dict[str, list[int]] = {}
    for row in rows:
        if row.raw["external_id"]:
            lines_by_id.setdefault(row.raw["external_id"], []).append(row.line)
    for row in rows:
        _check_fields(row)
        others = [str(n) for n in lines_by_id.get(row.raw["external_id"], []) if n != row.line]
        if others:
            row.error("external_id", f"external_id appears again on line(s) {', '.join(others)}.")
        employee_id, email = row.raw["employee_id"], row.raw["email"].lower()
        by_id = by_employee.get(employee_id) if employee_id else None
        by_mail = by_email.get(email) if email else None
        if employee_id and by_id is None:
            row.error("employee_id", "No member of this organization has this employee_id.")
        elif email and by_mail is None:
            row.error("email", "No member of this organization has this email.")
        elif by_id and by_mail and by_id != by_mail:
            row.error("email", "employee_id and email name two different members.")
        row.membership = by_id or by_mail


def _decide(organization: Organization, rows: list[_Row]) -> dict[str, OutcomeScore]:
    existing = {score.external_id: score for score in OutcomeScore.objects.filter(
        organization=organization, external_id__in=[row.raw["external_id"] for row in rows])}
    for row in rows:
        if row.errors:
            row.action = "error"
            continue
        current = existing.get(row.raw["external_id"])
        if current is None:
            row.action = "create"
        elif row.membership is not None and current.membership_id == row.membership.pk and all(
                getattr(current, name) == row.values[name] for name in _FIELDS):
            row.action = "unchanged"
        else:
            row.action = "update"
    return existing


def _apply(organization: Organization, rows: list[_Row], existing: dict[str, OutcomeScore]) -> None:
    created = [OutcomeScore(organization=organization, membership=row.membership,
                            external_id=row.raw["external_id"], **row.values)
               for row in rows if row.action == "create"]
    OutcomeScore.objects.bulk_create(created)
    changed = []
    for row in rows:
        if row.action == "update":
            score = existing[row.raw["external_id"]]
            assert row.membership is not None  # a row without its member has errors and is never applied
            score.membership = row.membership
            for name in _FIELDS:
                setattr(score, name, row.values[name])
            changed.append(score)
    OutcomeScore.objects.bulk_update(changed, ["membership", *_FIELDS, "updated_at"])


def outcome_scores_import(*, organization: Organization, rows: list[_Row], dry_run: bool = False) -> dict:
    """Validate every row; if all are valid (and not a dry run) write them in one transaction. The report."""
    if not rows:
        raise ApplicationError("There are no rows to import.", code=OutcomeErrorCode.OUTCOME_NO_ROWS)
    _validate(organization, rows)
    ok = not any(row.errors for row in rows)
    with transaction.atomic():
        existing = _decide(organization, rows)
        if ok and not dry_run:
            _apply(organization, rows, existing)
    counts = {kind: sum(1 for row in rows if row.action == kind) for kind in ("create", "update", "unchanged", "error")}
    return {
        "ok": ok, "dry_run": dry_run, "created": counts["create"], "updated": counts["update"],
        "unchanged": counts["unchanged"], "errors": counts["error"],
        "rows": [{"row": row.line, "external_id": neutralize(row.raw["external_id"]), "action": row.action,
                  "errors": [{"field": e["field"], "message": neutralize(e["message"])} for e in row.errors]}
                 for row in rows],
    }


def outcome_scores_import_or_refuse(*, organization: Organization, rows: list[_Row], dry_run: bool = False) -> dict:
    """The API's import: the report when every row is valid, else an ``outcome_invalid_rows`` error (422) whose
    ``fields.rows`` lists each bad row (its line, external id and one message per field); nothing is written."""
    report = outcome_scores_import(organization=organization, rows=rows, dry_run=dry_run)
    if not report["ok"]:
        bad = [row for row in report["rows"] if row["errors"]]
        raise ApplicationError(f"Nothing was imported: {len(bad)} row(s) have errors.",
                               code=OutcomeErrorCode.OUTCOME_INVALID_ROWS, fields={"rows": bad})
    return report

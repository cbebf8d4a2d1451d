"""The completions report as an XLSX workbook that opens cleanly in Excel and LibreOffice.

Cells are typed: ids, percentages and seconds are numbers, the score a number with two decimals, the
overdue flag a boolean, times real dates (UTC, shown ``yyyy-mm-dd hh:mm:ss.000``: a spreadsheet keeps
milliseconds, so the report's microseconds are cut to them, never rounded up into the next second), the
rest text. Text is
never read as a formula (``strings_to_formulas`` off), and text that looks like one
(``lms.spreadsheets.looks_like_formula``, the CSV's test) keeps its exact characters and gets Excel's
quote prefix, so editing the cell does not turn it into a formula either.

Each data sheet has its header row frozen, an autofilter over its rows and fixed column widths. A sheet
holds at most ``ROWS_PER_SHEET`` rows under its header (Excel's limit of 1,048,576 rows a sheet); the
next rows continue on "Completions (2)", "Completions (3)", … with the header again, so nothing is ever
cut off. A last sheet, "Summary", says what the file holds: the organization, the filters, when it was
written, how many rows, and which sheet holds which rows.

The workbook is written row by row in xlsxwriter's constant-memory mode, so memory stays flat whatever
the row count. A value xlsxwriter refuses (its write calls answer with a negative number instead of
raising) stops the export with an error instead of leaving a cell empty.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from lms.spreadsheets import looks_like_formula

EXCEL_MAX_ROWS = 1_048_576  # rows in one sheet, header included
ROWS_PER_SHEET = EXCEL_MAX_ROWS - 1
DATA_SHEET = "Completions"

# How each report column is typed in the workbook; a column not listed is text.
NUMBER_COLUMNS = frozenset({"enrollment_id", "progress_percent", "time_spent_seconds"})
SCORE_COLUMNS = frozenset({"final_score"})
BOOLEAN_COLUMNS = frozenset({"overdue"})
TIME_COLUMNS = frozenset({"enrolled_at", "due_at", "completed_at", "certificate_expires_at", "last_activity_at",
                          "updated_at"})
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss.000"
SUMMARY_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

# Column widths in characters: wide enough for the header and a typical value.
WIDTHS = {
    "enrollment_id": 14, "organization": 16, "employee_id": 14, "name": 26, "email": 32, "department": 20,
    "manager_name": 24, "manager_email": 30, "course_slug": 22, "course_title": 34, "language": 10,
    "status": 12, "overdue": 10, "progress_percent": 18, "final_score": 13, "time_spent_seconds": 20,
    "certificate_code": 24, "certificate_verify_url": 48, "certificate_status": 19,
}
TIME_WIDTH = 24
DEFAULT_WIDTH = 16


class XlsxWriteError(Exception):
    """xlsxwriter refused a value (it reports this with a negative return code, not an exception)."""


@dataclass(frozen=True)
class About:
    """What the Summary sheet says about the export."""

    organization: str
    generated_at: datetime
    filters: dict[str, Any] = field(default_factory=dict)


def _utc_naive(text: str) -> datetime:
    """The report's ISO 8601 time (``…Z``) as the naive UTC datetime a spreadsheet cell holds, cut to
    milliseconds."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


class _Sheets:
    """The data sheets of one workbook: opens the next when one is full."""

    def __init__(self, workbook: Any, columns: Sequence[str], rows_per_sheet: int) -> None:
        self.workbook = workbook
        self.columns = list(columns)
        self.rows_per_sheet = rows_per_sheet
        self.header = workbook.add_format({"bold": True, "bottom": 1})
        self.text = workbook.add_format({})
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.time = workbook.add_format({"num_format": TIME_FORMAT})
        self.score = workbook.add_format({"num_format": "0.00"})
        self.names: list[str] = []
        self.counts: list[int] = []
        self.sheet: Any = None

    def _open(self) -> None:
        if self.sheet is not None:
            self._close_current()
        name = DATA_SHEET if not self.names else f"{DATA_SHEET} ({len(self.names) + 1})"
        sheet = self.workbook.add_worksheet(name)
        for index, column in enumerate(self.columns):
            width = TIME_WIDTH if column in TIME_COLUMNS else WIDTHS.get(column, DEFAULT_WIDTH)
            sheet.set_column(index, index, width)
        sheet.freeze_panes(1, 0)
        _check(sheet.write_row(0, 0, self.columns, self.header), 0, 0)
        self.sheet = sheet
        self.names.append(name)
        self.counts.append(0)

    def _close_current(self) -> None:
        count = self.counts[-1]
        self.sheet.autofilter(0, 0, max(count, 1), len(self.columns) - 1)

    def write(self, row: Sequence[Any]) -> None:
        if self.sheet is None or self.counts[-1] >= self.rows_per_sheet:
            self._open()
        self.counts[-1] += 1
        line = self.counts[-1]
        for column, (name, value) in enumerate(zip(self.columns, row, strict=True)):
            self._cell(line, column, name, value)

    def finish(self) -> None:
        if self.sheet is None:
            self._open()
        self._close_current()

    def _cell(self, line: int, column: int, name: str, value: Any) -> None:
        sheet = self.sheet
        if value is None or value == "":
            return
        if name in BOOLEAN_COLUMNS:
            result = sheet.write_boolean(line, column, bool(value))
        elif name in NUMBER_COLUMNS:
            result = sheet.write_number(line, column, int(value))
        elif name in SCORE_COLUMNS:
            result = sheet.write_number(line, column, float(Decimal(str(value))), self.score)
        elif name in TIME_COLUMNS:
            result = sheet.write_datetime(line, column, _utc_naive(str(value)), self.time)
        else:
            text = str(value)
            result = sheet.write_string(line, column, text, self.quoted if looks_like_formula(text) else self.text)
        _check(result, line, column)


def _check(result: int, line: int, column: int) -> None:
    if result is not None and result < 0:
        raise XlsxWriteError(f"the spreadsheet refused the value at row {line + 1}, column {column + 1} "
                             f"(xlsxwriter code {result})")


def _write_summary(workbook: Any, sheets: _Sheets, about: About | None, total: int) -> None:
    sheet = workbook.add_worksheet(_("Summary"))
    bold = workbook.add_format({"bold": True})
    time = workbook.add_format({"num_format": SUMMARY_TIME_FORMAT, "align": "left"})
    quoted = workbook.add_format({"quote_prefix": True})
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 48)
    line = 0

    def put(label: str, value: Any, style: Any = None) -> None:
        nonlocal line
        sheet.write_string(line, 0, label, bold)
        if isinstance(value, datetime):
            sheet.write_datetime(line, 1, value, time)
        elif isinstance(value, int):
            sheet.write_number(line, 1, value)
        else:
            text = str(value)
            sheet.write_string(line, 1, text, quoted if looks_like_formula(text) else style)
        line += 1

    put(_("Report"), _("Course completions"))
    if about is not None:
        put(_("Organization"), about.organization)
        put(_("Written at (UTC)"), _utc_naive(about.generated_at.isoformat()))
        for name, value in sorted(about.filters.items()):
            if value not in (None, "", [], ()):
                put(_("Filter: %(name)s") % {"name": name}, value if isinstance(value, str) else str(value))
    put(_("Rows"), total)
    first = 1
    for name, count in zip(sheets.names, sheets.counts, strict=True):
        put(_("Sheet “%(name)s”") % {"name": name},
            _("rows %(first)s to %(last)s") % {"first": f"{first:,}", "last": f"{first + count - 1:,}"}
            if count else _("no rows"))
        first += count
    put(_("Times"), _("in UTC"))


def write_report_xlsx(path: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                      about: About | None = None, progress: Callable[[int], None] | None = None,
                      progress_every: int = 2000, rows_per_sheet: int = ROWS_PER_SHEET) -> int:
    """Write the rows (report rows, ``columns`` in order) to ``path``; returns how many were written.

    ``progress(done)`` is called every ``progress_every`` rows. ``rows_per_sheet`` is Excel's limit
    unless a test asks for less.
    """
    if not 1 <= rows_per_sheet <= ROWS_PER_SHEET:
        raise ValueError(f"rows_per_sheet must be between 1 and {ROWS_PER_SHEET}")
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    try:
        sheets = _Sheets(workbook, columns, rows_per_sheet)
        total = 0
        for total, row in enumerate(rows, start=1):
            sheets.write(row)
            if progress is not None and total % progress_every == 0:
                progress(total)
        sheets.finish()
        _write_summary(workbook, sheets, about, total)
    finally:
        workbook.close()
    return total

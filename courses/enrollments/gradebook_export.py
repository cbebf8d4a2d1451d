"""The gradebook as a file: the same rows, columns and words as the page, as CSV (``lms.spreadsheets.csv_bytes``)
or as a typed XLSX workbook (numbers stay numbers, dates are dates, text that looks like a formula keeps its
characters and gets Excel's quote prefix; nothing is ever read as a formula). The labels of statuses live here
so the page and the files say the same."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import pgettext

from courses.catalog.models import Activity, Course
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.enrollments.selectors.gradebook import GradebookRow
from lms.spreadsheets import csv_bytes, looks_like_formula

CONTEXT = "teach"


def cell_status_label(status: str) -> str:
    labels = {
        ActivityProgress.Status.NOT_STARTED: pgettext(CONTEXT, "Not started"),
        ActivityProgress.Status.IN_PROGRESS: pgettext(CONTEXT, "In progress"),
        ActivityProgress.Status.PASSED: pgettext(CONTEXT, "Passed"),
        ActivityProgress.Status.FAILED: pgettext(CONTEXT, "Failed"),
    }
    return labels.get(status, status)


def enrollment_status_label(status: str) -> str:
    labels = {
        Enrollment.Status.ACTIVE: pgettext(CONTEXT, "Active"),
        Enrollment.Status.COMPLETED: pgettext(CONTEXT, "Completed"),
        Enrollment.Status.WITHDRAWN: pgettext(CONTEXT, "Withdrawn"),
        Enrollment.Status.EXPIRED: pgettext(CONTEXT, "Expired"),
    }
    return labels.get(status, status)


def export_header(activities: Sequence[Activity]) -> list[str]:
    header = [pgettext(CONTEXT, "Learner"), pgettext(CONTEXT, "Email"), pgettext(CONTEXT, "Department"),
              pgettext(CONTEXT, "Status"), pgettext(CONTEXT, "Progress (%)"), pgettext(CONTEXT, "Final score"),
              pgettext(CONTEXT, "Due (UTC)"), pgettext(CONTEXT, "Overdue")]
    for activity in activities:
        header += [f"{activity.title}: " + pgettext(CONTEXT, "status"),
                   f"{activity.title}: " + pgettext(CONTEXT, "score")]
    return header


def export_rows(rows: Sequence[GradebookRow]) -> list[list[Any]]:
    """The values of each row, typed: numbers, a naive UTC due date, a yes/no word."""
    lines = []
    for row in rows:
        enrollment = row.enrollment
        due = enrollment.due_at.astimezone(UTC).replace(tzinfo=None, microsecond=0) if enrollment.due_at else None
        line: list[Any] = [enrollment.user.display_name, enrollment.user.email, row.department,
                           enrollment_status_label(enrollment.status), enrollment.progress_percent,
                           enrollment.final_score, due,
                           pgettext(CONTEXT, "Yes") if row.overdue else pgettext(CONTEXT, "No")]
        for cell in row.cells:
            line += [cell_status_label(cell.status), cell.score]
        lines.append(line)
    return lines


def export_filename(course: Course, extension: str) -> str:
    return f"gradebook-{course.slug}.{extension}"


def gradebook_csv(activities: Sequence[Activity], rows: Sequence[GradebookRow]) -> bytes:
    return csv_bytes(export_header(activities), export_rows(rows))


def gradebook_xlsx(activities: Sequence[Activity], rows: Sequence[GradebookRow]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = workbook.add_worksheet(pgettext(CONTEXT, "Gradebook")[:31])
    bold = workbook.add_format({"bold": True, "bottom": 1})
    quoted = workbook.add_format({"quote_prefix": True})
    score = workbook.add_format({"num_format": "0.00"})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    header = export_header(activities)
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 1, 26)
    sheet.set_column(2, len(header) - 1, 16)
    for line_number, line in enumerate(export_rows(rows), start=1):
        for column, value in enumerate(line):
            _write(sheet, line_number, column, value, quoted=quoted, score=score, when=when)
    sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    workbook.close()
    return buffer.getvalue()


def _write(sheet: Any, line: int, column: int, value: Any, *, quoted: Any, score: Any, when: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, Decimal):
        sheet.write_number(line, column, float(value), score)
    elif isinstance(value, int):
        sheet.write_number(line, column, value)
    elif hasattr(value, "year"):
        sheet.write_datetime(line, column, value, when)
    else:
        text = str(value)
        sheet.write_string(line, column, text, quoted if looks_like_formula(text) else None)

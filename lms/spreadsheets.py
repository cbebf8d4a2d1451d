"""Spreadsheet cells that will not run as formulas (CSV/formula injection): the one neutraliser every
CSV and XLSX writer uses.

A text cell is read by Excel, LibreOffice or Google Sheets as a formula when it starts with ``=``,
``+``, ``-`` or ``@``, with the full-width or small forms of those characters (U+FF1D, U+FF0B, U+FF0D,
U+FF20; U+FE66, U+FE62, U+FE63, U+FE6B: NFKC, as spreadsheets and input methods do, folds them into
the ASCII ones), or with any of them behind leading whitespace or control characters (``" =1+1"``,
``"\\t=cmd"``, ``"\\u00a0=..."``, ``"\\u3000+..."``): spreadsheets trim those before parsing.
A cell starting with a tab or a carriage return is treated the same way whatever follows. Such a cell
gets a leading apostrophe in CSV, which makes it text; in XLSX the text stays
exact and the cell gets Excel's quote prefix (see ``courses.hr_reports.queries.write_xlsx``).

Real values (numbers, decimals, dates, booleans) are left alone, so a negative score stays a number;
plain text is unchanged.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = frozenset("=+-@")
ALWAYS_QUOTED_STARTS = ("\t", "\r")
_REAL_VALUES = (bool, int, float, Decimal, date, time)


def _is_blank(char: str) -> bool:
    """Whitespace (ASCII, no-break, ideographic...) and control or format characters (zero-width...)."""
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf"}


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    if text.startswith(ALWAYS_QUOTED_STARTS):
        return True
    for char in text:
        if not _is_blank(char):
            return unicodedata.normalize("NFKC", char) in FORMULA_TRIGGERS
    return False


def neutralize(cell: Any) -> Any:
    """A formula-like text cell with a leading apostrophe; anything else (real values too) as it is."""
    if isinstance(cell, str) and looks_like_formula(cell):
        return "'" + cell
    return cell


def safe_cell(value: Any) -> Any:
    """A CSV cell: None is empty, real values stay, everything else is text, neutralised."""
    if value is None:
        return ""
    if isinstance(value, _REAL_VALUES) and not isinstance(value, bool):
        return value
    return neutralize(str(value))


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A UTF-8 CSV (with a BOM, so spreadsheets detect the encoding) of safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")

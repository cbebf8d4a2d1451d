"""lms.spreadsheets: the one formula neutraliser every CSV and XLSX writer uses."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lms.spreadsheets import csv_bytes, looks_like_formula, neutralize, safe_cell

# Cells a spreadsheet may run as formulas, or that turn into one once their leading blanks go.
DISGUISED = [
    "\uff1d1+1",  # FULLWIDTH EQUALS SIGN
    "\uff0b1+1",  # FULLWIDTH PLUS SIGN
    "\uff0d1+1",  # FULLWIDTH HYPHEN-MINUS
    "\uff20SUM(A1)",  # FULLWIDTH COMMERCIAL AT
    "\ufe66cmd",  # SMALL EQUALS SIGN
    " =1+1",
    "   +1+1",
    "\t=cmd|' /C calc'!A0",
    "\r@SUM(A1)",
    "\n=1+1",
    "\u00a0=HYPERLINK(\"http://x\")",
    "\u3000+1+1",
    "\u200b=1+1",  # ZERO WIDTH SPACE
    "\x0b-1+1",
    " \uff1d1+1",
]
CLASSIC = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "-2+3@example.com"]
PLAIN = ["Ana", "Ana Lima", " Ana", "\u00a0Ana", "ana@a.example", "José", "2026-01-01T00:00:00Z", "85.00",
         "a=b", "x-1", ""]


@pytest.mark.parametrize("text", DISGUISED + CLASSIC)
def test_formula_like_text_gets_a_leading_quote(text):
    assert looks_like_formula(text)
    assert neutralize(text) == "'" + text
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_is_unchanged(text):
    assert not looks_like_formula(text)
    assert neutralize(text) == text
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-5, -1.5, 0, 42, Decimal("-3.20"), date(2026, 1, 2),
                                   datetime(2026, 1, 2, 3, 4, tzinfo=UTC), True, False])
def test_real_numbers_and_dates_are_untouched(value):
    assert neutralize(value) is value


def test_safe_cell_keeps_its_shapes():
    assert safe_cell(None) == ""
    assert safe_cell(-5) == -5
    assert safe_cell(True) == "True"


def test_csv_bytes_quotes_disguised_cells_and_leaves_ordinary_rows_alone():
    data = csv_bytes(["name", "n"], [["Ana", 1], ["\uff1d1+1", -2], [" =1+1", 3]])
    assert data == ("\ufeffname,n\r\nAna,1\r\n'\uff1d1+1,-2\r\n' =1+1,3\r\n").encode()

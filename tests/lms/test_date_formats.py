"""Dates read naturally in each interface language: Portuguese writes month names in lower case."""
from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import formats, translation

MOMENT = datetime(2026, 12, 5, 14, 30)


@pytest.mark.parametrize(("language", "date", "date_time", "month"), [
    ("en", "Dec. 5, 2026", "Dec. 5, 2026, 2:30 p.m.", "December 2026"),
    ("pt-br", "5 de dezembro de 2026", "5 de dezembro de 2026 às 14:30", "dezembro de 2026"),
])
def test_dates_in_each_language(language, date, date_time, month):
    with translation.override(language):
        assert formats.date_format(MOMENT, "DATE_FORMAT") == date
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == date_time
        assert formats.date_format(MOMENT, "YEAR_MONTH_FORMAT") == month


def test_every_portuguese_month_is_lower_case():
    with translation.override("pt-br"):
        names = [formats.date_format(datetime(2026, month, 1), "F") for month in range(1, 13)]
        alternative = [formats.date_format(datetime(2026, month, 1), "E") for month in range(1, 13)]
    assert names == alternative
    assert all(name == name.lower() for name in names) and names[2] == "março" and names[4] == "maio"

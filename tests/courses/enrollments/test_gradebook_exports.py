# ruff: noqa: F811  (the world fixture is imported from test_gradebook and named as a parameter)
"""The gradebook's downloads: CSV and XLSX hold what the page shows under the same filters, in the same order,
and no cell runs as a formula."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from courses.enrollments.models import Enrollment
from lms.models import User
from tests.courses.enrollments.test_gradebook import _names, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
FORMULA = '=HYPERLINK("http://x.example","open")'


@pytest.fixture
def awkward(world):
    """Clara's last name looks like a formula."""
    clara = world["people"]["Clara"]
    User.objects.filter(pk=clara.user_id).update(last_name=FORMULA)
    return world


def _csv(client, world, query: str = "") -> list[list[str]]:
    response = client.get(reverse("pages:teach-gradebook-csv", args=[world["course"].slug]) + query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gradebook-hearing-people.csv"'
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx(client, world, query: str = "") -> bytes:
    response = client.get(reverse("pages:teach-gradebook-xlsx", args=[world["course"].slug]) + query)
    assert response.status_code == 200
    return response.content


def test_the_csv_holds_the_rows_of_the_page_under_the_same_filters(client, awkward):
    world = awkward
    client.force_login(world["instructor"])
    query = "?overdue=no&sort=-name"
    shown = _names(client.get(reverse("pages:teach-gradebook", args=[world["course"].slug]) + query).text, world)
    rows = _csv(client, world, query)
    header, body = rows[0], rows[1:]
    assert header[:8] == ["Learner", "Email", "Department", "Status", "Progress (%)", "Final score", "Due (UTC)",
                          "Overdue"]
    assert header[8:10] == ["Open questions: status", "Open questions: score"]
    assert [row[0].split()[0] for row in body] == shown == ["Bruno", "Clara"]  # last names: Borges, then "="
    bruno, clara = body
    assert clara[0] == f"Clara {FORMULA}"  # starts with a letter: left as it is
    assert bruno[2:6] == ["Sales", "Completed", "100", "90.00"]
    assert bruno[7] == "No" and bruno[8:10] == ["Passed", "90.00"] and clara[8] == "Not started"


def test_a_formula_looking_cell_is_neutralised_in_the_csv(client, awkward):
    world = awkward
    User.objects.filter(pk=world["people"]["Clara"].user_id).update(first_name="", last_name=FORMULA)
    client.force_login(world["instructor"])
    cells = [cell for row in _csv(client, world) for cell in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells


def test_the_xlsx_holds_the_same_values_typed_and_no_formula(client, awkward):
    world = awkward
    User.objects.filter(pk=world["people"]["Clara"].user_id).update(first_name="", last_name=FORMULA)
    client.force_login(world["instructor"])
    rows = _csv(client, world)
    workbook = openpyxl.load_workbook(io.BytesIO(_xlsx(client, world)))
    sheet = workbook.active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert len(values) == len(rows) == 4
    names = [line[0] for line in values[1:]]
    assert FORMULA in names  # the exact text, not a formula and without the CSV's apostrophe
    formula_cell = sheet.cell(row=names.index(FORMULA) + 2, column=1)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    (ana,) = [line for line in values if str(line[0]).startswith("Ana ")]
    assert ana[3:6] == ["Active", 50, 40.0]  # numbers stay numbers
    assert ana[7] == "Yes" and ana[8:10] == ["Passed", 80.0]
    for line, csv_line in zip(values[1:], rows[1:], strict=True):
        assert [("" if value is None else value) for value in line[8::2]] == csv_line[8::2]  # statuses


@needs_libreoffice
def test_libreoffice_opens_the_xlsx(client, world, tmp_path: Path):
    client.force_login(world["instructor"])
    path = tmp_path / "gradebook.xlsx"
    path.write_bytes(_xlsx(client, world, "?status=active"))
    run = subprocess.run(  # noqa: S603 - a fixed program and arguments
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path / "out"), str(path)],
        capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    (converted,) = (tmp_path / "out").glob("*.csv")
    rows = list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8"), newline="")))
    assert rows[0][0] == "Learner"
    assert [row[0].split()[0] for row in rows[1:]] == ["Ana", "Clara"]
    assert Enrollment.objects.filter(course=world["course"], status="active").count() == 2

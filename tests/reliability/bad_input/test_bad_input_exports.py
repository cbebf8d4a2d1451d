"""Formulas in every field that reaches a spreadsheet come out as text: the completions CSV (streamed
and exported), the XLSX export and the workshop roster CSV.

The fields (courses/reports.py COLUMNS, the roster's columns): learner first and last name, email,
employee id, department, manager name and email, course title, and the certificate code (generated,
always starting with a letter or digit). Payloads go in through the API, as their writers would.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest

from courses.hr_reports.models import ReportExport
from courses.hr_reports.services import exports as report_services
from lms.models import Membership, User
from tests.reliability.bad_input import bad_inputs as catalogue

F = catalogue.FORMULA_PAYLOADS
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def ok(response, *statuses):
    assert response.status_code in (statuses or (200,)), (response.status_code, response.content[:300])
    return response


@pytest.fixture
def formulas(world):
    """Every reported text field of the learner, the manager and both courses starts like a formula."""
    learner, supervisor = world.client("learner"), world.client("supervisor")
    instructor, org_admin = world.client("instructor"), world.client("org_admin")
    ok(learner.patch("/api/v1/me/", {"first_name": F["equals"], "last_name": F["plus"]}, format="json"))
    ok(supervisor.patch("/api/v1/me/", {"first_name": F["at"], "last_name": F["carriage_return"]}, format="json"))
    ok(org_admin.patch(f"/api/v1/organizations/{world.org.slug}/departments/{world.department.pk}/",
                       {"name": F["minus"], "code": F["at"]}, format="json"))
    ok(org_admin.patch(f"/api/v1/organizations/{world.org.slug}/memberships/{world.membership.pk}/",
                       {"employee_id": F["tab"]}, format="json"))
    for slug in (world.course.slug, world.certificate.enrollment.course.slug):
        ok(instructor.patch(f"/api/v1/courses/{slug}/", {"title": F["equals"]}, format="json"))
    # A newcomer whose email starts with a formula character (allowed in an address's local part).
    ok(org_admin.post(f"/api/v1/organizations/{world.org.slug}/memberships/", {
        "email": "-2+3@example.com", "first_name": F["tab"], "last_name": F["minus"], "roles": ["learner"],
        "department": world.department.pk}, format="json"), 201)
    ok(instructor.post(f"/api/v1/courses/{world.course.slug}/enrollments/bulk/", {
        "emails": ["-2+3@example.com"], "organization": world.org.slug}, format="json"))
    # The API trims leading tabs and line breaks from names; other doors (admin, imports, older rows) may
    # not, so two names get them straight in the table.
    User.objects.filter(email="-2+3@example.com").update(first_name=F["tab"])
    Membership.objects.filter(pk=world.membership.pk).update(employee_id=F["carriage_return"])
    return {F["equals"], F["plus"], F["minus"], F["at"], F["tab"], F["carriage_return"], "-2+3@example.com"}


def assert_neutralised(cells: list[str], payloads: set[str], where: str) -> int:
    """No text cell starts like a formula (numbers aside); each payload is there (a name joins first and
    last name in one cell, so a payload may sit inside one)."""
    for cell in cells:
        if cell.startswith(catalogue.FORMULA_STARTS):
            assert NUMBER.match(cell), f"{where}: a cell starts like a formula: {cell!r}"
    # (A name is first and last name joined and stripped, so a leading tab or line break goes.)
    missing = {payload for payload in payloads if not any(payload.strip() in cell for cell in cells)}
    assert not missing, f"{where}: payloads not found: {missing}"
    assert any(cell.startswith("'=") for cell in cells), f"{where}: no neutralised cell at all"
    return len(cells)


def _csv_cells(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return [cell for row in rows[1:] for cell in row]


@pytest.mark.parametrize("role", ["hr", "api_key"])
def test_the_streamed_completions_csv(world, formulas, role, figure, settings):
    settings.REPORTS_SYNC_LAG_SECONDS = 0
    response = ok(world.client(role).get("/api/v1/reports/completions/", {"format": "csv"}))
    cells = _csv_cells(b"".join(response.streaming_content))
    figure("bad-input report cells checked", assert_neutralised(cells, formulas, f"completions CSV as {role}"))


def _export(world, export_format: str) -> bytes:
    response = ok(world.client("hr").post("/api/v1/reports/exports/", {"format": export_format}, format="json"),
                  200, 201, 202)  # 200: the same export was already asked for
    export = report_services.report_export_run(export_id=response.json()["id"])
    assert export is not None and export.status == ReportExport.Status.DONE, export
    with export.file.open("rb") as handle:
        return handle.read()


def test_the_csv_export(world, formulas, figure, settings):
    settings.REPORTS_SYNC_LAG_SECONDS = 0
    cells = _csv_cells(_export(world, "csv"))
    figure("bad-input report cells checked", assert_neutralised(cells, formulas, "CSV export"))


def test_the_xlsx_export_has_text_cells_and_no_formulas(world, formulas, figure, settings):
    settings.REPORTS_SYNC_LAG_SECONDS = 0
    with zipfile.ZipFile(io.BytesIO(_export(world, "xlsx"))) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
        shared = book.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in book.namelist() else b""
    ns = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    root = ElementTree.fromstring(sheet)  # noqa: S314 (our own export, just written)
    assert not root.findall(".//x:f", ns), "the sheet holds formulas"
    shared_root = ElementTree.fromstring(shared) if shared else None  # noqa: S314
    strings = ["".join(t.itertext()) for t in shared_root.findall(".//x:si", ns)] if shared else []
    texts = []
    for cell in root.findall(".//x:c", ns):
        kind = cell.get("t")
        if kind == "inlineStr":
            texts.append("".join(cell.find("x:is", ns).itertext()))
        elif kind == "s":
            texts.append(strings[int(cell.find("x:v", ns).text)])
    # XLSX keeps the exact text in string cells (typed as text, never evaluated).
    present = {payload for payload in formulas if any(payload.strip() in text for text in texts)}
    assert present == formulas, formulas - present
    figure("bad-input report cells checked", len(texts))


def test_the_workshop_roster_csv(world, formulas, figure):
    session = world.extra["session"]
    response = ok(world.client("instructor").get(f"/api/v1/workshops/sessions/{session.pk}/roster/csv/"))
    cells = _csv_cells(response.content)
    figure("bad-input report cells checked",
           assert_neutralised(cells, {F["equals"], F["plus"]}, "roster CSV"))

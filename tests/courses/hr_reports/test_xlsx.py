"""The XLSX export opens cleanly in other people's software: openpyxl reads typed cells, a frozen header,
an autofilter and widths; LibreOffice (headless) turns every sheet back into CSV with the report's rows;
past a sheet's row limit the rows continue on the next sheet, and a value the writer refuses fails the
export instead of leaving a hole."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.files.storage import default_storage

from courses.hr_reports import queries as reports
from courses.hr_reports import xlsx as report_xlsx
from courses.hr_reports.models import ReportExport
from courses.hr_reports.queries import COLUMNS, Filters
from courses.hr_reports.services import exports as report_services
from lms import services as people_services
from lms.models import Membership
from tests.courses.hr_reports.conftest import add_member, complete, enroll

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (Debian libreoffice-calc-nogui) "
                                                               "is not installed")

TIMES = ("enrolled_at", "due_at", "completed_at", "certificate_expires_at", "last_activity_at", "updated_at")


def _awkward(world) -> None:
    """People whose values trouble spreadsheets: a formula-looking id, non-Latin names, a department
    with a comma, quotes and a line break; one completion with a score."""
    odd = people_services.department_create(organization=world.acme, name='Care, "Tier 2"\nNight shift')
    add_member(world.acme, department=odd, employee_id="=HYPERLINK(\"http://x.example\")", first_name="Zoë",
               last_name="山田", email="zoe@acme.example")
    member = Membership.objects.get(employee_id__startswith="=HYPERLINK")
    complete(enroll(member.user, world.course, world.acme), score=87)


def _export(world) -> tuple[bytes, list[tuple]]:
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="xlsx", filters=Filters())
    done = report_services.report_export_run(export_id=export.pk)
    assert done.status == "done", done.error
    with default_storage.open(done.file.name, "rb") as handle:
        data = handle.read()
    queryset = reports.completions_queryset(actor=world.hr, filters=Filters(organization=world.acme))
    return data, list(reports.iter_rows(queryset.order_by("id")))


def _write(path: Path, rows, **options) -> int:
    about = report_xlsx.About(organization="Acme", generated_at=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC),
                              filters={"course": "listening", "status": ""})
    return report_xlsx.write_report_xlsx(str(path), COLUMNS, rows, about=about, **options)


def test_cells_are_typed_and_the_sheet_has_a_frozen_header_a_filter_and_widths(world, tmp_path):
    _awkward(world)
    data, rows = _export(world)
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Completions", "Summary"]
    sheet = book["Completions"]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:Y{len(rows) + 1}"
    assert all(sheet.column_dimensions[letter].width >= 10 for letter in "ABCDEFGHIJKLMNOPQRSTUVWXY")

    by_id = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    cells = {line[0].value: dict(zip(COLUMNS, line, strict=True)) for line in sheet.iter_rows(min_row=2)}
    assert set(cells) == set(by_id)
    scored = next(cells[key] for key, row in by_id.items() if row["final_score"] is not None)
    assert isinstance(scored["enrollment_id"].value, int)
    assert scored["final_score"].value == 87 and scored["final_score"].number_format == "0.00"
    assert scored["progress_percent"].value == 100 and scored["time_spent_seconds"].data_type == "n"
    assert isinstance(scored["completed_at"].value, datetime)
    assert scored["completed_at"].number_format == report_xlsx.TIME_FORMAT
    for key, row in by_id.items():
        assert cells[key]["overdue"].value is row["overdue"]  # a real boolean, not the text "true"
        for name in TIMES:
            expected = row[name] and datetime.fromisoformat(row[name]).replace(tzinfo=None)
            expected = expected and expected.replace(microsecond=expected.microsecond // 1000 * 1000)
            assert cells[key][name].value == (expected or None), name
    formula_like = next(c for c in cells.values() if str(c["employee_id"].value).startswith("="))
    assert formula_like["employee_id"].data_type == "s" and formula_like["employee_id"].quotePrefix
    assert formula_like["employee_id"].value == '=HYPERLINK("http://x.example")'  # exact, nothing added
    assert formula_like["department"].value == 'Care, "Tier 2"\nNight shift'
    assert formula_like["name"].value == "Zoë 山田"


def test_the_summary_sheet_says_what_the_file_holds(world, tmp_path):
    path = tmp_path / "report.xlsx"
    assert _write(path, [_row(n) for n in range(1, 4)], rows_per_sheet=2) == 3
    summary = dict(openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True))
    assert summary["Organization"] == "Acme"
    assert summary["Written at (UTC)"] == datetime(2026, 3, 4, 5, 6, 7)
    assert summary["Filter: course"] == "listening" and "Filter: status" not in summary  # empty filters left out
    assert summary["Rows"] == 3
    assert summary["Sheet “Completions”"] == "rows 1 to 2"
    assert summary["Sheet “Completions (2)”"] == "rows 3 to 3"


def _row(pk: int, **values) -> tuple:
    row = dict.fromkeys(COLUMNS, "")
    row.update(enrollment_id=pk, overdue=False, progress_percent=0, time_spent_seconds=0, final_score=None,
               enrolled_at="2026-01-02T03:04:05.999999Z", email=f"p{pk}@acme.example", **values)
    return tuple(row[name] for name in COLUMNS)


def test_rows_past_a_sheets_limit_continue_on_the_next_sheet_with_the_header_again(tmp_path):
    path = tmp_path / "report.xlsx"
    assert _write(path, [_row(n) for n in range(1, 8)], rows_per_sheet=3) == 7
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Completions", "Completions (2)", "Completions (3)", "Summary"]
    ids = []
    for name in book.sheetnames[:3]:
        sheet = book[name]
        assert [cell.value for cell in sheet[1]] == COLUMNS and sheet.freeze_panes == "A2"
        ids += [line[0] for line in sheet.iter_rows(min_row=2, values_only=True)]
        assert sheet.auto_filter.ref == f"A1:Y{sheet.max_row}"
    assert ids == list(range(1, 8))  # every row once, in order
    # The milliseconds are kept and the 0.999999 s are cut, not rounded into the next second.
    assert book["Completions"]["L2"].value == datetime(2026, 1, 2, 3, 4, 5, 999000)


def test_the_default_limit_is_excels_and_a_limit_beyond_it_is_refused(tmp_path):
    assert report_xlsx.ROWS_PER_SHEET == 1_048_575  # 1,048,576 rows a sheet, the header included
    with pytest.raises(ValueError, match="rows_per_sheet"):
        _write(tmp_path / "x.xlsx", [], rows_per_sheet=report_xlsx.ROWS_PER_SHEET + 1)


def test_a_value_the_writer_refuses_raises_instead_of_leaving_the_cell_empty(tmp_path):
    """xlsxwriter answers -2 for text past a cell's 32,767 characters instead of raising."""
    with pytest.raises(report_xlsx.XlsxWriteError, match=r"row 3, column 4 \(xlsxwriter code -2\)"):
        _write(tmp_path / "x.xlsx", [_row(1), _row(2, name="A" * 40_000)])


def test_a_refused_value_fails_the_export_with_its_reason(world, monkeypatch):
    """No column the database holds is that long today; the rows are replaced to show what the job does
    when the writer refuses one."""
    monkeypatch.setattr(report_services, "_rows", lambda export, after_id: iter([_row(1, name="A" * 40_000)]))
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="xlsx", filters=Filters())
    with pytest.raises(report_xlsx.XlsxWriteError):  # raised on, so the task is recorded as failed too
        report_services.report_export_run(export_id=export.pk)
    failed = ReportExport.objects.get(pk=export.pk)
    assert failed.status == "failed" and not failed.file
    assert "refused the value at row 2, column 4" in failed.error


def test_an_empty_report_still_has_its_header_and_summary(tmp_path):
    path = tmp_path / "empty.xlsx"
    assert _write(path, []) == 0
    book = openpyxl.load_workbook(path)
    assert [cell.value for cell in book["Completions"][1]] == COLUMNS
    assert dict(book["Summary"].iter_rows(values_only=True))["Sheet “Completions”"] == "no rows"


def _libreoffice_csv(path: Path, workdir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of the workbook as LibreOffice writes it to CSV (UTF-8, values as shown)."""
    out = workdir / "csv"
    run = subprocess.run(  # noqa: S603 - a fixed program and arguments
        [SOFFICE, f"-env:UserInstallation=file://{workdir}/profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", "--outdir", str(out),
         str(path)], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    sheets = {}
    for file in out.glob("*.csv"):
        name = file.stem.removeprefix(path.stem + "-")
        sheets[name] = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8"), newline="")))
    return sheets


def _as_shown(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if name in TIMES:
        moment = datetime.fromisoformat(value)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    return str(value)


@needs_libreoffice
def test_libreoffice_reads_back_every_row_of_every_sheet(world, tmp_path, monkeypatch):
    """LibreOffice Calc, software nobody here wrote, converts the export back to CSV: the rows are the
    report's rows, value for value, across a sheet break."""
    _awkward(world)
    real = report_xlsx.write_report_xlsx
    monkeypatch.setattr(report_xlsx, "write_report_xlsx",
                        lambda *args, **kwargs: real(*args, **{**kwargs, "rows_per_sheet": 2}))
    data, rows = _export(world)
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    sheets = _libreoffice_csv(path, tmp_path)
    assert sorted(sheets) == ["Completions", "Completions (2)", "Completions (3)", "Summary"]
    read_back = []
    for name in ("Completions", "Completions (2)", "Completions (3)"):
        assert sheets[name][0] == COLUMNS
        read_back += sheets[name][1:]
    expected = [[_as_shown(name, value) for name, value in zip(COLUMNS, row, strict=True)] for row in rows]
    assert len(rows) == 5 and read_back == expected
    summary = dict(line[:2] for line in sheets["Summary"])
    assert summary["Rows"] == "5" and summary["Organization"] == "Acme"


def test_the_summary_speaks_the_requesters_language(world, tmp_path):
    world.hr.language = "pt-br"
    world.hr.save(update_fields=["language"])
    data, rows = _export(world)
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Completions", "Resumo"]  # the data sheet keeps the documented name
    summary = dict(book["Resumo"].iter_rows(values_only=True))
    assert summary["Relatório"] == "Conclusões de cursos" and summary["Linhas"] == len(rows)
    assert summary["Planilha “Completions”"] == f"linhas 1 a {len(rows)}"

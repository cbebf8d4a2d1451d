"""Export jobs: request (one running job per request), chunked runs that resume, XLSX and CSV files, signed
expiring downloads, cleanup; and the whole lifecycle through a real Celery worker."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import signing
from django.utils import timezone

from courses.hr_reports.models import ReportAuditEntry, ReportExport
from courses.hr_reports.queries import COLUMNS
from courses.hr_reports.services import exports as report_services
from lms.celery import app as celery_app
from tests import factories as people
from tests.courses.certificates.conftest import private_queue, wait_for  # noqa: F401 (fixture)
from tests.courses.hr_reports.conftest import add_member, enroll
from tests.helpers import assert_error

URL = "/api/v1/reports/exports/"
pytestmark = pytest.mark.django_db


def _learners(world, count: int) -> None:
    for n in range(count):
        enroll(add_member(world.acme, email=f"export{n}@acme.example", employee_id=f"X{n}").user, world.course,
               world.acme)


def _download(api_client, url: str):
    path = url.split("://", 1)[1].split("/", 1)[1]
    api_client.credentials()
    return api_client.get("/" + path)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """Cell texts per row of the first sheet (inline strings, as constant-memory mode writes them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            shared = re.findall(r"<t[^>]*>(.*?)</t>", archive.read("xl/sharedStrings.xml").decode(), re.S)
    rows = []
    for row in re.findall(r"<row[^>]*>(.*?)</row>", xml, re.S):
        cells = []
        for attrs, inner in re.findall(r"<c([^>]*)>(.*?)</c>", row, re.S):
            text = re.search(r"<t[^>]*>(.*?)</t>", inner, re.S)
            value = re.search(r"<v>(.*?)</v>", inner, re.S)
            if 't="s"' in attrs and value:
                cells.append(shared[int(value.group(1))])
            else:
                cells.append(text.group(1) if text else (value.group(1) if value else ""))
        rows.append(cells)
    return rows


def test_request_returns_the_running_job_for_the_same_request(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.hr)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(URL, {"format": "csv", "course": "listening"}, format="json")
    assert first.status_code == 201 and first.json()["status"] == "pending"
    assert len(callbacks) == 1  # the worker is nudged after commit
    again = client.post(URL, {"format": "csv", "course": "listening"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = client.post(URL, {"format": "xlsx", "course": "listening"}, format="json")
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert ReportExport.objects.count() == 2
    assert ReportAuditEntry.objects.filter(kind="export").count() == 2
    # Once it finished, the same request starts a new job.
    report_services.report_export_run(export_id=first.json()["id"])
    assert client.post(URL, {"format": "csv", "course": "listening"}, format="json").status_code == 201


def test_export_bad_input_and_scope(world, client_for, api_client):
    client = client_for(world.hr)
    assert_error(client.post(URL, {"format": "pdf"}, format="json"), 400)
    assert_error(client.post(URL, {"format": "csv", "organization": "globex"}, format="json"), 404)
    assert_error(client_for(world.alice).post(URL, {"format": "csv"}, format="json"), 403)
    assert not ReportExport.objects.exists()
    export, _ = report_services.report_export_request(actor=world.globex_hr, organization=world.globex,
                                                      export_format="csv", filters=_no_filters())
    assert_error(client.get(f"{URL}{export.pk}/"), 404)
    assert [row["id"] for row in client.get(URL).json()["results"]] == []
    # An API key (read-only) may ask for an export: it only reads.
    _, raw = people.api_key_for(world.acme)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api_client.post(URL, {"format": "xlsx"}, format="json").status_code == 201


def _no_filters():
    from courses.hr_reports.queries import Filters

    return Filters()


def test_csv_export_resumes_after_a_killed_run_without_losing_or_doubling_rows(world, client_for, api_client,
                                                                               monkeypatch, figure):
    _learners(world, 23)
    monkeypatch.setattr(report_services, "EXPORT_CHUNK_ROWS", 5)
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="csv", filters=_no_filters())
    with pytest.raises(SystemExit):  # the worker dies after two chunks
        report_services.report_export_run(export_id=export.pk, stop_after_chunks=2)
    figure("faults injected", 1)
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.runs) == ("running", 10, 1)
    # A live run (fresh heartbeat) is not taken twice; a stale one is resumed.
    assert report_services.report_export_run(export_id=export.pk) is None
    ReportExport.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    with open(report_services._work_path(export), "ab") as partial:  # half a row written when the kill came
        partial.write(b"99999,acme,half a ro")
    done = report_services.report_export_run(export_id=export.pk)
    assert (done.status, done.rows_done, done.rows_total, done.runs) == ("done", 27, 27, 2)
    rows = _csv(_body(_download(api_client, report_services.download_url(done))))
    figure("rows lost", 27 - len({row["enrollment_id"] for row in rows}))
    figure("rows doubled", len(rows) - len({row["enrollment_id"] for row in rows}))
    assert len(rows) == 27 and list(rows[0]) == COLUMNS
    assert len({row["enrollment_id"] for row in rows}) == 27
    assert [int(r["enrollment_id"]) for r in rows] == sorted(int(r["enrollment_id"]) for r in rows)


def test_xlsx_export_writes_every_row_and_no_formula(world, api_client):
    from lms.models import Membership

    _learners(world, 3)
    Membership.objects.filter(employee_id="X0").update(employee_id="=cmd|' /C calc'!A0")
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="xlsx", filters=_no_filters())
    done = report_services.report_export_run(export_id=export.pk)
    assert (done.status, done.rows_done) == ("done", 7)
    response = _download(api_client, report_services.download_url(done))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = _body(response)
    rows = _xlsx_rows(data)
    assert rows[0] == COLUMNS and len(rows) == 8
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # the dangerous id stayed text


def test_download_link_is_signed_and_expires(world, api_client, settings):
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="csv", filters=_no_filters())
    done = report_services.report_export_run(export_id=export.pk)
    url = report_services.download_url(done)
    assert _download(api_client, url).status_code == 200
    assert ReportAuditEntry.objects.filter(kind="download").count() == 1
    assert_error(_download(api_client, url.replace("signature=", "signature=x")), 404, "link_invalid")
    assert_error(_download(api_client, url.replace(f"/{done.pk}/", f"/{done.pk + 1}/")), 404)
    settings.REPORTS_DOWNLOAD_URL_TTL_SECONDS = 0
    import time

    time.sleep(1.1)
    assert_error(_download(api_client, url), 404, "link_invalid")
    assert signing  # the signer is django.core.signing.TimestampSigner


def test_cleanup_removes_expired_files_and_orphan_work_files(world, settings):
    from pathlib import Path

    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="csv", filters=_no_filters())
    done = report_services.report_export_run(export_id=export.pk)
    path = Path(done.file.path)
    assert path.exists()
    orphan = Path(settings.REPORTS_WORK_DIR) / "export-987654.csv"
    orphan.write_text("left by a job that ended")
    assert report_services.exports_cleanup() == 1  # the orphan; the file is not expired yet
    assert path.exists() and not orphan.exists()
    assert report_services.exports_cleanup(now=timezone.now() + timedelta(hours=25)) == 1
    done.refresh_from_db()
    assert done.status == "expired" and not done.file and not path.exists()
    assert report_services.download_url(done) is None


def test_reconciler_restarts_exports_nobody_is_running(world, monkeypatch):
    from courses.hr_reports import reconcilers

    nudged = []
    monkeypatch.setattr(report_services, "report_export_schedule", nudged.append)
    waiting, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                       export_format="csv", filters=_no_filters())
    ReportExport.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert reconcilers.report_exports_unfinished() == 1 and nudged == [waiting.pk]
    ReportExport.objects.filter(pk=waiting.pk).update(status="running", heartbeat_at=timezone.now())
    assert reconcilers.report_exports_unfinished() == 0  # alive


@pytest.fixture
def routes_to_private_queue(private_queue):  # noqa: F811
    """Exports go to the 'long' queue in production; here, to the test's own queue."""
    previous = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={})  # update() also rebuilds the app's cached router
    yield private_queue
    celery_app.conf.update(task_routes=previous)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_export_lifecycle_through_a_real_worker(routes_to_private_queue, client_for, monkeypatch):
    from lms.models import Organization

    monkeypatch.setattr(report_services, "EXPORT_CHUNK_ROWS", 4)
    org = Organization.objects.create(slug="worker-org", name="Worker org")
    hr = add_member(org, "hr").user
    from tests.courses.factories import build_course

    course = build_course(slug="worker-course", activities=[{"title": "Read"}])
    for n in range(10):
        enroll(add_member(org, email=f"w{n}@worker.example").user, course, org)
    client = client_for(hr)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[routes_to_private_queue],
                      shutdown_timeout=30.0):
        created = client.post(URL, {"format": "csv"}, format="json")
        assert created.status_code == 201
        export_id = created.json()["id"]
        status = wait_for(lambda: (s := client.get(f"{URL}{export_id}/").json())["status"] == "done" and s,
                          timeout=60, what="the worker to finish the export")
    assert (status["rows_done"], status["rows_total"], status["runs"]) == (10, 10, 1)
    assert status["started_at"] and status["finished_at"] and status["expires_at"]
    from rest_framework.test import APIClient

    rows = _csv(_body(_download(APIClient(), status["download_url"])))
    assert len(rows) == 10 and {row["organization"] for row in rows} == {"worker-org"}


DISGUISED = ["\uff1d1+1", "\uff0b1+1", " =1+1", "\t=cmd", "\u3000@SUM(A1)"]


def test_csv_export_quotes_disguised_formulas(world, api_client):
    from lms.models import Membership

    _learners(world, len(DISGUISED))
    for n, value in enumerate(DISGUISED):
        Membership.objects.filter(employee_id=f"X{n}").update(employee_id=value)
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="csv", filters=_no_filters())
    done = report_services.report_export_run(export_id=export.pk)
    rows = _csv(_body(_download(api_client, report_services.download_url(done))).lstrip(b"\xef\xbb\xbf"))
    assert {"'" + value for value in DISGUISED} <= {row["employee_id"] for row in rows}


def test_xlsx_export_marks_formula_like_text_as_text(world, api_client):
    """XLSX string cells are never evaluated; formula-like ones (the same test as the CSV's) also get
    Excel's quote prefix, so editing the cell does not turn it into a formula. The text stays exact."""
    from lms.models import Membership

    _learners(world, len(DISGUISED))
    for n, value in enumerate(DISGUISED):
        Membership.objects.filter(employee_id=f"X{n}").update(employee_id=value)
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="xlsx", filters=_no_filters())
    done = report_services.report_export_run(export_id=export.pk)
    data = _body(_download(api_client, report_services.download_url(done)))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert "<f>" not in sheet
    cell_xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", cell_xfs, re.S)
    quoted = {str(index) for index, xf in enumerate(xfs) if 'quotePrefix="1"' in xf}
    assert quoted, "no quote-prefix style"
    texts_by_style: dict[str, set[str]] = {}
    for attrs, inner in re.findall(r"<c([^>]*)>(.*?)</c>", sheet, re.S):
        text = re.search(r"<t[^>]*>(.*?)</t>", inner, re.S)
        style = re.search(r' s="(\d+)"', attrs)
        if text:
            texts_by_style.setdefault(style.group(1) if style else "0", set()).add(text.group(1))
    quoted_texts = set().union(*(texts_by_style.get(s, set()) for s in quoted))
    for value in DISGUISED:
        assert any(text.endswith(value.strip()) and "'" not in text for text in quoted_texts), value
    assert "Acme" not in " ".join(quoted_texts)

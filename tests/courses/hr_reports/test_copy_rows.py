"""The report's CSV and NDJSON written by PostgreSQL's COPY are the Python writers' bytes, on every awkward value."""
from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.certificates.models import Certificate
from courses.enrollments.models import Enrollment
from courses.hr_reports import copy_rows
from courses.hr_reports import queries as reports
from courses.hr_reports.models import ReportExport
from courses.hr_reports.services import exports as report_services
from lms import services as people_services
from lms.models import Membership
from lms.spreadsheets import FORMULA_TRIGGERS, _is_blank, looks_like_formula
from tests.courses.factories import build_course
from tests.courses.hr_reports.conftest import add_member, enroll

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
URL = "/api/v1/reports/completions/"

AWKWARD_TEXTS = [
    'He said "hi", then left', "comma, inside", "line\nbreak", "cr\rinside", "crlf\r\ninside", "trailing\n",
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=cmd", "\rx", " =1+1", "\u00a0=HYPERLINK(\"http://x\")", "\u3000+1",
    "\uff1d1+1", "\ufe62x", "\u207a1", "\u200b=x", "\ufeff@x", "   ", "back\\slash \\n not a newline",
    "ctl \x01\x0b\x1f\x7f", "tab\tinside", "\u2028sep\u2029", "Мария Иванова", "محمد الأحمد", "王小明",
    "नमस्ते", "emoji 👩🏽‍💻", "'already quoted", "\\.", "null", "NULL", "\\N", "ação",
]


def _enumerated_blanks() -> list[tuple[int, int]]:
    points = [point for point in range(1, 0x110000) if not 0xD800 <= point <= 0xDFFF and _is_blank(chr(point))]
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return ranges


def test_the_sql_character_tables_are_pythons():
    """The regex and strip tables the SQL uses are what lms.spreadsheets and str.strip() decide, over every
    code point (a Python upgrade with new Unicode tables fails here first)."""
    assert list(copy_rows.BLANK_RANGES) == _enumerated_blanks()
    triggers = [point for point in range(1, 0x110000) if not 0xD800 <= point <= 0xDFFF
                and unicodedata.normalize("NFKC", chr(point)) in FORMULA_TRIGGERS]
    assert list(copy_rows.TRIGGER_CODE_POINTS) == triggers
    assert list(copy_rows.STRIP_CODE_POINTS) == [point for point in range(0x110000) if chr(point).isspace()]
    # The SQL skips its regular expression for a first character in 65..126: none of them may begin a formula.
    assert copy_rows._PLAIN_START == "int4range(65, 127)"
    assert not [point for point in triggers if 65 <= point <= 126]
    assert not [(low, high) for low, high in copy_rows.BLANK_RANGES if low <= 126 and high >= 65]
    assert not [point for point in range(65, 127) if looks_like_formula(chr(point) + "=1+1")]


def _awkward_world(world) -> None:
    """Learners, departments and courses named with every awkward text; NULLs, certificates of each
    status, whole seconds and microseconds, overdue and not."""
    course = build_course(slug="awkward", title='Tí"tulo, com\nquebra', activities=[{"title": "Read"}])
    now = timezone.now()
    for index, text in enumerate(AWKWARD_TEXTS):
        department = people_services.department_create(organization=world.acme, name=f"{text}#{index}") \
            if index % 3 == 0 else None
        member = add_member(world.acme, department=department, manager=world.boss if index % 2 else None,
                            first_name=f" {text}" if index % 5 else "",
                            last_name=f"{text}\u3000" if index % 7 else "", email=f"p{index}@acme.example")
        if index % 4:  # the exact text, not the service's stripped one
            Membership.objects.filter(pk=member.pk).update(employee_id=f"{text}{index}")
        due = now + timedelta(days=1 - 2 * (index % 2)) if index % 3 else None
        stamp = datetime(2025, 1 + index % 12, 1 + index % 28, index % 24, index % 60, index % 60,
                         0 if index % 2 else 1000 * index + 7, tzinfo=UTC)
        enrollment = enroll(member.user, course if index % 2 else world.course, world.acme, due_at=due,
                            final_score=Decimal(index) + Decimal("0.5") if index % 3 == 1 else None,
                            progress_percent=index % 101, time_spent_seconds=index * 37,
                            last_activity_at=stamp if index % 4 else None, enrolled_at=stamp - timedelta(days=3))
        if index % 2:
            Enrollment.objects.filter(pk=enrollment.pk).update(status="completed", completed_at=stamp)
        if index % 5 in (1, 2, 3):
            Certificate.objects.create(
                enrollment=enrollment, code=f"C{index:03d}x", learner_name="x", course_title="t",
                course_language="en", issuer_name="Acme", hours_credited=1,
                status="revoked" if index % 5 == 1 else "valid", revoked_at=now if index % 5 == 1 else None,
                revoked_reason="test" if index % 5 == 1 else "",
                expires_at=(now - timedelta(days=1)) if index % 5 == 2 else now + timedelta(days=400))
    Enrollment.objects.filter(pk=world.enrollments["alice"].pk).update(final_score=Decimal("-2.00"))


def _queryset(world):
    return reports.completions_queryset(actor=world.hr, filters=reports.Filters(organization=world.acme))


@postgres_only
@pytest.mark.parametrize("bom", [False, True])
def test_csv_through_copy_is_the_python_writers_bytes(world, bom):
    _awkward_world(world)
    queryset = _queryset(world)
    python = b"".join(reports.csv_chunks(reports.iter_rows(queryset), bom=bom))
    with CaptureQueriesContext(connection) as queries:
        copied = b"".join(copy_rows.csv_stream(queryset, bom=bom))
    assert len(queries) == 1 and queries[0]["sql"].startswith("COPY (SELECT")
    assert python.count(b"\r\n") > len(AWKWARD_TEXTS)
    assert copied == python


@postgres_only
def test_ndjson_through_copy_is_the_python_writers_bytes(world):
    _awkward_world(world)
    queryset = _queryset(world)
    python = b"".join(reports.ndjson_chunks(reports.iter_rows(queryset)))
    copied = b"".join(copy_rows.ndjson_stream(queryset))
    assert b"\\\\" in python and b"\\n" in python and b"\\u0001" in python
    assert copied == python


@postgres_only
@pytest.mark.parametrize("output", ["csv", "ndjson"])
def test_the_http_export_streams_the_copy(world, client_for, output, django_assert_num_queries):
    _awkward_world(world)
    queryset = _queryset(world)
    rows = reports.iter_rows(queryset)
    expected = b"".join(reports.csv_chunks(rows) if output == "csv" else reports.ndjson_chunks(rows))
    client = client_for(world.hr)
    with django_assert_num_queries(4):  # roles, the audit row, the access-log row, the COPY
        response = client.get(URL, {"format": output, "organization": "acme"})
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert body == expected


@postgres_only
def test_copy_follows_the_querysets_order_and_filters(world):
    _awkward_world(world)
    queryset = _queryset(world).filter(status="completed").order_by("-id")
    python = b"".join(reports.csv_chunks(reports.iter_rows(queryset)))
    assert b"".join(copy_rows.csv_stream(queryset)) == python
    with pytest.raises(ValueError):
        copy_rows.copy_statement(queryset.order_by("course__slug"), "1", literals={})


@postgres_only
def test_a_reader_that_stops_early_leaves_the_connection_usable(world, monkeypatch):
    _awkward_world(world)
    monkeypatch.setattr(copy_rows, "COPY_ROWS_PER_CHUNK", 2)
    stream = copy_rows.csv_stream(_queryset(world))
    assert next(stream).startswith(b"enrollment_id,")
    assert next(stream).count(b"\r\n") >= 2
    stream.close()  # the client went away mid-stream: the COPY is cancelled
    assert Enrollment.objects.count() > len(AWKWARD_TEXTS)


@pytest.mark.parametrize("chunk", [4, 1000])
def test_the_file_export_is_the_python_writers_bytes(world, monkeypatch, chunk):
    """The export task writes the same file through COPY batches (PostgreSQL) or the Python writer."""
    _awkward_world(world)
    monkeypatch.setattr(report_services, "EXPORT_CHUNK_ROWS", chunk)
    export, _ = report_services.report_export_request(actor=world.hr, organization=world.acme,
                                                      export_format="csv", filters=reports.Filters())
    done = report_services.report_export_run(export_id=export.pk)
    assert done is not None and done.status == ReportExport.Status.DONE
    queryset = _queryset(world).order_by("id")
    expected = b"".join(reports.csv_chunks(reports.iter_rows(queryset)))
    with done.file.open("rb") as handle:
        assert handle.read() == expected
    assert done.rows_total == queryset.count()

"""HR report workloads: the completions report over --report-learners x --report-courses enrollments.

Data is generated with set-based SQL (INSERT ... SELECT over generate_series), idempotently: a second
run at the same size reuses it. Two workloads:

- ``report_json_pages``: JSON cursor pages of 1,000 rows (GET /api/v1/reports/completions/?page_size=1000
  &cursor=...), cursors spread over the whole report, against the floor with the same API key;
- ``report_csv_stream``: in its setup, before the harness server starts, the whole report as CSV streamed
  over HTTP from a gunicorn of its own (one sync worker, so the worker's peak memory is the stream's)
  against ``psql -c "COPY (the same query) TO STDOUT WITH CSV"`` in the same run: rows/s of both, the
  ratio, time to first byte and the worker's peak RSS; then the whole report as an XLSX export job (run
  in-process as a worker runs it: 1,100,000 rows fill one sheet and continue on a second), every row counted
  back from the file. Those figures are printed and recorded under the table. The harness only counts JSON
  answers, so this workload's table row is GET /api/v1/reports/summary/ (the aggregates over the same rows)
  against the floor.
- ``report_summary_rollup``: in its setup, the summary and the dashboard's data (summary + completions by
  month) timed in-process from the rollup against the live aggregate of the same rows, alternated in the
  same run (p50 and p99 of each, the ratio, the rollup's rows and its rebuild time); its table row is
  GET /api/v1/reports/summary/ (from the rollup) against the floor.
"""
from __future__ import annotations

import http.client
import shutil
import statistics
import subprocess
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone

from bench import data, environment, targets
from bench.registry import Context, Outcome, Plan, Request, workload
from bench.server import HOST, Server
from courses.catalog.models import Course
from courses.enrollments.models import Enrollment
from courses.hr_reports import queries as reports
from courses.hr_reports.models import HrRollup, HrRollupGroup, ReportExport
from courses.hr_reports.services import exports
from courses.hr_reports.services.rollup import rollup_rebuild, rollup_refresh
from lms import services as people_services
from lms.models import Organization

ORG_SLUG = "bench-reports"
PREFIX = "rl"
SIZES = {"report_learners": 110_000, "report_courses": 10}  # 1,100,000 enrollments: the XLSX needs a second sheet


def _courses(count: int) -> list[Course]:
    courses = []
    for n in range(count):
        course = Course.objects.filter(slug=f"bench-report-{n}").first()
        if course is None:
            course = Course.objects.create(slug=f"bench-report-{n}", title=f"Bench report course {n}",
                                           status=Course.Status.PUBLISHED, published_at=timezone.now(),
                                           validity_months=24, hours_credited=2)
        courses.append(course)
    return courses


def _sql(statement: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def dataset(learners: int, course_count: int) -> tuple[Organization, list[Course]]:
    """``learners`` people in 8 departments with managers, each enrolled in ``course_count`` courses; about
    40 % completed with a certificate, some overdue; updated_at spread over the last 30 days."""
    org = data.organization(slug=ORG_SLUG, name="Bench Reports", departments=8)
    courses = _courses(course_count)
    course_ids = [c.pk for c in courses]
    expected = learners * course_count
    have = Enrollment.objects.filter(organization=org).count()
    if have == expected and Enrollment.objects.filter(organization=org, course_id__in=course_ids).count() == expected:
        print(f"  reusing {have:,} report enrollments")
        return org, courses
    started = time.monotonic()
    with transaction.atomic():
        _sql("DELETE FROM courses_certificate WHERE enrollment_id IN "
             "(SELECT id FROM courses_enrollment WHERE organization_id = %s)", [org.pk])
        _sql("DELETE FROM courses_enrollment WHERE organization_id = %s", [org.pk])
        made = _sql(
            "INSERT INTO lms_user (password, last_login, is_superuser, first_name, last_name, is_staff, is_active,"
            " date_joined, email, timezone, language) "
            "SELECT '!', NULL, false, 'Learner', g::text, false, true, now(), %s || '-' || g || '@bench.example',"
            " '', '' FROM generate_series(1, %s) g ON CONFLICT DO NOTHING", [PREFIX, learners])
        print(f"  users: {made:,} new")
        _sql("ANALYZE lms_user")  # each step below joins what the one before filled: plan it for the rows there
        departments = list(org.departments.order_by("id").values_list("id", flat=True))
        made = _sql(
            "INSERT INTO lms_membership (user_id, organization_id, department_id, manager_id, employee_id, is_learner,"
            " is_instructor, is_supervisor, is_hr, is_org_admin, is_active, created_at, updated_at) "
            "SELECT u.id, %s, (%s::bigint[])[1 + (split_part(split_part(u.email, '@', 1), '-', 2)::int %% %s)], NULL,"
            " 'RL-' || split_part(split_part(u.email, '@', 1), '-', 2), true, false, false, false, false, true,"
            " now(), now() FROM lms_user u WHERE u.email LIKE %s AND u.email LIKE '%%@bench.example' "
            "AND split_part(split_part(u.email, '@', 1), '-', 2)::int <= %s "
            "AND NOT EXISTS (SELECT 1 FROM lms_membership m WHERE m.user_id = u.id AND m.organization_id = %s)",
            [org.pk, departments, len(departments), f"{PREFIX}-%", learners, org.pk])
        print(f"  memberships: {made:,} new")
        _sql("ANALYZE lms_membership")  # else the manager UPDATE nests loops over 100k x 12.5k rows
        # The first learner of each department manages the others of it.
        _sql("UPDATE lms_membership m SET manager_id = boss.id FROM lms_membership boss "
             "WHERE m.organization_id = %s AND boss.organization_id = %s AND m.department_id = boss.department_id "
             "AND boss.employee_id IN (SELECT 'RL-' || g FROM generate_series(1, 8) g) AND m.id <> boss.id "
             "AND m.manager_id IS NULL AND m.employee_id LIKE 'RL-%%'", [org.pk, org.pk])
        made = _sql(
            "INSERT INTO courses_enrollment (user_id, course_id, organization_id, enrolled_by_id, status, enrolled_at,"
            " due_at, completed_at, withdrawn_at, last_activity_at, progress_percent, final_score, time_spent_seconds,"
            " updated_at) "
            "SELECT u.user_id, c.id, %s, NULL, CASE WHEN (u.id + c.id) %% 5 < 2 THEN 'completed' ELSE 'active' END,"
            # due: every day from thirty days ago to thirty ahead, at every minute of the day
            " now() - interval '60 days', date_trunc('day', now()) - interval '30 days'"
            " + ((u.id * 7 + c.id) %% 60) * interval '1 day' + ((u.id * 37 + c.id * 11) %% 1440) * interval '1 minute',"
            " CASE WHEN (u.id + c.id) %% 5 < 2 THEN now() - ((u.id * 7 + c.id) %% 50) * interval '1 day' END, NULL,"
            " now() - ((u.id + c.id) %% 40) * interval '1 day', CASE WHEN (u.id + c.id) %% 5 < 2 THEN 100 ELSE"
            " ((u.id + c.id) %% 10) * 10 END, CASE WHEN (u.id + c.id) %% 5 < 2 THEN 60 + (u.id %% 40) END,"
            " (u.id %% 7200), now() - interval '1 hour' - ((u.id * 31 + c.id * 7) %% 2592000) * interval '1 second'"
            " FROM lms_membership u CROSS JOIN unnest(%s::bigint[]) AS c(id)"
            " WHERE u.organization_id = %s AND u.employee_id LIKE 'RL-%%'",
            [org.pk, course_ids, org.pk])
        print(f"  enrollments: {made:,}")
        _sql("ANALYZE courses_enrollment")
        made = _sql(
            "INSERT INTO courses_certificate (enrollment_id, code, learner_name, learner_erased, course_title,"
            " course_language, issuer_name, hours_credited, final_score, show_score, issued_at, expires_at, status,"
            " revoked_at, revoked_by_id, revoked_reason, pdf, template_version, credential, rendered_at, emailed_at,"
            " updated_at) "
            "SELECT e.id, 'rb' || e.id, 'Learner', false, c.title, 'en', 'Bench Reports', 2, e.final_score, false,"
            " e.completed_at, e.completed_at + interval '24 months', CASE WHEN e.id %% 97 = 0 THEN 'revoked' ELSE"
            " 'valid' END, CASE WHEN e.id %% 97 = 0 THEN now() END, NULL, '', '', 0, NULL, NULL, NULL, now() "
            "FROM courses_enrollment e JOIN courses_course c ON c.id = e.course_id "
            "WHERE e.organization_id = %s AND e.status = 'completed'", [org.pk])
        print(f"  certificates: {made:,}")
    _sql("ANALYZE courses_enrollment; ANALYZE lms_membership; ANALYZE courses_certificate; ANALYZE lms_user")
    print(f"  report data ready in {time.monotonic() - started:.0f}s")
    return org, courses


def _api_key(org: Organization, name: str) -> str:
    from lms.models import OrganizationAPIKey

    OrganizationAPIKey.objects.filter(organization=org, name=name).delete()
    return people_services.api_key_create(organization=org, name=name)[1]


def _cursors(org: Organization, every: int = 1000, limit: int = 2000) -> list[str]:
    """Cursors at every ``every``-th row of the report, so pages are read from all over it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT updated_at, id FROM (SELECT updated_at, id, row_number() OVER (ORDER BY updated_at, id) AS n "
            "FROM courses_enrollment WHERE organization_id = %s) t WHERE n %% %s = 0 ORDER BY n LIMIT %s",
            [org.pk, every, limit])
        rows = cursor.fetchall()
    out = []
    for stamp, pk in rows:
        row = [None] * len(reports.COLUMNS)
        row[0], row[reports.COLUMNS.index("updated_at")] = pk, reports._format_datetime(stamp)
        out.append(reports.encode_cursor(tuple(row)))
    return out


@workload("report_json_pages", sizes=SIZES)
def report_json_pages(ctx: Context) -> Plan:
    """GET /api/v1/reports/completions/ JSON, 1,000-row cursor pages (API key); floor GET /bench/floor/."""
    org, _ = dataset(ctx.sizes["report_learners"], ctx.sizes["report_courses"])
    auth = {"Authorization": f"Api-Key {_api_key(org, 'bench-report-pages')}"}
    cursors = _cursors(org)

    def project(i: int) -> Request:
        return Request("GET", f"/api/v1/reports/completions/?page_size=1000&cursor={cursors[i % len(cursors)]}",
                       auth)

    def floor(i: int) -> Request:
        return Request("GET", "/bench/floor/", auth)

    def verify(outcome: Outcome) -> str:
        return (f"ok: {outcome.project_ok} pages of 1,000 rows = {outcome.project_ok * 1000:,} rows, from "
                f"{len(cursors)} cursor positions over {Enrollment.objects.filter(organization=org).count():,} rows")

    return Plan(project=project, floor=floor, verify=verify)


def _worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _stream_csv(port: int, path: str, headers: dict) -> tuple[int, int, float, float]:
    """(rows, bytes, seconds to the first body byte, total seconds) of one streamed CSV download."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path, headers={**headers, "Accept": "text/csv"})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"CSV answered {response.status}: {response.read(300)!r}")
    first = response.read(1)
    ttfb = time.perf_counter() - started
    size, lines = len(first), first.count(b"\n")
    while chunk := response.read(1 << 20):
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - started
    conn.close()
    return lines - 1, size, ttfb, total  # minus the header line


def _copy_sql(org: Organization) -> str:
    """The report's own SQL (the queryset the view streams), with its parameters inlined, for psql."""
    class Reader:
        is_api_key, is_authenticated, organization_id = True, True, org.pk

    queryset = reports.completions_queryset(actor=Reader(), filters=reports.Filters())
    sql, params = queryset.values_list(*reports.FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(sql, params)


def _copy(sql: str) -> tuple[int, float]:
    psql = shutil.which("psql")
    if psql is None:
        raise RuntimeError("psql is not installed")
    url = environment.database_url()
    started = time.perf_counter()
    result = subprocess.run([psql, url, "-X", "-q", "-c", f"COPY ({sql}) TO STDOUT WITH CSV"],
                            capture_output=True, check=True)
    seconds = time.perf_counter() - started
    return result.stdout.count(b"\n"), seconds


def measure_csv_against_copy(org: Organization, raw_key: str) -> str:
    """One streamed CSV download of the whole report vs COPY of the same query, alternated twice."""
    sql = _copy_sql(org)
    server = Server(workers=1, threads=1)
    figures = []
    with server:
        master = server.process.pid
        worker = _worker_pids(master)[0]
        rss_before = _status_kb(worker, "VmRSS")
        for _ in range(2):
            copy_rows, copy_seconds = _copy(sql)
            rows, size, ttfb, seconds = _stream_csv(server.port, "/api/v1/reports/completions/?format=csv",
                                                    {"Authorization": f"Api-Key {raw_key}"})
            figures.append((rows, size, ttfb, seconds, copy_rows, copy_seconds))
        peak = _status_kb(worker, "VmHWM")
        rss_after = _status_kb(worker, "VmRSS")
    best = min(figures, key=lambda f: f[3])
    best_copy = min(figures, key=lambda f: f[5])
    rows, size, ttfb, seconds = best[:4]
    copy_rows, copy_seconds = best_copy[4:]
    if rows != copy_rows:
        raise AssertionError(f"the CSV had {rows:,} rows but COPY {copy_rows:,}")
    http_rate, copy_rate = rows / seconds, copy_rows / copy_seconds
    targets.figure_put("report_csv", value=http_rate / copy_rate, project=f"{http_rate:,.0f} rows/s over HTTP "
                       f"({rows:,} rows)", floor=f"{copy_rate:,.0f} rows/s by psql COPY")
    return (f"CSV over HTTP {rows:,} rows ({size / 1e6:,.0f} MB) in {seconds:.1f} s = {http_rate:,.0f} rows/s, "
            f"first byte after {ttfb * 1000:.0f} ms; psql COPY of the same query {copy_rows:,} rows in "
            f"{copy_seconds:.1f} s = {copy_rate:,.0f} rows/s; ratio {http_rate / copy_rate:.2f}; serving worker "
            f"RSS {rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after, peak {peak / 1024:.0f} MB "
            f"(best of 2 alternated runs; gunicorn 1 sync worker)")


def _sheet_rows(path: str) -> dict[str, int]:
    """Rows per worksheet of an XLSX (counted in its XML, header included), read as a stream."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")):
            count, tail = 0, b""
            with archive.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    count += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                    tail = chunk[-4:]
            counts[name.rsplit("/", 1)[-1]] = count
    return counts


def measure_xlsx_export(org: Organization) -> str:
    """The whole report as an XLSX export job, run in-process as a worker would; every row is counted back."""
    expected = Enrollment.objects.filter(organization=org).count()
    actor = SimpleNamespace(is_superuser=True, is_api_key=False, is_authenticated=True, pk=None, id=None)
    ReportExport.objects.filter(organization=org, status__in=ReportExport.ACTIVE).update(
        status=ReportExport.Status.FAILED, error="bench: left from an earlier run")
    export, _ = exports.report_export_request(actor=actor, organization=org, export_format="xlsx",
                                              filters=reports.Filters())
    started = time.perf_counter()
    done = exports.report_export_run(export_id=export.pk)
    seconds = time.perf_counter() - started
    if done is None or done.status != ReportExport.Status.DONE:
        raise AssertionError(f"the XLSX export did not finish: {export.pk}")
    sheets = _sheet_rows(done.file.path)
    data_rows = sum(count - 1 for count in list(sheets.values())[:-1])  # each data sheet's header; Summary last
    size = done.file.size
    done.file.delete(save=False)
    if data_rows != expected or done.rows_total != expected:
        raise AssertionError(f"the XLSX holds {data_rows:,} rows (export says {done.rows_total:,}), not {expected:,}")
    return (f"XLSX export of {expected:,} rows ({size / 1e6:,.0f} MB, sheets {', '.join(map(str, sheets.values()))} "
            f"rows with headers and the Summary) in {seconds:.1f} s = {expected / seconds:,.0f} rows/s: every row "
            f"present")


@workload("report_csv_stream", sizes=SIZES)
def report_csv_stream(ctx: Context) -> Plan:
    """Whole-report CSV over HTTP vs psql COPY (below the table); its row: GET …/reports/summary/ vs floor."""
    org, _ = dataset(ctx.sizes["report_learners"], ctx.sizes["report_courses"])
    raw = _api_key(org, "bench-report-stream")
    print("  measuring the CSV stream against COPY ...")
    figures = measure_csv_against_copy(org, raw)
    print(f"  {figures}")
    print("  exporting the whole report as XLSX ...")
    xlsx = measure_xlsx_export(org)
    print(f"  {xlsx}")
    figures = f"{figures}; {xlsx}"
    # The load generator counts only JSON answers, so the table row of this workload is the summary
    # (per course and department over the whole report); the CSV figures are recorded under the table.
    auth = {"Authorization": f"Api-Key {raw}"}

    def project(i: int) -> Request:
        return Request("GET", "/api/v1/reports/summary/", auth)

    def floor(i: int) -> Request:
        return Request("GET", "/bench/floor/", auth)

    return Plan(project=project, floor=floor, verify=lambda outcome: figures)


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):,.1f} ms, p99 {p99:,.1f} ms (n={len(ordered)})"


def measure_rollup_against_live(org: Organization, *, live_runs: int = 5, rollup_runs: int = 50) -> str:
    """The summary and the dashboard's data from the rollup vs the live aggregate, alternated."""
    started = time.monotonic()
    if not HrRollupGroup.objects.filter(organization=org).exists():
        rollup_rebuild(organization_id=org.pk)
    rebuild_seconds = time.monotonic() - started
    # In service the beat refreshes the rollup every HR_ROLLUP_REFRESH_SECONDS (60), which moves today's due
    # snapshot to that minute; the measurement starts where the beat would leave it, and runs about as long.
    started = time.monotonic()
    rollup_refresh(organization_id=org.pk)
    refresh_seconds = time.monotonic() - started
    filters = reports.Filters(organization=org)
    actor = SimpleNamespace(is_superuser=True, is_api_key=False)  # reads every organization, like a superuser
    timings: dict[str, list[float]] = {"summary": [], "live summary": [], "dashboard": [], "live dashboard": []}
    for run in range(max(live_runs, rollup_runs)):
        if run < live_runs:
            timings["live summary"].append(_timed(lambda: reports.live_summary(actor=actor, filters=filters)))
            timings["live dashboard"].append(_timed(lambda: (
                reports.live_summary(actor=actor, filters=filters),
                reports.completions_by_month(organization=org, filters=reports.Filters(status="completed")))))
        timings["summary"].append(_timed(lambda: reports.summary(actor=actor, filters=filters)))
        timings["dashboard"].append(_timed(lambda: (reports.summary(actor=actor, filters=filters),
                                                    reports.completions_by_month(organization=org))))
    rollup, live = reports.summary(actor=actor, filters=filters), reports.live_summary(actor=actor, filters=filters)
    if [(r["course"], r["enrolled"], r["completed"]) for r in rollup["by_course"]] != [
            (r["course"], r["enrolled"], r["completed"]) for r in live["by_course"]]:
        raise AssertionError("the rollup's summary differs from the live aggregate")
    ratio = statistics.median(timings["live summary"]) / statistics.median(timings["summary"])
    rows = HrRollup.objects.filter(organization=org).count()
    enrollments = Enrollment.objects.filter(organization=org).count()
    targets.figure_put("summary_speedup", value=ratio,
                       project=f"summary from the rollup p50 {statistics.median(timings['summary']):,.1f} ms "
                               f"(goal < 50 ms) over {enrollments:,} enrollments",
                       floor=f"live aggregate p50 {statistics.median(timings['live summary']):,.0f} ms")
    return (f"summary over {enrollments:,} enrollments: rollup {_percentiles(timings['summary'])} vs live aggregate "
            f"{_percentiles(timings['live summary'])} = {ratio:,.0f}x faster; dashboard data (summary + chart): "
            f"rollup {_percentiles(timings['dashboard'])} vs live {_percentiles(timings['live dashboard'])}; "
            f"rollup {rows:,} rows, rebuilt in {rebuild_seconds:.1f} s (0 if it was already built), the beat's refresh "
            f"{refresh_seconds:.1f} s; in-process")


@workload("report_summary_rollup", sizes=SIZES)
def report_summary_rollup(ctx: Context) -> Plan:
    """Summary and dashboard data: rollup vs live aggregate (below the table); row: GET …/summary/ vs floor."""
    org, _ = dataset(ctx.sizes["report_learners"], ctx.sizes["report_courses"])
    print("  measuring the summary from the rollup against the live aggregate ...")
    figures = measure_rollup_against_live(org)
    print(f"  {figures}")
    auth = {"Authorization": f"Api-Key {_api_key(org, 'bench-report-rollup')}"}

    def project(i: int) -> Request:
        return Request("GET", "/api/v1/reports/summary/", auth)

    def floor(i: int) -> Request:
        return Request("GET", "/bench/floor/", auth)

    return Plan(project=project, floor=floor, verify=lambda outcome: figures)

"""The streaming-replica scenario test_replica.py runs in a subprocess, with Django's ``default`` database
the test's own primary and ``reports`` its standby (DATABASE_URL, REPORTS_DATABASE_URL). It writes through
the services, syncs from saved cursors while the standby's replay is paused, and prints what it saw as JSON
for the test to judge. Run: ``python -m tests.courses.hr_reports.replica_scenario``.
"""
from __future__ import annotations

import json
import sys
import time

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses.enrollments import services as enrollment_services  # noqa: E402
from courses.enrollments.models import Enrollment  # noqa: E402
from courses.hr_reports import queries  # noqa: E402
from courses.hr_reports.routers import replayed_through  # noqa: E402
from tests import factories as people  # noqa: E402
from tests.courses.factories import activities_of, build_course  # noqa: E402
from tests.courses.hr_reports.conftest import add_member, enroll  # noqa: E402

MARGIN = settings.REPORTS_SYNC_LAG_SECONDS
PAGE = 4


def one(alias: str, sql: str, params: tuple = ()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_replayed(timeout: float = 20.0) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    target = one("default", "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + timeout
    while not one("reports", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
        if time.monotonic() > deadline:
            raise SystemExit("the standby did not catch up")
        time.sleep(0.05)


def sync(actor, organization, cursor: str | None) -> tuple[list[dict], str | None]:
    """Follow pages from ``cursor`` until the last one, as an HR system would; rows and the new cursor."""
    rows: list[dict] = []
    while True:
        queryset = queries.completions_queryset(actor=actor, filters=queries.Filters(organization=organization))
        if cursor:
            queryset = queries.after_cursor(queryset, cursor)
        page = queries.page_rows(queryset, limit=PAGE)
        rows += [queries.as_dict(row) for row in page]
        if page:
            cursor = queries.encode_cursor(page[-1])
        if len(page) < PAGE:
            return rows, cursor


def constant_guard_sync(actor, organization, cursor):
    """The same sync under the old guard (now minus a constant, whatever the standby has replayed)."""
    real = queries.replayed_through
    queries.replayed_through = lambda alias: None
    try:
        return sync(actor, organization, cursor)
    finally:
        queries.replayed_through = real


def main() -> dict:
    began = time.monotonic()
    acme = people.OrganizationFactory(slug="acme", name="Acme")
    hr = add_member(acme, "hr", email="hr@acme.example").user
    course = build_course(slug="listening", title="Listening well", activities=[{"title": "Read"}], due_days=30)
    activity = activities_of(course)[0]
    learners = [add_member(acme, email=f"learner{n}@acme.example").user for n in range(10)]
    enrollments = [enroll(user, course, acme) for user in learners]
    wait_replayed()
    time.sleep(MARGIN + 0.2)
    observed: dict = {
        "reports_alias": queries.reports_database(),
        "queryset_db": queries.completions_queryset(actor=hr, filters=queries.Filters(organization=acme)).db,
        "reports_in_recovery": one("reports", "SELECT pg_is_in_recovery()"),
        "default_in_recovery": one("default", "SELECT pg_is_in_recovery()"),
    }
    feed, cursor = sync(hr, acme, None)
    observed["first_sync"] = len(feed)

    # A: a transaction stamps a row's updated_at and commits a moment later (within the margin) ...
    late, early = enrollments[2], enrollments[7]
    primary = connections["default"].settings_dict
    writer = psycopg.connect(host=primary["HOST"], port=primary["PORT"], user=primary["USER"],
                             dbname=primary["NAME"])
    writer.execute(f"UPDATE {Enrollment._meta.db_table} SET updated_at = clock_timestamp(), "  # noqa: S608
                   "time_spent_seconds = time_spent_seconds + 7 WHERE id = %s", (late.pk,))
    # ... while B, stamped after it, commits first and reaches the standby, whose replay then pauses.
    enrollment_services.activity_heartbeat(enrollment=early, activity=activity, seconds=30)
    wait_replayed()
    one("reports", "SELECT pg_wal_replay_pause()::text")
    while one("reports", "SELECT pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.02)
    writer.commit()
    writer.close()
    # Writes go on on the primary while the standby stands still.
    for enrollment in (enrollments[0], enrollments[1], enrollments[4]):  # not the late row: its skip would heal
        enrollment_services.activity_heartbeat(enrollment=enrollment, activity=activity, seconds=20)
    newcomer = add_member(acme, email="newcomer@acme.example").user
    new_row = enroll(newcomer, course, acme)
    stamps = dict(Enrollment.objects.using("default").filter(pk__in=[late.pk, early.pk])
                  .values_list("pk", "updated_at"))
    observed["late_stamped_before_early"] = stamps[late.pk] < stamps[early.pk]
    time.sleep(MARGIN + 0.5)  # now minus the margin has passed every write
    observed["paused_horizon_before_early"] = queries.settled_before() < stamps[early.pk]
    observed["replayed_through_paused"] = replayed_through("reports") is not None

    held, paused_cursor = sync(hr, acme, cursor)
    feed += held
    old_held, old_cursor = constant_guard_sync(hr, acme, cursor)
    visible = set(queries.completions_queryset(actor=hr, filters=queries.Filters(organization=acme))
                  .values_list("id", flat=True))
    observed["new_row_visible_while_paused"] = new_row.pk in visible
    observed["early_visible_while_paused"] = (Enrollment.objects.using("reports").get(pk=early.pk).updated_at
                                              == stamps[early.pk])
    observed["early_synced_while_paused"] = any(row["enrollment_id"] == early.pk for row in held)
    observed["constant_guard_synced_early_while_paused"] = any(row["enrollment_id"] == early.pk for row in old_held)

    one("reports", "SELECT pg_wal_replay_resume()::text")
    wait_replayed()
    time.sleep(MARGIN + 0.2)
    observed["caught_up_horizon_recent"] = (timezone.now() - queries.settled_before()).total_seconds() < MARGIN + 1
    # Idle now: the last replayed commit's stamp stays old, yet a caught-up standby's horizon moves past it.
    time.sleep(MARGIN)
    observed["idle_horizon_past_last_replay"] = (queries.settled_before()
                                                 > one("reports", "SELECT pg_last_xact_replay_timestamp()"))
    rest, _ = sync(hr, acme, paused_cursor)
    feed += rest
    old_rest, _ = constant_guard_sync(hr, acme, old_cursor)
    full = [queries.as_dict(row) for row in queries.iter_rows(
        queries.completions_queryset(actor=hr, filters=queries.Filters(organization=acme)))]

    versions = [(row["enrollment_id"], row["updated_at"]) for row in feed]
    synced = {row["enrollment_id"]: row for row in feed}
    old_synced = {row["enrollment_id"]: row for row in feed[:observed["first_sync"]] + old_held + old_rest}
    expected = {row["enrollment_id"]: row for row in full}
    observed.update(
        full_rows=len(full),
        repeated_versions=len(versions) - len(set(versions)),
        synced_equals_full=synced == expected,
        missing_or_stale=sorted(pk for pk, row in expected.items() if synced.get(pk) != row),
        late_row_synced_value=synced[late.pk]["time_spent_seconds"],
        late_row_full_value=expected[late.pk]["time_spent_seconds"],
        constant_guard_stale=sorted(pk for pk, row in expected.items() if old_synced.get(pk) != row),
        late_id=late.pk,
    )
    observed["seconds"] = time.monotonic() - began
    return observed


if __name__ == "__main__":
    json.dump(main(), sys.stdout, default=str)

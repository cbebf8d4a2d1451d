"""Writes behind the HR reports: the audit log, export jobs (request, run in chunks, clean up),
and keeping ``Enrollment.updated_at`` — the incremental-sync key — honest.

Export jobs follow "the database is the truth": the ``ReportExport`` row records the job, its
progress and a checkpoint. A worker claims it (``runs`` + 1), writes chunks of rows and records
the checkpoint after each; a killed worker's job is found by the reconciler (stale heartbeat) and
resumed by the next worker — a CSV continues from its checkpoint (the work file is cut back to the
recorded size), an XLSX starts again (a zip cannot be appended to). A worker that finds its claim
taken over stops.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from courses.enrollments.models import Enrollment
from courses.hr_reports import copy_rows as report_streams
from courses.hr_reports import queries as reports
from courses.hr_reports import xlsx as report_xlsx
from courses.hr_reports.errors import ReportErrorCode
from courses.hr_reports.models import ReportAuditEntry, ReportExport
from lms.models import Organization
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

EXPORT_CHUNK_ROWS = 5000
STALE_AFTER = timedelta(minutes=2)  # a running export without a heartbeat for this long is resumed
_SIGNER_SALT = "courses.report-export-download"


def _who(actor: Any) -> dict:
    if getattr(actor, "is_api_key", False):
        return {"user": None, "api_key_prefix": actor.key.prefix}
    return {"user": actor if getattr(actor, "pk", None) else None, "api_key_prefix": ""}


def report_audit_record(*, actor: Any, kind: str, organization: Organization | None = None, format: str = "",
                        filters: dict | None = None) -> ReportAuditEntry:
    """One audit row per report request, export and download: who (user or key prefix), when, which filters."""
    return ReportAuditEntry.objects.create(kind=kind, organization=organization, format=format,
                                           filters=filters or {}, **_who(actor))


# --- export jobs ---------------------------------------------------------------------------

def _request_key(organization: Organization, export_format: str, filters: dict) -> str:
    canonical = json.dumps([organization.pk, export_format, filters], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_export_request(*, actor: Any, organization: Organization, export_format: str,
                          filters: reports.Filters) -> tuple[ReportExport, bool]:
    """A new export job, or the running one for the same organization, format and filters (created False)."""
    if export_format not in ReportExport.Format.values:
        raise reports.ReportError("Choose csv or xlsx.", code=ReportErrorCode.INVALID_FORMAT,
                                  fields={"format": [f"One of {', '.join(ReportExport.Format.values)}."]})
    stored = {k: v for k, v in filters.as_json().items() if k != "organization"}
    key = _request_key(organization, export_format, stored)
    with transaction.atomic():
        running = ReportExport.objects.filter(organization=organization, request_key=key,
                                              status__in=ReportExport.ACTIVE).first()
        if running is not None:
            return running, False
        try:
            with transaction.atomic():
                export = ReportExport.objects.create(organization=organization, format=export_format, filters=stored,
                                                     request_key=key, **_requested_by(actor))
        except IntegrityError:  # the same request, a moment earlier, from another process
            return ReportExport.objects.get(organization=organization, request_key=key,
                                            status__in=ReportExport.ACTIVE), False
        report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.EXPORT, organization=organization,
                            format=export_format, filters=stored)
        export_id = export.pk
        transaction.on_commit(lambda: report_export_schedule(export_id))
    return export, True


def _requested_by(actor: Any) -> dict:
    who = _who(actor)
    return {"requested_by": who["user"], "api_key_prefix": who["api_key_prefix"]}


def report_export_schedule(export_id: int) -> None:
    """Nudge a worker on the long queue; if the broker is down, the reconciler starts it later."""
    try:
        task_enqueue("courses.long.report_export_run", args=[export_id], retry=False)
    except Exception:
        logger.warning("could not enqueue export %s; the reconciler will", export_id, exc_info=True)


def export_filters(export: ReportExport) -> reports.Filters:
    values: dict[str, Any] = dict(export.filters)
    for name, value in list(values.items()):
        if isinstance(value, str) and (name.endswith(("_after", "_before")) or name == "updated_since"):
            values[name] = datetime.fromisoformat(value)
    return reports.Filters(organization=export.organization, **values)


def _work_path(export: ReportExport) -> Path:
    directory = Path(settings.REPORTS_WORK_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"export-{export.pk}.{export.format}"


def _claim(export_id: int) -> tuple[ReportExport, int] | None:
    """Take the job unless it is finished or another worker is alive on it."""
    now = timezone.now()
    with transaction.atomic():
        export = ReportExport.objects.select_for_update().select_related("organization").filter(pk=export_id).first()
        if export is None or export.status not in ReportExport.ACTIVE:
            return None
        if (export.status == ReportExport.Status.RUNNING and export.heartbeat_at is not None
            and now - export.heartbeat_at < STALE_AFTER):
            return None
        export.status = ReportExport.Status.RUNNING
        export.runs += 1
        export.started_at = export.started_at or now
        export.heartbeat_at = now
        export.save(update_fields=["status", "runs", "started_at", "heartbeat_at"])
    return export, export.runs


def _checkpoint(export: ReportExport, run: int, **fields: Any) -> bool:
    """Record progress if the job is still ours; False means another worker took it over."""
    fields["heartbeat_at"] = timezone.now()
    return bool(ReportExport.objects.filter(pk=export.pk, runs=run, status=ReportExport.Status.RUNNING)
                .update(**fields))


class ExportTakenOver(Exception):
    pass


def _queryset(export: ReportExport, after_id: int):
    queryset = reports.completions_queryset(actor=_OrganizationReader(export.organization_id),
                                            filters=export_filters(export))
    return queryset.filter(id__gt=after_id).order_by("id")


def _rows(export: ReportExport, after_id: int) -> Iterable[tuple]:
    return reports.iter_rows(_queryset(export, after_id))


class _OrganizationReader:
    """The export runs as the organization's report reader, whoever asked (their scope was checked then)."""

    is_api_key = True
    is_authenticated = True

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id


def report_export_run(*, export_id: int, stop_after_chunks: int | None = None) -> ReportExport | None:
    """Run (or resume) an export. ``stop_after_chunks`` is for tests: stop as a killed worker would."""
    claimed = _claim(export_id)
    if claimed is None:
        return None
    export, run = claimed
    path = _work_path(export)
    try:
        if export.format == ReportExport.Format.CSV:
            _run_csv(export, run, path, stop_after_chunks)
        else:
            _run_xlsx(export, run, path)
    except ExportTakenOver:
        logger.info("export %s was taken over by another run", export.pk)
        return None
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        ReportExport.objects.filter(pk=export.pk, runs=run).update(
            status=ReportExport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500], finished_at=timezone.now())
        raise
    return _finish(export, run, path)


def _run_csv(export: ReportExport, run: int, path: Path, stop_after_chunks: int | None) -> None:
    resume = export.checkpoint_bytes > 0 and path.exists() and path.stat().st_size >= export.checkpoint_bytes
    if resume:
        after_id, done = export.checkpoint_id, export.rows_done
        handle: BinaryIO = open(path, "r+b")
        handle.truncate(export.checkpoint_bytes)
        handle.seek(export.checkpoint_bytes)
    else:
        after_id, done = 0, 0
        handle = open(path, "wb")
        handle.write(next(reports.csv_chunks([])))  # the header line
    with handle:
        if not _checkpoint(export, run, rows_done=done, checkpoint_id=after_id, checkpoint_bytes=handle.tell()):
            raise ExportTakenOver
        chunks = 0
        while True:
            # A whole batch (COPY on PostgreSQL) is read before its checkpoint is written: the
            # connection is free again by then.
            data, count, last_id = report_streams.csv_batch(_queryset(export, after_id), limit=EXPORT_CHUNK_ROWS)
            if not count or last_id is None:
                break
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            done, after_id = done + count, last_id
            if not _checkpoint(export, run, rows_done=done, checkpoint_id=after_id, checkpoint_bytes=handle.tell()):
                raise ExportTakenOver
            chunks += 1
            if count < EXPORT_CHUNK_ROWS:
                break
            if stop_after_chunks is not None and chunks >= stop_after_chunks:
                raise SystemExit("stopped for the test, as a killed worker would")


def _export_language(export: ReportExport) -> str:
    """The language of the XLSX's Summary sheet: the requester's, else the organization's."""
    person = export.requested_by
    return (person.language if person is not None and person.language else "") or \
        export.organization.default_language or settings.LANGUAGE_CODE


def _run_xlsx(export: ReportExport, run: int, path: Path) -> None:
    if not _checkpoint(export, run, rows_done=0, checkpoint_id=0, checkpoint_bytes=0):
        raise ExportTakenOver

    def progress(done: int) -> None:
        if not _checkpoint(export, run, rows_done=done):
            raise ExportTakenOver

    about = report_xlsx.About(organization=export.organization.name, generated_at=timezone.now(),
                              filters=dict(export.filters))
    with translation.override(_export_language(export)):
        count = report_xlsx.write_report_xlsx(str(path), reports.COLUMNS, _rows(export, 0), about=about,
                                              progress=progress, progress_every=reports.STREAM_CHUNK_ROWS)
    if not _checkpoint(export, run, rows_done=count):
        raise ExportTakenOver


def _finish(export: ReportExport, run: int, path: Path) -> ReportExport | None:
    export.refresh_from_db()
    if export.runs != run or export.status != ReportExport.Status.RUNNING:
        return None
    name = f"{export.organization.slug}-completions-{export.pk}-{secrets.token_hex(4)}.{export.format}"
    with open(path, "rb") as handle:
        export.file.save(name, File(handle), save=False)
    now = timezone.now()
    updated = ReportExport.objects.filter(pk=export.pk, runs=run, status=ReportExport.Status.RUNNING).update(
        status=ReportExport.Status.DONE, file=export.file.name, rows_total=export.rows_done, finished_at=now,
        heartbeat_at=now, expires_at=now + timedelta(hours=settings.REPORTS_EXPORT_TTL_HOURS), error="")
    path.unlink(missing_ok=True)
    if not updated:
        export.file.storage.delete(export.file.name)
        return None
    export.refresh_from_db()
    return export


def exports_cleanup(*, now=None) -> int:
    """Delete the files of exports past their expiry, and work files of jobs that ended. Returns files removed."""
    now = now or timezone.now()
    removed = 0
    for export in ReportExport.objects.filter(status=ReportExport.Status.DONE, expires_at__lte=now):
        if export.file:
            export.file.storage.delete(export.file.name)
            removed += 1
        ReportExport.objects.filter(pk=export.pk, status=ReportExport.Status.DONE).update(
            status=ReportExport.Status.EXPIRED, file="")
    work = Path(settings.REPORTS_WORK_DIR)
    if work.exists():
        active = set(ReportExport.objects.filter(status__in=ReportExport.ACTIVE).values_list("pk", flat=True))
        for path in work.glob("export-*"):
            try:
                export_id = int(path.stem.split("-", 1)[1])
            except ValueError:
                continue
            if export_id not in active:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def download_signature(export: ReportExport) -> str:
    return signing.TimestampSigner(salt=_SIGNER_SALT).sign(f"{export.pk}:{export.file.name}").split(":", 2)[-1]


def download_url(export: ReportExport) -> str | None:
    """A link that works without credentials until it expires (REPORTS_DOWNLOAD_URL_TTL_SECONDS)."""
    if export.status != ReportExport.Status.DONE or not export.file:
        return None
    return f"{settings.SITE_URL}/api/v1/reports/exports/{export.pk}/download/?signature={download_signature(export)}"


def download_check(*, export_id: int, signature: str) -> ReportExport | None:
    export = ReportExport.objects.filter(pk=export_id, status=ReportExport.Status.DONE).first()
    if export is None or not export.file:
        return None
    try:
        signing.TimestampSigner(salt=_SIGNER_SALT).unsign(
            f"{export.pk}:{export.file.name}:{signature}", max_age=settings.REPORTS_DOWNLOAD_URL_TTL_SECONDS)
    except signing.BadSignature:
        return None
    return export


# --- the sync key --------------------------------------------------------------------------

def enrollments_touch(*, enrollment_ids: Iterable[int] = (), user_ids: Iterable[int] = (),
                      course_id: int | None = None) -> int:
    """Bump ``updated_at`` of the enrollments whose report row shows something that just changed
    (a certificate, the learner's name or membership, the course title), so incremental sync sees it.

    Called inside the writer's transaction, so the change and the bump commit together.
    """
    now = timezone.now()
    count = 0
    enrollment_ids, user_ids = list(enrollment_ids), list(user_ids)
    if enrollment_ids:
        count += Enrollment.objects.filter(pk__in=enrollment_ids).update(updated_at=now)
    if user_ids:
        count += Enrollment.objects.filter(user_id__in=user_ids).update(updated_at=now)
    if course_id is not None:
        count += Enrollment.objects.filter(course_id=course_id).update(updated_at=now)
    return count


def people_changed(*, user_ids: list[int]) -> None:
    """Registered with ``lms.services.on_people_changed``: names, memberships, departments, managers."""
    enrollments_touch(user_ids=user_ids)

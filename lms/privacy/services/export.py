"""Writes of data exports: asking for one, building its ZIP from the registry, the mail with its link, expiry.

The archive holds exactly what the registry declares (lms/privacy/registry.py): for every declaration and
each of its paths to a person, the rows that are the subject's through that path, with the declared fields
only (links to other rows as ids, so nothing of another person on the same row comes along), the declared
files, and every export section's answer. exports.py writes it; this module feeds it.
"""
from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from lms.errors import Conflict
from lms.mail import mail_build, mail_language, site_link
from lms.models import Organization, User
from lms.privacy import exports, registry
from lms.privacy.errors import PrivacyErrorCode
from lms.privacy.models import DataExport
from lms.privacy.selectors.export import export_active_exists, export_download_path, export_link_days
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

BUILD_TASK = "lms.privacy_export_build"
_ROWS_CHUNK = 500


def _active_conflict() -> Conflict:
    return Conflict(pgettext("privacy export", "An export of this person is already being prepared; "
                             "wait until it is ready."), code=PrivacyErrorCode.EXPORT_ACTIVE)


@transaction.atomic
def export_request(*, actor: User, subject: User, organization: Organization | None = None) -> DataExport:
    """Ask for an export of ``subject``'s data (the caller already checked ``actor`` may); the build task runs
    after the commit. Conflict while another export of the person is pending or running."""
    if export_active_exists(subject=subject):
        raise _active_conflict()
    try:
        with transaction.atomic():
            export = DataExport.objects.create(subject=subject, requested_by=actor, organization=organization)
    except IntegrityError:  # another request won the race to the one-active constraint
        raise _active_conflict() from None
    export_id = export.pk
    transaction.on_commit(lambda: task_enqueue(BUILD_TASK, args=[export_id]))
    return export


# --- reading the registry -----------------------------------------------------------------------------------

def _domain_of(model: type[models.Model]) -> str:
    """``courses.enrollments`` for a model of courses/enrollments/models.py; ``lms`` for lms/models.py."""
    return model.__module__.rsplit(".models", 1)[0]


def _retention_days(retention: str) -> int | None:
    days = getattr(settings, "PRIVACY_RETENTION_DAYS", {}).get(retention)
    return int(days) if days is not None else None


class _FileQueue(list):
    """The archive's files in the order rows name them, each once (a row can be someone's through two paths)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def add(self, item: exports.ExportFile) -> None:
        if item.arcname not in self.seen:
            self.seen.add(item.arcname)
            self.append(item)


def _field_plan(model: type[models.Model], declaration: registry.Declaration) -> list[tuple[str, str, str]]:
    """(field, kind, column) for each declared field: "value" (read with the row), "file", "archive" (an
    earlier export's archive: this same data again, so it is named, never copied; copied, each archive would
    hold every earlier one), "many" (ids of a many-to-many), or "none" (not a column: exported as null)."""
    plan = []
    for name in declaration.field_names():
        model_field = model._meta.get_field(name)
        if model is DataExport and name == "file":
            plan.append((name, "archive", model_field.attname))
        elif isinstance(model_field, models.FileField):
            plan.append((name, "file", model_field.attname))
        elif getattr(model_field, "many_to_many", False) and model_field.concrete:
            plan.append((name, "many", name))
        elif isinstance(model_field, models.Field) and model_field.concrete:
            plan.append((name, "value", model_field.attname))
        else:
            plan.append((name, "none", name))
    return plan


def _declaration_rows(declaration: registry.Declaration, user: User,
                      files: _FileQueue) -> Iterator[dict[str, Any]]:
    """The rows of ``declaration`` that are ``user``'s, path by path, streamed; declared files go to ``files``."""
    model = declaration.model
    plan = _field_plan(model, declaration)
    columns = sorted({column for _, kind, column in plan if kind in ("value", "file", "archive")})
    manager = model._default_manager
    for path, row_rule in declaration.people.items():
        lookup: dict[str, Any] = {"pk": user.pk} if path == "pk" else {path: user}
        rows = manager.filter(**lookup).order_by("pk").distinct().values("pk", *columns)
        # A declaration's fields are the data of the people on its DELETE and SCRUB paths; a row that only
        # names the person (DETACH: the manager on a report's membership, the author of an announcement) is
        # listed by id, without the fields that belong to someone else.
        owned = row_rule != registry.Row.DETACH
        for values in rows.iterator(chunk_size=_ROWS_CHUNK):
            fields: dict[str, Any] = {}
            for name, kind, column in plan if owned else ():
                if kind == "value":
                    fields[name] = values[column]
                elif kind == "file":
                    fields[name] = _file_entry(model, name, values["pk"], values[column], files)
                elif kind == "archive":
                    fields[name] = pgettext("privacy export", "an earlier archive of this data (not copied again)") \
                        if values[column] else ""
                elif kind == "many":
                    fields[name] = [pk for pk in manager.filter(pk=values["pk"]).values_list(
                        f"{name}__pk", flat=True) if pk is not None]
                else:
                    fields[name] = None
            yield {"model": declaration.label, "id": values["pk"], "path": path, "fields": fields}


def _file_entry(model: type[models.Model], name: str, pk: Any, stored: str | None,
                files: _FileQueue) -> str:
    """The file's name inside the archive (queued in ``files``), or "" when the row has none."""
    if not stored:
        return ""
    storage = model._meta.get_field(name).storage  # type: ignore[union-attr]
    arcname = f"files/{model._meta.label}/{pk}/{exports.safe_name(os.path.basename(stored))}"
    files.add(exports.ExportFile(arcname=arcname, open=partial(storage.open, stored, "rb")))
    return arcname


def _domains(user: User, files: _FileQueue) -> list[exports.Domain]:
    grouped: dict[str, list[registry.Declaration]] = defaultdict(list)
    for declaration in registry.declarations().values():
        grouped[_domain_of(declaration.model)].append(declaration)
    domains = []
    for name in sorted(grouped):
        found = sorted(grouped[name], key=lambda d: d.label)
        described = [exports.DomainModel(
            label=d.label, purpose=d.purpose, retention=d.retention, retention_days=_retention_days(d.retention),
            paths=tuple(d.people), fields=tuple((f.name, f.what) for f in d.fields)) for d in found]
        rows = (row for d in found for row in _declaration_rows(d, user, files))
        domains.append(exports.Domain(name=name, models=described, rows=rows))
    return domains


def export_archive(*, user: User) -> exports.Archive:
    """What ``user``'s export holds, read lazily from the registry (the builder streams it)."""
    files = _FileQueue()
    return exports.Archive(
        heading=pgettext("privacy export", "Your data in {site}: {email}").format(site="Empathy LMS",
                                                                                  email=user.email),
        made_at=timezone.now(), domains=_domains(user, files), files=files,
        sections={name: partial(section, user) for name, section in registry.export_sections().items()})


# --- building, mailing, expiring ----------------------------------------------------------------------------

def _claim(export_id: int) -> DataExport | None:
    """Mark the export running; None unless it is pending (or running: a worker lost mid-build, run again)."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status not in DataExport.ACTIVE:
            return None
        export.status, export.started_at = DataExport.Status.RUNNING, timezone.now()
        export.save(update_fields=["status", "started_at"])
    return DataExport.objects.select_related("subject").get(pk=export_id)


def _write_zip(export: DataExport) -> tuple[str, int]:
    """Build the archive in a temporary file and store it: (storage name, bytes)."""
    subject = export.subject
    with tempfile.TemporaryFile() as handle:
        with translation.override(mail_language(subject.language)):
            exports.archive_write(handle, export_archive(user=subject))
        size = handle.tell()
        handle.seek(0)
        name = default_storage.save(f"exports/privacy/{export.pk}-{secrets.token_hex(16)}.zip", File(handle))
    return name, size


def export_build(*, export_id: int) -> DataExport | None:
    """Build the export's ZIP, mark it ready with its expiry and mail its subject the link. Safe to run twice:
    a ready export is not built again, and its mail goes once. A failure marks it failed (the person may ask
    again) and is logged."""
    export = _claim(export_id)
    if export is None:
        done = DataExport.objects.filter(pk=export_id).first()
        if done is not None and done.status == DataExport.Status.READY and done.emailed_at is None:
            export_send_ready_mail(export_id=export_id)
        return done
    try:
        name, size = _write_zip(export)
    except Exception:
        logger.exception("privacy export %s failed", export_id)
        DataExport.objects.filter(pk=export_id, status=DataExport.Status.RUNNING).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now())
        return DataExport.objects.get(pk=export_id)
    now = timezone.now()
    updated = DataExport.objects.filter(pk=export_id, status=DataExport.Status.RUNNING).update(
        status=DataExport.Status.READY, file=name, size=size, finished_at=now,
        expires_at=now + timedelta(days=export_link_days()))
    if not updated:  # another run finished first: its archive stands
        default_storage.delete(name)
    export_send_ready_mail(export_id=export_id)
    return DataExport.objects.get(pk=export_id)


def export_send_ready_mail(*, export_id: int) -> bool:
    """Mail the subject (only them: an admin who asked sees the status) the signed, expiring link, once. The
    claim (emailed_at) is written before sending and released if the mail server refuses."""
    claimed_at = timezone.now()
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.READY,
                                        emailed_at__isnull=True).update(emailed_at=claimed_at)
    if not claimed:
        return False
    export = DataExport.objects.select_related("subject").get(pk=export_id)
    subject = export.subject
    message = mail_build(
        template="mail/privacy_export_ready", to=subject.email, language=mail_language(subject.language),
        subject=_("Your data export is ready"),
        context={"name": subject.display_name, "download_url": site_link(export_download_path(export)),
                 "expires_at": export.expires_at, "privacy_url": site_link("/me/privacy/")})
    try:
        message.send()
    except Exception:
        DataExport.objects.filter(pk=export_id, emailed_at=claimed_at).update(emailed_at=None)
        raise
    return True

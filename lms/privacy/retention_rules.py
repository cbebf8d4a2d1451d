"""lms's retention rules: the privacy domain's own records (data exports, the access log, erasure records).

Their models come with other parts of the privacy work, so each rule is registered only when its model is
there (``apps.get_model`` raising LookupError means not yet), and it reads the model's date and file fields
from what the model has.
"""
from __future__ import annotations

import datetime

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lms.privacy.retention import retention_rule

DATE_FIELDS = ("created_at", "requested_at", "at")  # the first one a model has is its age
ACTIVE = ("pending", "running", "queued", "requested", "confirmed")  # work not finished is never expired


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _date_field(model: type[models.Model]) -> str | None:
    names = {f.name for f in model._meta.concrete_fields}
    return next((name for name in DATE_FIELDS if name in names), None)


def _file_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField))


def register_for(data_class: str, label: str, *, name) -> None:
    """Register the rule of model ``label`` when it exists: rows dated before the cutoff (not still at work)
    are deleted with their files."""
    model = _model(label)
    date_field = _date_field(model) if model is not None else None
    if model is None or date_field is None:
        return
    has_status = any(f.name == "status" for f in model._meta.concrete_fields)

    def expired(cutoff: datetime.datetime) -> QuerySet:
        rows = model._default_manager.filter(**{f"{date_field}__lt": cutoff})
        return rows.exclude(status__in=ACTIVE) if has_status else rows

    retention_rule(data_class, label=name, date_field=date_field, file_fields=_file_fields(model))(expired)


register_for("data_exports", "lms.DataExport", name=_("Personal data exports"))
register_for("access_log", "lms.AccessLogEntry", name=_("Access log"))
register_for("erasure_records", "lms.ErasureRecord", name=_("Erasure records"))

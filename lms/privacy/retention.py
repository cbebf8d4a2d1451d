"""Retention: each data class is kept for its days (lms/settings/privacy.py), then the retention task removes it.

A rule says, for one model of one data class, which rows have expired at a cutoff (``expired(cutoff)``, a
queryset) and what to do with them: delete the rows (the default), or keep the rows and only delete their
stored files (``keep_rows``: a scored role-play keeps its score and reviews, and loses its recording). A rule
whose data has its own upkeep (the reminder log drops whole monthly partitions) gives ``purge(now)`` instead.

Rules live beside their data: lms's in ``lms/privacy/retention_rules.py``, another app's in
``<app>/retention.py`` (found with ``autodiscover_modules("retention")``), so lms imports no other app.

The task works in batches: it selects at most PRIVACY_RETENTION_BATCH primary keys, acts on them in a
short transaction of their own (which re-checks the rule, so a row that changed meanwhile stays, and waits
at most a few seconds for a lock on PostgreSQL), deletes the batch's files once that transaction has
committed, and repeats until nothing is left or PRIVACY_RETENTION_MAX_BATCHES were done; the rest waits for
the next night. Nothing holds the whole set in memory.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

Expired = Callable[[datetime.datetime], QuerySet]
LOCK_TIMEOUT = "5s"  # how long a batch waits for a row lock another transaction holds (PostgreSQL)


@dataclass(frozen=True)
class RetentionRule:
    data_class: str
    label: Any  # a (lazy) translatable name for the admin page
    expired: Expired
    date_field: str  # the date the rule counts the age from (the admin page shows the oldest)
    file_fields: tuple[str, ...] = ()  # stored files deleted with the rows (or instead of them)
    keep_rows: bool = False  # True: the rows stay, their ``file_fields`` are deleted and cleared
    clear: tuple[tuple[str, Any], ...] = ()  # with keep_rows: other fields set with them (a file's type, size)
    purge: Callable[[datetime.datetime], int] | None = None  # a rule with its own upkeep: rows removed

    @property
    def model(self) -> type[models.Model]:
        return self.expired(timezone.now()).model


@dataclass(frozen=True)
class RulePreview:
    """What the next run of one rule would remove, for the admin page."""

    rule: RetentionRule
    period: datetime.timedelta
    cutoff: datetime.datetime
    count: int
    oldest: datetime.datetime | datetime.date | None


_rules: dict[tuple[str, str], RetentionRule] = {}


def retention_rule(data_class: str, *, label: Any, date_field: str, file_fields: Iterable[str] = (),
                   keep_rows: bool = False, clear: dict[str, Any] | None = None,
                   purge: Callable[[datetime.datetime], int] | None = None) -> Callable[[Expired], Expired]:
    """Register ``expired(cutoff) -> QuerySet`` as the rule of ``data_class`` for its model. A data class
    may have several rules (one per model); registering the same label again replaces the rule."""
    if data_class not in retention_classes():
        raise ValueError(f"{data_class!r} is not a retention data class (lms/settings/privacy.py).")
    files = tuple(file_fields)
    if keep_rows and not files:
        raise ValueError("A rule that keeps its rows must name the file fields it deletes.")

    def register(expired: Expired) -> Expired:
        _rules[(data_class, str(label))] = RetentionRule(
            data_class=data_class, label=label, expired=expired, date_field=date_field, file_fields=files,
            keep_rows=keep_rows, clear=tuple((clear or {}).items()), purge=purge)
        return expired

    return register


def retention_rule_by_age(data_class: str, model: type[models.Model], *, label: Any, date_field: str,
                          **options: Any) -> None:
    """The common rule: every row of ``model`` dated before the cutoff by ``date_field``, which is named
    once, so the age the admin page shows and the rows the task removes cannot disagree."""
    def expired(cutoff: datetime.datetime) -> QuerySet:
        return model._default_manager.filter(**{f"{date_field}__lt": cutoff})

    retention_rule(data_class, label=label, date_field=date_field, **options)(expired)


def _discover() -> None:
    import_module("lms.privacy.retention_rules")  # lms's own (lms.privacy stays import-free)
    autodiscover_modules("retention")


def retention_classes() -> list[str]:
    return [*settings.PRIVACY_RETENTION_DAYS, *settings.PRIVACY_RETENTION_HOURS]


def retention_rules() -> list[RetentionRule]:
    """Every rule, in the order of the data classes in the settings, then by label."""
    _discover()
    order = {name: index for index, name in enumerate(retention_classes())}
    return sorted(_rules.values(), key=lambda rule: (order[rule.data_class], str(rule.label)))


def retention_period(data_class: str) -> datetime.timedelta:
    if data_class in settings.PRIVACY_RETENTION_HOURS:
        return datetime.timedelta(hours=settings.PRIVACY_RETENTION_HOURS[data_class])
    return datetime.timedelta(days=settings.PRIVACY_RETENTION_DAYS[data_class])


def retention_cutoff(data_class: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """Rows of ``data_class`` dated before this have expired."""
    return (now or timezone.now()) - retention_period(data_class)


def _stored_files(rows: QuerySet, file_fields: tuple[str, ...]) -> list[tuple[Any, str]]:
    found = []
    for row in rows.only("pk", *file_fields):
        for name in file_fields:
            stored = getattr(row, name)
            if stored:
                found.append((stored.storage, stored.name))
    return found


def _files_delete(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # a file already gone, or a storage hiccup: the row no longer points to it
            logger.warning("privacy retention: could not delete stored file %s", name, exc_info=True)


def _batch_apply(rule: RetentionRule, pks: list[Any], cutoff: datetime.datetime) -> int:
    """Act on one batch in its own transaction; the batch's files go once it has committed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        rows = rule.expired(cutoff).filter(pk__in=pks)  # checked again: a row that changed meanwhile stays
        files = _stored_files(rows, rule.file_fields) if rule.file_fields else []
        if rule.keep_rows:
            done = rows.update(**{name: "" for name in rule.file_fields}, **dict(rule.clear))
        else:
            _, per_model = rows.delete()
            done = per_model.get(rows.model._meta.label, 0)
        transaction.on_commit(lambda: _files_delete(files))
    return done


def rule_apply(rule: RetentionRule, *, now: datetime.datetime, batch: int, max_batches: int) -> tuple[int, int]:
    """Apply one rule; (rows acted on, batches)."""
    cutoff = retention_cutoff(rule.data_class, now=now)
    if rule.purge is not None:
        return rule.purge(now), 1
    total = batches = 0
    while batches < max_batches:
        pks = list(rule.expired(cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            break
        total += _batch_apply(rule, pks, cutoff)
        batches += 1
        if len(pks) < batch:
            break
    return total, batches


def retention_run(*, now: datetime.datetime | None = None, batch: int | None = None,
                  max_batches: int | None = None) -> dict[str, dict[str, int]]:
    """Run every rule; per data class, the rows removed (or whose files were) and the batches it took. A rule
    that cannot get its locks in time is logged and left to the next run; the others go on."""
    now = now or timezone.now()
    batch = batch or settings.PRIVACY_RETENTION_BATCH
    max_batches = max_batches or settings.PRIVACY_RETENTION_MAX_BATCHES
    report: dict[str, dict[str, int]] = {}
    for rule in retention_rules():
        counts = report.setdefault(rule.data_class, {"rows": 0, "batches": 0, "failed": 0})
        try:
            rows, batches = rule_apply(rule, now=now, batch=batch, max_batches=max_batches)
        except OperationalError:
            logger.warning("privacy retention: %s (%s) left for the next run", rule.data_class, rule.model._meta.label,
                           exc_info=True)
            counts["failed"] += 1
            continue
        counts["rows"] += rows
        counts["batches"] += batches
    for data_class, counts in report.items():
        logger.info("privacy retention: %s: %d removed in %d batches", data_class, counts["rows"], counts["batches"],
                    extra={"data_class": data_class, **counts})
    return report


def retention_preview(*, now: datetime.datetime | None = None) -> list[RulePreview]:
    """For each rule: its period, its cutoff, how many rows the next run would act on and the oldest date."""
    now = now or timezone.now()
    previews = []
    for rule in retention_rules():
        cutoff = retention_cutoff(rule.data_class, now=now)
        rows = rule.expired(cutoff)
        summary = rows.order_by().aggregate(count=Count("pk"), oldest=Min(rule.date_field))
        previews.append(RulePreview(rule=rule, period=retention_period(rule.data_class), cutoff=cutoff,
                                    count=summary["count"], oldest=summary["oldest"]))
    return previews

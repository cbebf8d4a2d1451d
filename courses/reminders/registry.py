"""The source registry: each kind of reminder is one module in ``courses/reminders/sources/``.

A source is a subclass of ``ReminderSource`` decorated with ``@reminder_source``. It answers, in one
set-based query, which (recipient, subject, period) rows are due now for its kind, honouring the
per-organization and per-course policies it is handed; it loads what its messages need for a batch
of log rows in a constant number of queries; and it words its message in each language.

Adding a kind of the courses app is one new module in ``sources/``: the package imports every module
in it, so nothing else changes and no migration is needed. Another app (one that courses must not
import, such as assessments) registers its kinds in its own ``<app>/reminders.py``: the registry
imports that module of every installed app (as lms/reconciler.py does with ``reconcilers.py``), and
the app's ``ready()`` may import it too.
"""
from __future__ import annotations

import hashlib
import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.db.models import BigIntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils.module_loading import autodiscover_modules

from courses.reminders import sources as source_modules  # the package: one module per kind

LANGUAGES = ("en", "pt-br")
DIGEST = "digest"  # the daily digest that carries what the cap held back; not a source of its own


@dataclass(frozen=True)
class Rule:
    enabled: bool
    days: int


@dataclass
class KindPolicies:
    """The effective rules of one kind: default, per organization, per (organization, course)."""

    default: Rule
    by_org: dict[int, Rule] = field(default_factory=dict)
    by_course: dict[tuple[int, int], Rule] = field(default_factory=dict)

    def digest(self) -> str:
        """A digest of these rules: equal exactly when the rules are (an incremental sweep is valid only
        against a mark left by the same rules)."""
        rules = repr((self.default, sorted(self.by_org.items()), sorted(self.by_course.items())))
        return hashlib.sha256(rules.encode()).hexdigest()

    def q(self, condition, *, org_field: str, course_field: str | None) -> Q:
        """OR of ``condition(days)`` over the rules, each limited to where it applies: a course rule
        to its (organization, course), an organization rule to the rest of the organization, the
        default to everything else. The size of the filter grows with the number of policies, never
        with the number of rows."""
        terms = Q(pk__in=[])
        course_keys = self.by_course if course_field else {}
        for (org_id, course_id), rule in course_keys.items():
            if rule.enabled:
                terms |= Q(**{org_field: org_id, course_field: course_id}) & condition(rule.days)
        elsewhere = Q()
        for org_id, course_id in course_keys:
            elsewhere &= ~Q(**{org_field: org_id, course_field: course_id})
        for org_id, rule in self.by_org.items():
            if rule.enabled:
                terms |= Q(**{org_field: org_id}) & elsewhere & condition(rule.days)
        if self.default.enabled:
            rest = elsewhere
            if self.by_org:
                rest &= ~Q(**{f"{org_field}__in": list(self.by_org)})
            terms |= rest & condition(self.default.days)
        return terms


@dataclass(frozen=True)
class Message:
    """A source's wording of one reminder: subject, paragraphs, and the call to action."""

    subject: str
    paragraphs: list[str]
    action_label: str = ""
    action_url: str = ""
    items: list[str] = field(default_factory=list)


class ReminderSource:
    """Subclass per kind. Class attributes describe it; ``due`` selects; ``load`` and ``message`` word it."""

    kind: ClassVar[str]
    label: ClassVar[str]
    default_days: ClassVar[int]
    default_enabled: ClassVar[bool] = True
    days_help: ClassVar[str] = ""
    per_course: ClassVar[bool] = True  # policies per course apply (False: per organization only)
    needs_active_enrollment: ClassVar[bool] = True  # suppressed once the enrollment is completed/withdrawn
    # The field whose date (in the sweep's time zone, as ``date_period`` gives it) is the period, when it is
    # one: the sweep then leaves out periods older than the retention horizon by comparing that date, which
    # costs far less per row than reading the period's text (``sweep_insert.insert_due``).
    dated_by: ClassVar[str | None] = None
    swept: ClassVar[bool] = True  # False: sent only by hand (HR's nudge); the sweep never reads for it

    def due(self, *, now: datetime, policies: KindPolicies) -> QuerySet:
        """A ``values()`` queryset with exactly the columns ``recipient``, ``subject``, ``enrollment``,
        ``organization`` and ``period`` (see ``due_columns``): the reminders of this kind due now."""
        raise NotImplementedError

    def due_since(self, *, now: datetime, since: datetime, policies: KindPolicies) -> QuerySet | None:
        """The part of ``due(now)`` whose time came after ``since``: the rows due now that, with the data as
        it is now, were not due at ``since`` (``due(now)`` without ``due(since)``). None (the default): every
        sweep of the kind reads all of ``due``. Only for a kind whose rows are due by their data, the clock
        and the rules alone; the sweep's marks (services/sweep_marks.py) decide when ``since`` may be used."""
        return None

    def load(self, logs: list) -> dict[int, Any]:
        """What ``message`` needs for each log row of a batch, keyed by log id (constant queries)."""
        return {}

    def message(self, log, data: Any, language: str) -> Message:
        raise NotImplementedError


_registry: dict[str, ReminderSource] = {}
_discovered = False


def reminder_source(cls: type[ReminderSource]) -> type[ReminderSource]:
    _registry[cls.kind] = cls()
    return cls


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    for module in pkgutil.iter_modules(source_modules.__path__):
        importlib.import_module(f"{source_modules.__name__}.{module.name}")
    # Every installed app's ``reminders`` module (courses' own is this package): apps that depend on
    # courses add their kinds without courses importing them.

    autodiscover_modules("reminders")
    _discovered = True


def sources() -> dict[str, ReminderSource]:
    _discover()
    return dict(sorted(_registry.items()))


def source(kind: str) -> ReminderSource | None:
    _discover()
    return _registry.get(kind)


def configurable_kinds() -> list[str]:
    return list(sources())


def null_id() -> Cast:
    """A typed NULL for an id column (PostgreSQL will not insert an untyped NULL into bigint)."""

    return Cast(Value(None), BigIntegerField())


def due_columns(*, recipient, subject, enrollment, organization, period) -> dict:
    """The annotations every ``due`` queryset selects, under the names the sweep inserts."""
    return {"r_recipient": recipient, "r_subject": subject, "r_enrollment": enrollment,
            "r_organization": organization, "r_period": period}


DUE_COLUMNS = {"r_recipient": "recipient_id", "r_subject": "subject_id", "r_enrollment": "enrollment_id",
               "r_organization": "organization_id", "r_period": "period"}

"""Data generators for workloads: ``bulk_create`` in batches with a progress line; sizes are arguments.

They are idempotent: people are found by an email prefix and only the missing ones are created,
so a second run at the same size reuses the first run's rows. Raw tokens cannot be read back
from their digest, so ``tokens`` deletes the previous bench tokens of those people and issues
new ones with ``lms.services.user_token_create``.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from lms import services
from lms.models import ROLE_FIELDS, Department, Membership, Organization, User, UserToken

T = TypeVar("T")
BATCH = 1000
EMAIL_DOMAIN = "bench.example"
TOKEN_NAME = "bench"


class Progress:
    """``label  done/total  rate`` on one line of stderr, rewritten in place, finished with a newline."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = self.shown = time.monotonic()
        self._show(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._show(force=self.done >= self.total)

    def _show(self, *, force: bool = False) -> None:
        now = time.monotonic()
        finished = self.done >= self.total
        # On a terminal the line is rewritten in place; in a log only the finished line is written.
        if not (finished or (sys.stderr.isatty() and (force or now - self.shown >= 0.2))):
            return
        self.shown = now
        rate = self.done / max(now - self.started, 1e-9)
        line = f"  {self.label:<28} {self.done:>9,}/{self.total:,}  {rate:>9,.0f}/s"
        sys.stderr.write(("\r" + line if sys.stderr.isatty() else line) + ("\n" if finished else ""))
        sys.stderr.flush()


def batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def bulk(model: type, objects: Sequence, label: str, batch_size: int = BATCH) -> list:
    """``model.objects.bulk_create`` in batches with a progress line; returns the created rows."""
    progress = Progress(label, len(objects))
    created: list = []
    for chunk in batches(objects, batch_size):
        created.extend(model.objects.bulk_create(chunk))
        progress.advance(len(chunk))
    if created:
        analyze(model)
    return created


def analyze(model: type) -> None:
    """Fresh planner statistics after a bulk load: without them PostgreSQL plans the next query for the
    empty table it last measured (a nested loop over 100k x 12.5k rows, for one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def organization(slug: str = "bench-org", name: str = "Bench Org", departments: int = 4) -> Organization:
    org = Organization.objects.filter(slug=slug).first() or services.organization_create(slug=slug, name=name)
    have = set(Department.objects.filter(organization=org).values_list("name", flat=True))
    missing = [Department(organization=org, name=f"Department {i}", code=f"D{i}")
               for i in range(departments) if f"Department {i}" not in have]
    Department.objects.bulk_create(missing)
    return org


def people(org: Organization, count: int, *, prefix: str = "learner", roles: Sequence[str] = ("learner",),
           batch_size: int = BATCH) -> list[User]:
    """``count`` people ``<prefix>-<i>@bench.example``, each a member of ``org``; ordered by ``i``."""
    emails = [f"{prefix}-{i}@{EMAIL_DOMAIN}" for i in range(count)]
    existing = set(User.objects.filter(email__startswith=f"{prefix}-", email__endswith=f"@{EMAIL_DOMAIN}")
                   .values_list("email", flat=True))
    password = make_password(None)  # unusable; people in a bench sign in with tokens only
    bulk(User, [User(email=email, first_name=prefix.title(), last_name=str(i), password=password)
                for i, email in enumerate(emails) if email not in existing],
         f"users ({prefix})", batch_size)
    by_email: dict[str, User] = {}
    for chunk in batches(emails, 10_000):
        by_email.update((u.email, u) for u in User.objects.filter(email__in=chunk))
    users = [by_email[email] for email in emails]

    unknown = set(roles) - set(ROLE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    fields = {field: role in roles for role, field in ROLE_FIELDS.items()}
    departments = list(Department.objects.filter(organization=org).order_by("id"))
    members = set(Membership.objects.filter(organization=org).values_list("user_id", flat=True))
    bulk(Membership, [
        Membership(organization=org, user=user, employee_id=f"{prefix}-{i}",
                   department=departments[i % len(departments)] if departments else None, **fields)
        for i, user in enumerate(users) if user.pk not in members
    ], f"memberships ({prefix})", batch_size)
    return users


def tokens(users: Sequence[User], name: str = TOKEN_NAME) -> list[str]:
    """A fresh personal token for each user (``lms.services.user_token_create``); raw tokens in order."""
    UserToken.objects.filter(user__in=[u.pk for u in users], name=name).delete()
    progress = Progress("tokens", len(users))
    raws: list[str] = []
    for chunk in batches(users):
        with transaction.atomic():  # one commit per batch; user_token_create nests as a savepoint
            for user in chunk:
                raws.append(services.user_token_create(user=user, name=name)[1])
        progress.advance(len(chunk))
    return raws

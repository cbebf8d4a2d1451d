"""Where each kind's sweep left off, so the sweep every 15 minutes reads only what came due since.

A full sweep compares every due row with the log (an anti-join over every logged row of the kind within
retention: as many as the due rows on a fresh log, several times more once older periods accumulate, see
docs/reminder-log-growth.md); nearly all of them were logged by an earlier sweep. A sweep that committed
at moment T logged every row due at T. A row due now and not logged yet is then one whose time came after
T (a last activity or a due date crossing its number of days) or one that changed after T. So the next
sweep asks the source for those alone (``ReminderSource.due_since``: for the enrollment kinds, due now and
either not due at T or changed since, by the enrollment's ``updated_at``) and anti-joins only them.

What an incremental sweep does not see, and who catches it: a change that stamps no enrollment (an UPDATE
made in SQL behind the services' back; the services stamp an enrollment when its learner's membership, name
or manager changes too), a write committed more than an hour after it was stamped, a kind's condition
changed by a new release. The next full sweep logs such a row. Full sweeps run when a kind and scope has no
mark, when the kind's rules changed (their digest differs), when the clock went back, and at least every
REMINDER_FULL_SWEEP_HOURS (default 24; 0: every sweep is full). Such a reminder goes out up to that many
hours late, never twice: the unique key decides, as in a full sweep.

A mark is written in the transaction of its kind's insert, so it never claims rows that were rolled back.
Marks are per scope: "all" for a sweep of every organization, or the organization ids a sweep was limited to
(the sweep's plan runs one per organization), so the one sweep never skips what only the other logged.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

from courses.reminders.models import ReminderSweepMark

ALL = "all"


def sweep_scope(organization_ids: list[int | None] | None) -> str:
    """The scope a sweep's marks are kept under."""
    if organization_ids is None:
        return ALL
    return ",".join(sorted({"none" if i is None else str(int(i)) for i in organization_ids}))


@dataclass(frozen=True)
class Plan:
    """How one kind is swept: from ``since`` (incremental) or, when None, in full; ``full_at`` is the moment
    of the last full sweep the mark records (an incremental sweep keeps it)."""

    since: datetime.datetime | None
    digest: str
    full_at: datetime.datetime | None = None

    def full(self) -> Plan:
        return Plan(None, self.digest)


def sweep_plans(scope: str, digests: dict[str, str], *, now: datetime.datetime, full: bool = False) -> dict[str, Plan]:
    """Each kind's plan for a sweep at ``now`` over ``scope``, from its mark (one query for all kinds)."""
    hours = settings.REMINDER_FULL_SWEEP_HOURS
    marks = {mark.kind: mark for mark in ReminderSweepMark.objects.filter(scope=scope, kind__in=list(digests))}
    plans = {}
    for kind, digest in digests.items():
        mark = marks.get(kind)
        if (not full and hours > 0 and mark is not None and mark.policies == digest and mark.swept_until <= now
                and now - mark.full_at < datetime.timedelta(hours=hours)):
            plans[kind] = Plan(mark.swept_until, digest, mark.full_at)
        else:
            plans[kind] = Plan(None, digest)
    return plans


def sweep_mark(kind: str, scope: str, plan: Plan, *, now: datetime.datetime) -> None:
    """Record, in the caller's transaction after its insert, that the sweep of ``kind`` over ``scope`` at
    ``now`` logged what was due: one upsert. When two sweeps overlap, the one that commits last writes its
    moment, even an earlier one: a mark that goes back only makes the next window wider, never skips."""
    full_at = now if plan.since is None or plan.full_at is None else plan.full_at
    ReminderSweepMark.objects.bulk_create(
        [ReminderSweepMark(kind=kind, scope=scope, swept_until=now, full_at=full_at, policies=plan.digest)],
        update_conflicts=True, unique_fields=["kind", "scope"], update_fields=["swept_until", "full_at", "policies"])

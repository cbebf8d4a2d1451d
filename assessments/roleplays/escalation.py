"""The escalation chain of a role-play performance, pure functions (no database).

Every performance resolves by a date computed when it is submitted. The chain:

    peers        from submission to  submitted_at + 2 * review_days   (one period to be allocated, one to review)
    supervisor   the learner's manager,              ROLEPLAY_ESCALATION_STEP_DAYS more
    instructors  every instructor of the course,     ROLEPLAY_ESCALATION_STEP_DAYS more
    admins       the organization's admins,          ROLEPLAY_ESCALATION_STEP_DAYS more

so ``resolution due = submitted_at + 2 * review_days + 3 * step_days``. When a step ends with the
performance still unscored, the next step whose window is still open asks its group (a step with
nobody new to ask is skipped at once); when no step is left, the performance is finalized from the
reviews that exist (``final by deadline``, with its reviewer count) or closed unscored with a reason.
Skipping never moves a deadline later: the dates depend only on the submission and the settings.
"""
from __future__ import annotations

from datetime import datetime, timedelta

PEERS, SUPERVISOR, INSTRUCTORS, ADMINS, CLOSED = "peers", "supervisor", "instructors", "admins", "closed"
CHAIN = (PEERS, SUPERVISOR, INSTRUCTORS, ADMINS)


def escalation_schedule(submitted_at: datetime, *, review_days: int, step_days: int) -> list[tuple[str, datetime]]:
    """Each step of the chain with the moment it ends, in order."""
    if review_days < 1 or step_days < 1:
        raise ValueError("Review and step periods are at least one day.")
    ends = submitted_at + timedelta(days=2 * review_days)
    schedule = [(PEERS, ends)]
    for step in CHAIN[1:]:
        ends += timedelta(days=step_days)
        schedule.append((step, ends))
    return schedule


def performance_resolution_due(submitted_at: datetime, *, review_days: int, step_days: int) -> datetime:
    """The date by which a performance submitted at ``submitted_at`` is resolved, whatever happens."""
    return escalation_schedule(submitted_at, review_days=review_days, step_days=step_days)[-1][1]


def steps_still_open(schedule: list[tuple[str, datetime]], *, after: str, now: datetime) -> list[tuple[str, datetime]]:
    """The steps after ``after`` whose window has not ended at ``now`` (the candidates to escalate to)."""
    names = [name for name, _ in schedule]
    start = names.index(after) + 1 if after in names else len(names)
    return [(name, ends) for name, ends in schedule[start:] if ends > now]

"""The session roster as a CSV file: one row per learner, one column per part (formula-safe cells)."""
from __future__ import annotations

from collections.abc import Iterable

from courses.workshops.models import Registration, WorkshopSession
from lms.spreadsheets import csv_bytes


def roster_filename(session: WorkshopSession) -> str:
    return f"roster-session-{session.pk}.csv"


def roster_csv(session: WorkshopSession, registrations: Iterable[Registration]) -> bytes:
    parts = list(session.parts.all())
    header = ["ticket", "status", "email", "first_name", "last_name", "registered_at", "attendance",
              *[f"part {n} ({part.starts_at:%Y-%m-%d %H:%M} UTC)" for n, part in enumerate(parts, start=1)]]
    rows = []
    for registration in registrations:
        marks = {mark.part_id: mark.status for mark in registration.marks.all()}
        user = registration.user
        rows.append([registration.ticket, registration.status, user.email, user.first_name, user.last_name,
                     registration.registered_at.isoformat(), registration.attendance,
                     *[marks.get(part.pk, "") for part in parts]])
    return csv_bytes(header, rows)

"""When a reminder may go out: the recipient's quiet hours and days (their own choice, else their
organization's, else ours) in their time zone (their own if it is a real zone, else their organization's,
else the site's ``TIME_ZONE``)."""
from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from courses.reminders.models import NotificationPreference, ReminderLog
from lms.models import Organization, User

DEFAULT_QUIET = (datetime.time(21, 0), datetime.time(8, 0), [6, 7])


DEFAULT_CAP = 3


@dataclass
class Window:
    tz: zoneinfo.ZoneInfo
    quiet_start: datetime.time
    quiet_end: datetime.time
    quiet_days: list[int]
    cap: int


def _zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name or not isinstance(name, str):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _zone(*names: str | None) -> zoneinfo.ZoneInfo:
    """The first of ``names`` that is a real IANA zone, else the site's (``TIME_ZONE``), else UTC."""
    for name in (*names, settings.TIME_ZONE):
        zone = _zone_or_none(name)
        if zone is not None:
            return zone
    return zoneinfo.ZoneInfo("UTC")


def zone_for(user: User, organization: Organization | None) -> zoneinfo.ZoneInfo:
    """The person's zone if it is a real one, else their organization's, else the site's."""
    return _zone(user.timezone, organization.timezone if organization else None)


def window_for(user: User, organization: Organization | None, preference: NotificationPreference | None) -> Window:
    org_settings = getattr(organization, "reminder_settings", None) if organization else None
    start, end, days = ((org_settings.quiet_start, org_settings.quiet_end, org_settings.quiet_days)
                        if org_settings else DEFAULT_QUIET)
    if preference is not None:
        start = preference.quiet_start or start
        end = preference.quiet_end or end
        days = preference.quiet_days if preference.quiet_days is not None else days
    tz = zone_for(user, organization)
    return Window(tz, start, end, list(days or []), org_settings.daily_cap if org_settings else DEFAULT_CAP)


def _in_quiet_hours(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # across midnight


def next_allowed(now: datetime.datetime, window: Window) -> datetime.datetime | None:
    """None if a reminder may go out at ``now``; else the first moment it may, in UTC. Quiet hours and
    days are read in the recipient's time zone."""
    local = now.astimezone(window.tz)
    moved = False
    for _ in range(16):
        if local.isoweekday() in window.quiet_days:
            local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            moved = True
            continue
        if _in_quiet_hours(local.time(), window.quiet_start, window.quiet_end):
            end = local.replace(hour=window.quiet_end.hour, minute=window.quiet_end.minute, second=0, microsecond=0)
            if end <= local:
                end += timedelta(days=1)
            local = end
            moved = True
            continue
        break
    return local.astimezone(datetime.UTC) if moved else None


@dataclass
class Plan:
    """What to do with one person's pending rows now: send these, defer those (by the moment they may
    go), fold the rest into a digest for ``period`` of ``organization_id``."""

    send: list[int] = field(default_factory=list)
    deferred: dict[datetime.datetime, list[int]] = field(default_factory=dict)
    folded: list[int] = field(default_factory=list)
    period: str = ""
    organization_id: int | None = None


def recipient_plan(rows: list[tuple[ReminderLog, Window]], claimed: list[datetime.datetime], *,
                   now: datetime.datetime, digest_kind: str) -> Plan:
    """Decide one person's rows, each with the window of its own organization (and the person's choices).

    Quiet hours and days: each row by its own window. The daily cap: the person's messages claimed on
    the local day, from every organization, against the strictest cap among the rows that may go now,
    read in that row's zone. Digest rows were counted when folded; when more are due than there is room
    for, the first go alone and the rest are folded into one digest, which is one of the N."""
    plan = Plan()
    ready = []
    for row, window in rows:
        later = next_allowed(now, window)
        if later is None:
            ready.append((row, window))
        else:
            plan.deferred.setdefault(later, []).append(row.pk)
    if not ready:
        return plan
    strictest = min((window for _row, window in ready), key=lambda window: window.cap)  # the first of equals
    today = now.astimezone(strictest.tz).date()
    used = sum(1 for moment in claimed if moment.astimezone(strictest.tz).date() == today)
    digests = [row.pk for row, _window in ready if row.kind == digest_kind]
    plan.send.extend(digests)
    own = [(row, window) for row, window in ready if row.kind != digest_kind]
    room = strictest.cap - used - len(digests)
    if not own:
        return plan
    if room <= 0:
        tomorrow = datetime.datetime.combine(today + timedelta(days=1), datetime.time(0), tzinfo=strictest.tz)
        for row, window in own:
            moment = next_allowed(tomorrow, window) or tomorrow.astimezone(datetime.UTC)
            plan.deferred.setdefault(moment, []).append(row.pk)
    elif len(own) <= room:
        plan.send.extend(row.pk for row, _window in own)
    else:
        plan.send.extend(row.pk for row, _window in own[:room - 1])
        plan.folded = [row.pk for row, _window in own[room - 1:]]
        plan.period, plan.organization_id = today.isoformat(), own[0][0].organization_id
    return plan

"""When a reminder may go out: the recipient's quiet hours and days (their own choice, else their
organization's, else ours) in their time zone (their own if it is a real zone, else their organization's,
else the site's ``TIME_ZONE``)."""
from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from courses.reminders.models import NotificationPreference
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

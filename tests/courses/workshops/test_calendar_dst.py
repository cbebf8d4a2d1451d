"""Calendar times around daylight-saving fall-backs, for every IANA zone that repeats wall-clock times.

The calendar builder runs on in-memory sessions (no database): for each zone and each transition in
2026-2027 where the UTC offset drops, a session has parts in the first and in the second occurrence
of the repeated wall time, and every DTSTART/DTEND must read back as exactly the stored instant with
two independent readers: icalendar, and a minimal RFC 5545 reading of the raw line with dateutil.
"""
from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, datetime, timedelta, tzinfo

import icalendar
from dateutil import parser as dateutil_parser
from dateutil import tz as dateutil_tz

from courses.catalog.models import Activity
from courses.workshops.calendars import SessionEntry, build_calendar, session_ics
from courses.workshops.models import SessionPart, Workshop, WorkshopSession

START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)


def _offset(zone: tzinfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def fall_backs(name: str) -> list[tuple[datetime, timedelta]]:
    """(first instant with the new offset, how much wall time repeats) for each drop of the offset."""
    zone = zoneinfo.ZoneInfo(name)
    found = []
    day = START
    while day < END:
        after = day + timedelta(days=1)
        before_offset, after_offset = _offset(zone, day), _offset(zone, after)
        if after_offset < before_offset:
            low, high = day, after  # offset(low) is the old one, offset(high) the new one
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle == low:
                    break
                low, high = (middle, high) if _offset(zone, middle) == before_offset else (low, middle)
            found.append((high, before_offset - after_offset))
        day = after
    return found


@functools.cache
def every_fall_back() -> list[tuple[str, datetime, timedelta]]:
    """(zone, moment, repeat) for every zone; computed once, when a test first asks, not at collection."""
    return [(name, moment, repeat) for name in sorted(zoneinfo.available_timezones())
            for moment, repeat in fall_backs(name)]


def test_the_scan_finds_the_known_fall_backs():
    found = every_fall_back()
    zones = {name for name, _moment, _repeat in found}
    assert {"America/New_York", "Europe/Lisbon", "Australia/Lord_Howe"} <= zones
    assert "America/Sao_Paulo" not in zones  # no daylight saving any more
    by_zone = {(name, moment): repeat for name, moment, repeat in found}
    assert by_zone[("America/New_York", datetime(2026, 11, 1, 6, tzinfo=UTC))] == timedelta(hours=1)
    assert by_zone[("Europe/Lisbon", datetime(2026, 10, 25, 1, tzinfo=UTC))] == timedelta(hours=1)
    lord_howe = [repeat for name, _moment, repeat in found if name == "Australia/Lord_Howe"]
    assert lord_howe and set(lord_howe) == {timedelta(minutes=30)}


def in_memory_session(zone: str, parts: list[tuple[datetime, datetime]]) -> WorkshopSession:
    activity = Activity(pk=1, title="Live practice", kind=Activity.Kind.WORKSHOP)
    workshop = Workshop(pk=1, activity=activity, description="Practise hard calls.")
    session = WorkshopSession(pk=1, workshop=workshop, timezone=zone, capacity=10, uid="0" * 32,
                              venue="Room 1")
    session._prefetched_objects_cache = {"instructors": [], "parts": [  # type: ignore[attr-defined]
        SessionPart(pk=number, session=session, starts_at=start, ends_at=end)
        for number, (start, end) in enumerate(parts, start=1)]}
    return session


def rfc5545_read(ics: bytes, name: str) -> list[datetime]:
    """Every `name` value of the VEVENTs, read as RFC 5545 3.3.5 says: `...Z` is UTC; a local time
    with TZID is in that zone, and a local time that occurs twice means its first occurrence.
    Uses dateutil's parser and dateutil's own zone database, not zoneinfo or icalendar."""
    unfolded = re.sub(rb"\r\n[ \t]", b"", ics).decode()
    values = []
    in_event = False
    for line in unfolded.split("\r\n"):
        in_event = in_event or line == "BEGIN:VEVENT"
        in_event = in_event and line != "END:VEVENT"
        match = re.fullmatch(rf"{name}(;TZID=([^:;]+))?:(\d{{8}}T\d{{6}}Z?)", line) if in_event else None
        if not match:
            continue
        _params, tzid, value = match.groups()
        moment = dateutil_parser.isoparse(value.removesuffix("Z"))
        if value.endswith("Z"):
            values.append(moment.replace(tzinfo=UTC))
        else:
            assert tzid, f"floating time {line!r}"
            values.append(moment.replace(tzinfo=dateutil_tz.gettz(tzid), fold=0).astimezone(UTC))
    return values


def read_back(ics: bytes) -> dict[str, list[datetime]]:
    calendar = icalendar.Calendar.from_ical(ics)
    found = {}
    for name in ("DTSTART", "DTEND"):
        by_icalendar = [event.decoded(name).astimezone(UTC) for event in calendar.walk("VEVENT")]
        assert by_icalendar == rfc5545_read(ics, name), name
        found[name] = by_icalendar
    return found


def parts_around(zone: str, moment: datetime, repeat: timedelta) -> list[tuple[datetime, datetime]]:
    """Parts in and around the wall time that `moment` (a fall-back) repeats."""
    half = repeat / 2
    second = moment + half  # in the repeated wall time, after the change
    first = moment - half  # the same wall time, before the change
    tz = zoneinfo.ZoneInfo(zone)
    assert second.astimezone(tz).replace(tzinfo=None, fold=0) == first.astimezone(tz).replace(tzinfo=None, fold=0)
    return [(moment - timedelta(hours=5), moment - timedelta(hours=4)),  # plain local times
            (second, second + timedelta(hours=2)),  # starts in the second occurrence
            (first, first + timedelta(hours=3)),  # starts in the first occurrence
            (first, second),  # the same wall time at both ends
            (moment - timedelta(hours=3), first + timedelta(minutes=1))]  # ends in the first occurrence


def test_every_repeated_wall_time_reads_back_as_the_stored_instant():
    """One session per zone holding the parts around all its fall-backs, one test for all zones
    (about 200 zones, 400 fall-backs), not one test each: a few seconds in all."""
    by_zone: dict[str, list[tuple[datetime, datetime]]] = {}
    for zone, moment, repeat in every_fall_back():
        by_zone.setdefault(zone, []).extend(parts_around(zone, moment, repeat))
    wrong = []
    for zone, parts in by_zone.items():
        stored = {"DTSTART": [start for start, _end in parts], "DTEND": [end for _start, end in parts]}
        try:
            read = read_back(session_ics(in_memory_session(zone, parts)))
        except AssertionError as error:  # the two readers disagree
            wrong.append((zone, str(error).splitlines()[0]))
            continue
        if read != stored:
            wrong.append((zone, [(f"{start:%Y-%m-%d %H:%M}", f"{read_start:%H:%M}")
                                 for start, read_start in zip(stored["DTSTART"], read["DTSTART"], strict=True)
                                 if start != read_start] or "DTEND differs"))
    assert wrong == [], f"{len(wrong)} of {len(by_zone)} zones read back wrong"


def test_new_york_second_one_thirty_is_written_in_utc():
    session = in_memory_session("America/New_York", [(datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
                                                      datetime(2026, 11, 1, 8, tzinfo=UTC))])
    ics = session_ics(session)
    assert b"DTSTART:20261101T063000Z" in ics and b"DTEND:20261101T080000Z" in ics
    assert b"VTIMEZONE" not in ics  # nothing refers to it


def test_unambiguous_times_keep_the_session_zone():
    session = in_memory_session("Europe/Lisbon", [(datetime(2026, 10, 24, 9, tzinfo=UTC),
                                                   datetime(2026, 10, 24, 11, tzinfo=UTC)),
                                                  (datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                                                   datetime(2026, 10, 25, 3, tzinfo=UTC))])
    ics = session_ics(session)
    assert b"DTSTART;TZID=Europe/Lisbon:20261024T100000" in ics
    assert b"DTEND;TZID=Europe/Lisbon:20261024T120000" in ics
    assert b"DTSTART:20261025T013000Z" in ics and b"DTEND:20261025T030000Z" in ics
    assert ics.count(b"BEGIN:VTIMEZONE") == 1


def test_a_feed_of_several_zones_reads_back():
    sessions = [in_memory_session("Australia/Lord_Howe", [(datetime(2026, 4, 4, 15, 15, tzinfo=UTC),
                                                           datetime(2026, 4, 4, 16, tzinfo=UTC))]),
                in_memory_session("America/Sao_Paulo", [(datetime(2026, 11, 1, 4, 30, tzinfo=UTC),
                                                         datetime(2026, 11, 1, 6, tzinfo=UTC))])]
    ics = build_calendar([SessionEntry(session=s, sequence=0, cancelled=False) for s in sessions], name="Feed")
    assert read_back(ics)["DTSTART"] == [datetime(2026, 4, 4, 15, 15, tzinfo=UTC),
                                         datetime(2026, 11, 1, 4, 30, tzinfo=UTC)]
    assert b"DTSTART;TZID=America/Sao_Paulo:20261101T013000" in ics

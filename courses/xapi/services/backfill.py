"""Backfill: the statements of history that happened before the LRS was configured (or while statements
were not recorded). Every statement's id is derived from its event, so running it again, or over events
already sent, writes nothing twice.

Other apps add their history through ``backfill_source`` (assessments: quiz attempts, role-plays), so
courses never imports them."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial

from django.db import transaction

from courses.certificates.models import Certificate
from courses.enrollments.models import ActivityProgress, Enrollment
from courses.workshops.models import RegistrationEvent
from courses.xapi.models import XapiStatement
from courses.xapi.services import events
from lms.models import Organization

Step = Callable[[], XapiStatement | int | None]  # a row written, a count, or None
Source = Callable[[Organization, datetime | None], Iterator[Step]]

_sources: list[Source] = []
CHUNK = 200  # statements written per transaction


def backfill_source(func: Source) -> Source:
    """Add ``func(organization, since)``, yielding callables that each record one event's statements."""
    if func not in _sources:
        _sources.append(func)
    return func


def _since(queryset, field: str, since: datetime | None):
    return queryset.filter(**{f"{field}__gte": since}) if since else queryset


@backfill_source
def _course_history(organization: Organization, since: datetime | None) -> Iterator[Step]:
    enrollments = Enrollment.objects.filter(organization=organization).select_related("course", "user")
    for enrollment in _since(enrollments, "enrolled_at", since).order_by("id").iterator(chunk_size=CHUNK):
        yield partial(events.xapi_enrollment_registered, enrollment=enrollment)
    progress = ActivityProgress.objects.filter(enrollment__organization=organization, activity__kind="lesson"
                                               ).select_related("enrollment__course", "enrollment__user", "activity")
    for row in _since(progress, "last_seen_at", since).order_by("id").iterator(chunk_size=CHUNK):
        yield partial(events.xapi_lesson_launched, progress=row)
        yield partial(events.xapi_lesson_experienced, progress=row)
    registrations = RegistrationEvent.objects.filter(registration__enrollment__organization=organization
                                                     ).select_related("registration__enrollment__course",
                                                                      "registration__enrollment__user",
                                                                      "registration__session__workshop__activity")
    for event in _since(registrations, "at", since).order_by("id").iterator(chunk_size=CHUNK):
        yield partial(events.xapi_registration_event_record, event=event)
    completed = enrollments.filter(completed_at__isnull=False)
    for enrollment in _since(completed, "completed_at", since).order_by("id").iterator(chunk_size=CHUNK):
        yield partial(events.xapi_enrollment_completed, enrollment=enrollment)
    certificates = Certificate.objects.filter(enrollment__organization=organization).select_related(
        "enrollment__course", "enrollment__user")
    for certificate in _since(certificates, "issued_at", since).order_by("id").iterator(chunk_size=CHUNK):
        yield partial(events.xapi_certificate_earned, certificate=certificate)


def xapi_backfill(*, organization: Organization, since: datetime | None = None) -> int:
    """Write the missing statements of the organization's history (from ``since``); returns how many.
    Nothing is written when the organization has no active LRS endpoint."""
    written = 0
    for source in _sources:
        pending: list[Step] = []
        for step in source(organization, since):
            pending.append(step)
            if len(pending) >= CHUNK:
                written += _run(pending)
                pending = []
        written += _run(pending)
    return written


def _run(steps: list[Step]) -> int:
    with transaction.atomic():
        return sum(_count(step()) for step in steps)


def _count(outcome: XapiStatement | int | None) -> int:
    if outcome is None:
        return 0
    return outcome if isinstance(outcome, int) else 1

"""HR's "remind now" (``courses/reminders/sources/hr_nudge.py``): at most one per learner per day, logged
in the reminder log and HR's audit log, sent by the normal worker path (``courses.reminders_send``)."""
from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.enrollments.models import Enrollment
from courses.hr_reports.models import ReportAuditEntry
from courses.hr_reports.services.exports import report_audit_record
from courses.reminders.errors import ReminderErrorCode
from courses.reminders.models import ReminderLog
from courses.reminders.sources.hr_nudge import KIND
from lms.errors import ApplicationError
from lms.models import Organization
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)


def overdue_enrollment(*, organization: Organization, user_id: int,
                       now: datetime.datetime) -> Enrollment | None:
    """The learner's most overdue active enrollment taken for ``organization``."""
    return (Enrollment.objects.filter(organization=organization, user_id=user_id, status=Enrollment.Status.ACTIVE,
                                      due_at__lt=now).order_by("due_at", "id").first())


def reminder_hr_nudge(*, actor: Any, organization: Organization, user_id: int,
                      now: datetime.datetime | None = None) -> tuple[ReminderLog, bool]:
    """Log (and queue) today's reminder to a learner with an overdue course; (the row, False) when one
    was already logged today. 422 ``nothing_overdue`` when the learner has no overdue course here."""
    now = now or timezone.now()
    enrollment = overdue_enrollment(organization=organization, user_id=user_id, now=now)
    if enrollment is None:
        raise ApplicationError("This person has no overdue course in this organization.",
                               code=ReminderErrorCode.NOTHING_OVERDUE)
    key = {"recipient_id": user_id, "kind": KIND, "subject_id": user_id, "period": now.date().isoformat()}
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = ReminderLog.objects.create(**key, enrollment=enrollment, organization=organization,
                                                 created_at=now, not_before=now)
        except IntegrityError:  # sent today already (or a second click racing the first)
            return ReminderLog.objects.get(**key), False
        report_audit_record(actor=actor, kind=ReportAuditEntry.Kind.REMINDER, organization=organization,
                            format="email", filters={"learner": user_id, "enrollment": enrollment.pk})
        log_id = log.pk
        transaction.on_commit(lambda: _enqueue(log_id))
    return log, True


def _enqueue(log_id: int) -> None:
    try:
        task_enqueue("courses.reminders_send", args=[[log_id]], retry=False)
    except Exception:  # the broker is down: the row stays pending and the next dispatch sends it
        logger.warning("could not enqueue HR reminder %s; the next dispatch will", log_id, exc_info=True)

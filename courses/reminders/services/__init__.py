"""Reminders: the sweep (select set-based, log before sending), the dispatch (suppress, defer, cap,
fold), the send (claim, render, deliver, retry or fail), preferences, policies and unsubscribing.

At most once rests on the database: a log row per (recipient, kind, subject, period) under a unique
constraint is inserted before anything is sent (concurrent sweeps insert it once), and a worker
sends only rows it moved from pending to sending itself (a twice-delivered task claims nothing), one
row at a time, just before handing it to the mail server. A row left in ``sending`` by a killed worker
(the one message in flight) is never retried: we cannot know whether it left; the rest of its batch
is still pending and goes out with the next sweep.
"""
from __future__ import annotations

import datetime
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

import courses.reminders.log_storage as log_storage
from courses.catalog.models import Course
from courses.errors import CoursesError, CoursesErrorCode
from courses.reminders.delivery import (
    smtp_abandon,
    smtp_close_quietly,
    smtp_data,
    smtp_envelope,
    smtp_failure,
    smtp_live,
    smtp_open,
)
from courses.reminders.errors import ReminderErrorCode
from courses.reminders.messages import (
    ALL_KINDS,
    UNSUBSCRIBE_SALT,
    reminder_email_build,
    reminder_messages_render,
    reminder_templates,
)
from courses.reminders.models import NotificationPreference, ReminderLog, ReminderPolicy, ReminderSettings
from courses.reminders.registry import DIGEST, source, sources
from courses.reminders.services.claim import reminder_claim, reminder_record_sent
from courses.reminders.services.policies import effective_policies
from courses.reminders.services.sweep_insert import insert_due as _insert_due
from courses.reminders.services.sweep_insert import sweep_memory
from courses.reminders.services.sweep_marks import sweep_mark, sweep_plans, sweep_scope
from courses.reminders.windows import recipient_plan, window_for
from lms.errors import NotFound
from lms.models import PLACEHOLDER_DOMAIN, Organization, User
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

Status = ReminderLog.Status


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- the sweep ------------------------------------------------------------------------------------

def reminders_select(*, now: datetime.datetime | None = None, kinds: list[str] | None = None,
                     organization_ids: list[int | None] | None = None, full: bool = False) -> dict[str, int]:
    """Log every reminder due now, one INSERT ... SELECT per kind; {kind: rows inserted}. Only those of
    ``organization_ids`` when given (None in it: reminders of no organization). A kind swept before reads
    only the rows whose time came since, unless ``full`` or its mark asks for a full sweep (sweep_marks)."""
    now = now or timezone.now()
    policies = effective_policies()
    with connection.cursor() as cursor:  # the partitions this sweep may write into (one catalog read)
        log_storage.partitions_ensure(cursor, ReminderLog._meta.db_table, log_storage.wanted_months(
            now, _setting("REMINDER_LOG_RETENTION_DAYS", 400)))
    swept = {kind: src for kind, src in sources().items() if src.swept and (kinds is None or kind in kinds)}
    scope = sweep_scope(organization_ids)
    plans = sweep_plans(scope, {kind: policies[kind].digest() for kind in swept}, now=now, full=full)
    inserted = {}
    with sweep_memory():
        for kind, src in swept.items():
            plan = plans[kind]
            due = None if plan.since is None else src.due_since(now=now, since=plan.since, policies=policies[kind])
            if due is None:  # a full sweep (a kind without ``due_since`` always is one)
                plan, due = plan.full(), src.due(now=now, policies=policies[kind])
            if organization_ids is not None:
                limit = Q(r_organization__in=[i for i in organization_ids if i is not None])
                due = due.filter(limit | Q(r_organization__isnull=True) if None in organization_ids else limit)
            with transaction.atomic():
                inserted[kind] = _insert_due(due, kind=kind, now=now, dated_by=src.dated_by,
                                             few=plan.since is not None)
                sweep_mark(kind, scope, plan, now=now)
    return inserted


def reminders_sweep(*, now: datetime.datetime | None = None, organization_ids: list[int | None] | None = None) -> dict:
    """A sweep of every organization, or of ``organization_ids`` (the long queue runs one per organization
    in parallel): select and log what is due, then dispatch pending rows to senders; an organization's
    sweep dispatches only when it logged something (the sweep's plan dispatches the deferred rows)."""
    now = now or timezone.now()
    inserted = reminders_select(now=now, organization_ids=organization_ids)
    if organization_ids is not None and not any(inserted.values()):
        return {"inserted": inserted}
    return {"inserted": inserted, **reminders_dispatch(now=now)}


# --- dispatch: suppression, quiet hours, the daily cap and the digest ----------------------------


def _suppression(log: ReminderLog, preference: NotificationPreference | None) -> str:
    address = (log.recipient.email or "").strip()
    if not address or address.endswith("@" + PLACEHOLDER_DOMAIN):  # the backend would drop it; we'd log it sent
        return "no email address"
    if not log.recipient.is_active:
        return "account deactivated"
    if log.enrollment_id is not None and log.enrollment is None:  # deleted since (no database constraint)
        return "enrollment deleted"
    if preference is not None:
        if preference.paused_at is not None:
            return "address paused after a permanent delivery failure"
        if not preference.email_enabled:
            return "opted out of all reminders"
        if log.kind in (preference.disabled_kinds or []):
            return f"opted out of {log.kind}"
    src = source(log.kind)
    if src is not None and src.needs_active_enrollment and log.enrollment is not None \
            and log.enrollment.status != "active":
        return f"enrollment {log.enrollment.status}"
    return ""


def _preference(user: User) -> NotificationPreference | None:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None


def _pending_rows(*, now: datetime.datetime, batch: int) -> list[ReminderLog]:
    """Up to ``batch`` pending rows that may go now, oldest first, with what dispatch reads of them."""
    # Ids first, walking the partial index of pending rows, then the rows with their joins: joining
    # before the LIMIT would make PostgreSQL join and sort every pending row when its statistics lag.
    ids = list(ReminderLog.objects.filter(status=Status.PENDING, not_before__lte=now)
               .order_by("not_before", "id").values_list("pk", flat=True)[:batch])
    return list(
        ReminderLog.objects.filter(pk__in=ids)
        .select_related("recipient__notification_preference", "organization__reminder_settings", "enrollment")
        .order_by("not_before", "id")
    ) if ids else []


def _claimed_recently(*, recipients: set[int], now: datetime.datetime) -> dict[int, list[datetime.datetime]]:
    """When each recipient's recent messages were claimed: what counts against today's cap in their zone."""
    claimed: dict[int, list[datetime.datetime]] = {}
    for recipient_id, claimed_at in ReminderLog.objects.filter(
            recipient_id__in=recipients, status__in=[Status.SENDING, Status.SENT],
            claimed_at__gte=now - timedelta(hours=50)).values_list("recipient_id", "claimed_at"):
        if claimed_at is not None:  # always, given the filter; the column itself is nullable
            claimed.setdefault(recipient_id, []).append(claimed_at)
    return claimed


def _decisions_write(*, suppressed: dict[str, list[int]], deferred: dict[datetime.datetime, list[int]],
                     folded: dict[str, list[int]], digests: list[ReminderLog]) -> list[int]:
    """One grouped UPDATE per reason, deferral instant and digest day; the ids of the new digests to send."""
    pending = Q(status=Status.PENDING)
    for reason, ids in suppressed.items():
        ReminderLog.objects.filter(pending, pk__in=ids).update(status=Status.SUPPRESSED, detail=reason[:500])
    for moment, ids in deferred.items():
        ReminderLog.objects.filter(pending, pk__in=ids).update(not_before=moment, detail="deferred: quiet time or "
                                                               "daily cap")
    if not digests:
        return []
    ReminderLog.objects.bulk_create(digests, ignore_conflicts=True)
    for period, ids in folded.items():
        ReminderLog.objects.filter(pending, pk__in=ids).update(status=Status.FOLDED, digest_period=period)
    return list(ReminderLog.objects.filter(
        pending, kind=DIGEST, recipient_id__in={d.recipient_id for d in digests},
        period__in={d.period for d in digests}).values_list("pk", flat=True))


def reminders_dispatch(*, now: datetime.datetime | None = None, batch: int | None = None) -> dict:
    """Decide, for pending rows that may go now, to suppress, defer, send, or fold into a digest, and
    nudge senders. A constant number of queries per batch, whatever its size: the grouped updates
    are one per distinct reason, deferral instant or digest day."""
    now = now or timezone.now()
    rows = _pending_rows(now=now, batch=batch or _setting("REMINDER_DISPATCH_BATCH", 5000))
    if not rows:
        return {"sent": 0, "deferred": 0, "suppressed": 0, "folded": 0}
    claimed_recently = _claimed_recently(recipients={row.recipient_id for row in rows}, now=now)

    suppressed: dict[str, list[int]] = {}
    deferred: dict[datetime.datetime, list[int]] = {}
    folded: dict[str, list[int]] = {}
    digests: list[ReminderLog] = []
    to_send: list[int] = []
    by_recipient: dict[int, list[ReminderLog]] = {}
    for row in rows:
        reason = _suppression(row, _preference(row.recipient))
        if reason:
            suppressed.setdefault(reason, []).append(row.pk)
        else:
            by_recipient.setdefault(row.recipient_id, []).append(row)

    for recipient_id, own in by_recipient.items():
        preference = _preference(own[0].recipient)
        plan = recipient_plan([(row, window_for(row.recipient, row.organization, preference)) for row in own],
                              claimed_recently.get(recipient_id, []), now=now, digest_kind=DIGEST)
        to_send.extend(plan.send)
        for moment, ids in plan.deferred.items():
            deferred.setdefault(moment, []).extend(ids)
        if plan.folded:
            folded.setdefault(plan.period, []).extend(plan.folded)
            digests.append(ReminderLog(recipient_id=recipient_id, kind=DIGEST, subject_id=recipient_id,
                                       period=plan.period, organization_id=plan.organization_id, created_at=now,
                                       not_before=now))

    to_send.extend(_decisions_write(suppressed=suppressed, deferred=deferred, folded=folded, digests=digests))
    _enqueue_send(to_send)
    return {"sent": len(to_send), "deferred": sum(map(len, deferred.values())),
            "suppressed": sum(map(len, suppressed.values())), "folded": sum(map(len, folded.values()))}


def _enqueue_send(ids: list[int], countdown: float | None = None) -> None:
    if not ids:
        return
    size = _setting("REMINDER_SEND_BATCH", 50)
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]

    def publish() -> None:
        for chunk in chunks:
            try:
                task_enqueue("courses.reminders_send", args=[chunk], countdown=countdown, retry=False)
            except Exception:  # the broker is down: the rows stay pending and the next sweep sends them
                logger.warning("could not enqueue %d reminders; the next sweep will", len(chunk), exc_info=True)
                return

    transaction.on_commit(publish)


# --- sending --------------------------------------------------------------------------------------

def retry_delay(attempts: int) -> float:
    base = float(_setting("REMINDER_RETRY_BACKOFF_SECONDS", 60))
    return base * (2 ** max(attempts - 1, 0))


def reminders_send(*, log_ids: list[int], now: datetime.datetime | None = None) -> dict[str, int]:
    """Render and send a batch over one SMTP connection, claiming each message just before it is sent.
    Each outcome is written per message."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0}
    logs = list(ReminderLog.objects.filter(pk__in=log_ids, status=Status.PENDING, not_before__lte=now)
                .select_related("recipient__notification_preference", "organization__reminder_settings",
                                "enrollment__course", "enrollment__user").order_by("id"))
    if not logs:
        return counts
    ready = []
    for log in logs:
        reason = _suppression(log, _preference(log.recipient))
        if reason:  # completed, withdrawn or opted out since the sweep
            if ReminderLog.objects.filter(pk=log.pk, status=Status.PENDING).update(status=Status.SUPPRESSED,
                                                                                   detail=reason[:500]):
                counts["suppressed"] += 1
        else:
            ready.append(log)
    rendered = reminder_messages_render(ready)
    templates = reminder_templates()
    max_attempts = _setting("REMINDER_MAX_ATTEMPTS", 5)
    retry: list[int] = []
    smtp = smtp_open()
    sent_id: int | None = None  # accepted by the mail server; recorded as sent with the next claim
    sent_month: int | None = None
    try:
        for log in ready:
            previous, sent_id = sent_id, None
            message, language = rendered.get(log.pk, (None, "en"))
            # While the claim commits, the message is built and the server gets its envelope (no message
            # yet: nothing is handed over before the claim is committed).
            prepared = _Envelope(log, message, language, smtp, templates) \
                if message is not None and smtp_live(smtp) else None
            won = reminder_claim(log_id=log.pk, now=now, sent_id=previous, months=(log.period_month, sent_month),
                                 meanwhile=prepared.prepare if prepared is not None else None)
            if not won:  # another worker has it (a task delivered twice, or two sweeps)
                smtp = _abandon(prepared, smtp)
                continue
            log.attempts += 1
            if message is None:
                ReminderLog.objects.filter(pk=log.pk).update(status=Status.FAILED, detail="unknown kind")
                counts["failed"] += 1
                continue
            try:
                if prepared is None:
                    reminder_email_build(log, message, language, connection=smtp, templates=templates).send()
                else:
                    smtp_data(smtp, prepared.result())  # raises what the envelope met
            except (smtplib.SMTPException, OSError) as exc:
                smtp = _send_failed(log, exc, smtp=smtp, now=now, max_attempts=max_attempts, counts=counts,
                                    retry=retry)
                continue
            sent_id, sent_month = log.pk, log.period_month
            counts["sent"] += 1
    finally:
        if sent_id is not None:
            reminder_record_sent(log_id=sent_id)
        smtp_close_quietly(smtp)
    if retry:
        attempts = max(log.attempts for log in ready if log.pk in set(retry))
        _enqueue_send(retry, countdown=retry_delay(attempts))
    return counts


class _Envelope:
    """One message built and its envelope handed to the server while its claim is on the way (``prepare``,
    which uses no database), keeping what went wrong for when the claim is known."""

    def __init__(self, log: ReminderLog, message, language: str, smtp, templates) -> None:
        self.build = (log, message, language, smtp, templates)
        self.data: bytes | None = None
        self.error: Exception | None = None

    def prepare(self) -> None:
        log, message, language, smtp, templates = self.build
        try:
            self.data = smtp_envelope(smtp, reminder_email_build(log, message, language, connection=smtp,
                                                                 templates=templates))
        except Exception as exc:  # raised by result(), once the claim says whether the message goes
            self.error = exc

    def result(self) -> bytes:
        if self.error is not None:
            raise self.error
        assert self.data is not None  # prepare ran: the claim runs it before answering
        return self.data


def _abandon(prepared: _Envelope | None, smtp):
    """The claim was lost: forget the envelope handed over for it; a broken connection is opened afresh."""
    if prepared is None:
        return smtp
    if prepared.error is None:
        smtp_abandon(smtp)
    elif isinstance(prepared.error, OSError):
        smtp_close_quietly(smtp)
        return smtp_open()
    return smtp


def _send_failed(log: ReminderLog, exc: Exception, *, smtp, now: datetime.datetime, max_attempts: int,
                 counts: dict[str, int], retry: list[int]):
    """The mail server refused or the connection broke: fail the row (pausing the address on a
    permanent refusal) or put it back for a retry. Returns a fresh connection."""
    permanent, detail = smtp_failure(exc)
    smtp_close_quietly(smtp)  # its state after a failure is unknown: start afresh
    smtp = smtp_open()
    if permanent or log.attempts >= max_attempts:
        ReminderLog.objects.filter(pk=log.pk).update(status=Status.FAILED, detail=detail[:500])
        counts["failed"] += 1
        if permanent:
            address_pause(user=log.recipient, reason=detail)
    else:
        ReminderLog.objects.filter(pk=log.pk).update(
            status=Status.PENDING, not_before=now + timedelta(seconds=retry_delay(log.attempts)),
            detail=f"retrying: {detail}"[:500])
        retry.append(log.pk)
        counts["retry"] += 1
    return smtp


def reminders_fail_stale(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Rows a killed worker left in ``sending``: marked failed, never resent (it may have gone out)."""
    return ReminderLog.objects.filter(status=Status.SENDING, claimed_at__lt=timezone.now() - older_than).update(
        status=Status.FAILED, detail="interrupted while sending; not retried so that it is never sent twice")


def address_pause(*, user: User, reason: str) -> None:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    NotificationPreference.objects.filter(pk=preference.pk, paused_at__isnull=True).update(
        paused_at=timezone.now(), paused_reason=reason[:500])


# --- people's choices -----------------------------------------------------------------------------

def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """(user id, kind) from a token we signed; anything else is a 400 ``invalid_unsubscribe_token``."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(payload["u"]), str(payload["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CoursesError("This unsubscribe link is not valid.",
                           code=ReminderErrorCode.INVALID_UNSUBSCRIBE_TOKEN) from None


def notification_unsubscribe(*, token: str, all_kinds: bool = False) -> tuple[User, str]:
    """One click: the token names the person and the kind ("*" = all). Tampered or unknown: 400."""
    user_id, kind = unsubscribe_token_read(token)
    kind = ALL_KINDS if all_kinds else kind
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise CoursesError("This unsubscribe link is not valid.", code=ReminderErrorCode.INVALID_UNSUBSCRIBE_TOKEN)
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if kind == ALL_KINDS or kind == DIGEST or source(kind) is None:
            preference.email_enabled = False
        elif kind not in preference.disabled_kinds:
            preference.disabled_kinds = [*preference.disabled_kinds, kind]
        preference.save(update_fields=["email_enabled", "disabled_kinds", "updated_at"])
    return user, kind


def notification_preference_get(*, user: User) -> NotificationPreference:
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def notification_preference_update(*, user: User, email_enabled: bool | None = None,
                                   kinds: dict[str, bool] | None = None, quiet_hours: dict | None = None,
                                   resume: bool = False) -> NotificationPreference:
    unknown = sorted(set(kinds or {}) - set(sources()))
    if unknown:
        raise CoursesError("Unknown reminder kinds.", code=CoursesErrorCode.INVALID_KIND,
                           fields={"kinds": [f"'{kind}' is not a reminder kind." for kind in unknown]})
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if email_enabled is not None:
            preference.email_enabled = email_enabled
        if kinds:
            disabled = set(preference.disabled_kinds or [])
            disabled |= {kind for kind, on in kinds.items() if not on}
            disabled -= {kind for kind, on in kinds.items() if on}
            preference.disabled_kinds = sorted(disabled)
        if quiet_hours is not None:
            for name in ("quiet_start", "quiet_end", "quiet_days"):
                if name in quiet_hours:
                    setattr(preference, name, quiet_hours[name])
        if resume:
            preference.paused_at, preference.paused_reason = None, ""
        preference.full_clean(exclude=["user"])
        preference.save()
    return preference


# --- organization policies ------------------------------------------------------------------------

def reminder_policy_upsert(*, organization: Organization, kind: str, course: Course | None = None,
                           enabled: bool = True, days: int | None = None) -> tuple[ReminderPolicy, bool]:
    src = source(kind)
    if src is None:
        raise CoursesError("Unknown reminder kind.", code=CoursesErrorCode.INVALID_KIND,
                           fields={"kind": [f"'{kind}' is not a reminder kind."]})
    if course is not None and not src.per_course:
        raise CoursesError("This kind is set per organization, not per course.", code=ReminderErrorCode.INVALID_POLICY,
                           fields={"course": ["Leave it empty for this kind."]})
    if course is not None and course.organization_id not in (None, organization.pk):
        raise NotFound("Course not found.", code=CoursesErrorCode.COURSE_NOT_FOUND)
    with transaction.atomic():
        policy, created = ReminderPolicy.objects.select_for_update().get_or_create(
            organization=organization, course=course, kind=kind, defaults={"enabled": enabled, "days": days})
        if not created:
            policy.enabled, policy.days = enabled, days
        policy.full_clean()
        policy.save()
    return policy, created


def reminder_policy_update(*, policy: ReminderPolicy, **fields) -> ReminderPolicy:
    with transaction.atomic():
        policy = ReminderPolicy.objects.select_for_update().get(pk=policy.pk)
        for name in ("enabled", "days"):
            if name in fields:
                setattr(policy, name, fields[name])
        policy.full_clean()
        policy.save()
    return policy


def reminder_policy_delete(*, policy: ReminderPolicy) -> None:
    with transaction.atomic():
        ReminderPolicy.objects.filter(pk=policy.pk).delete()


def reminder_settings_update(*, organization: Organization, **fields) -> ReminderSettings:
    with transaction.atomic():
        current, _ = ReminderSettings.objects.select_for_update().get_or_create(organization=organization)
        for name in ("from_email", "reply_to", "quiet_start", "quiet_end", "quiet_days", "daily_cap"):
            if name in fields:
                setattr(current, name, fields[name])
        current.full_clean(exclude=["organization"])
        current.save()
    return current

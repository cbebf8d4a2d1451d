"""Workshop emails (with the .ics attached) and personal calendar feed tokens.

An email is logged (``WorkshopEmail``, unique key) in the same transaction as the change it
reports; a Celery task sends it after commit. Sending claims the row first (``sent_at``), so a
duplicate task or a reconciler run never sends it twice; a failed send releases the claim.
"""
from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from courses.workshops.calendars import SessionEntry, build_calendar
from courses.workshops.models import CalendarFeedToken, WorkshopEmail, WorkshopSession
from lms.models import User
from lms.selectors import token_digest

SUBJECTS: dict[str, str] = {
    WorkshopEmail.Kind.BOOKED: "You are booked: {title}",
    WorkshopEmail.Kind.PROMOTED: "A seat opened up — you are booked: {title}",
    WorkshopEmail.Kind.CANCELLED: "Your place is cancelled: {title}",
    WorkshopEmail.Kind.SESSION_CANCELLED: "Session cancelled: {title}",
    WorkshopEmail.Kind.RESCHEDULED: "Session rescheduled: {title}",
}
OPENERS: dict[str, str] = {
    WorkshopEmail.Kind.BOOKED: "your seat is confirmed.",
    WorkshopEmail.Kind.PROMOTED: "a seat freed up and you were next on the waitlist, so it is yours.",
    WorkshopEmail.Kind.CANCELLED: "your place has been cancelled as you asked.",
    WorkshopEmail.Kind.SESSION_CANCELLED: "we are sorry: this session has been cancelled.",
    WorkshopEmail.Kind.RESCHEDULED: "the session has moved; the new time is below.",
}


def _when(session: WorkshopSession) -> list[str]:
    tz = zoneinfo.ZoneInfo(session.timezone)
    return [f"- {part.starts_at.astimezone(tz):%A %d %B %Y, %H:%M} to {part.ends_at.astimezone(tz):%H:%M} "
            f"({session.timezone})" for part in session.parts.all()]


def workshop_email_send(*, email_id: int) -> bool:
    """Send one logged email at most once. False if it was already claimed or is gone."""
    now = timezone.now()
    if not WorkshopEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(sent_at=now):
        return False
    email = WorkshopEmail.objects.select_related(
        "registration__user", "registration__session__workshop__activity").get(pk=email_id)
    session = email.registration.session
    user = email.registration.user
    cancelled = email.method == "CANCEL"
    ics = build_calendar([SessionEntry(session=session, sequence=email.sequence, cancelled=cancelled,
                                       attendee_email=user.email)], method=email.method)
    title = session.display_title
    body = "\n".join([
        f"Hello {user.display_name},",
        "",
        f"{title}: {OPENERS[email.kind]}",
        "",
        *_when(session),
        *([f"Where: {session.venue}"] if session.venue else []),
        *([f"Online: {session.online_url}"] if session.online_url else []),
        "",
        "The attached invitation updates your calendar." if not cancelled
        else "The attached notice removes it from your calendar.",
        "",
        "— Empathy LMS",
    ])
    message = EmailMessage(subject=SUBJECTS[email.kind].format(title=title), body=body, to=[email.to],
                           headers={"X-LMS-Workshop-Email": email.key})
    message.attach("invite.ics" if not cancelled else "cancel.ics", ics,
                   f"text/calendar; method={email.method}; charset=UTF-8")
    try:
        message.send()
    except Exception:
        WorkshopEmail.objects.filter(pk=email_id, sent_at=now).update(sent_at=None)
        raise
    return True


# --- personal calendar feeds -----------------------------------------------------------------

def calendar_feed_url(raw: str) -> str:
    return f"{settings.SITE_URL}/api/v1/workshops/feed/{raw}.ics"


def calendar_feed_create(*, user: User) -> tuple[CalendarFeedToken, str]:
    """A new secret feed URL for ``user``; the previous one stops working. The secret is shown once."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        now = timezone.now()
        CalendarFeedToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        token = CalendarFeedToken.objects.create(user=user, prefix=raw[:8], digest=token_digest(raw))
    return token, raw


def calendar_feed_revoke(*, user: User) -> int:
    """Revoke the user's feed URL (how many were active: 0 or 1)."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def calendar_feed_touch(*, token: CalendarFeedToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)

"""Workshop emails (with the .ics attached) and personal calendar feed tokens.

An email is logged (``WorkshopEmail``, unique key) in the same transaction as the change it
reports; a Celery task sends it after commit. Sending claims the row first (``sent_at``), so a
duplicate task or a reconciler run never sends it twice; a failed send releases the claim.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from courses.workshops.calendars import SessionEntry, build_calendar
from courses.workshops.models import CalendarFeedToken, WorkshopEmail
from lms.mail import calendar_mimetype, mail_build, mail_language, site_link
from lms.models import User
from lms.selectors import token_digest

# Each kind is a template pair courses/mail/workshop_<kind>.txt/.html plus one line in each dict below.
SUBJECTS: dict[str, Promise] = {
    WorkshopEmail.Kind.BOOKED: _("You are booked: {title}"),
    WorkshopEmail.Kind.PROMOTED: _("A seat opened up — you are booked: {title}"),
    WorkshopEmail.Kind.CANCELLED: _("Your place is cancelled: {title}"),
    WorkshopEmail.Kind.SESSION_CANCELLED: _("Session cancelled: {title}"),
    WorkshopEmail.Kind.RESCHEDULED: _("Session rescheduled: {title}"),
}
OPENERS: dict[str, Promise] = {
    WorkshopEmail.Kind.BOOKED: _("your seat is confirmed."),
    WorkshopEmail.Kind.PROMOTED: _("a seat freed up and you were next on the waitlist, so it is yours."),
    WorkshopEmail.Kind.CANCELLED: _("your place has been cancelled as you asked."),
    WorkshopEmail.Kind.SESSION_CANCELLED: _("we are sorry: this session has been cancelled."),
    WorkshopEmail.Kind.RESCHEDULED: _("the session has moved; the new time is below."),
}


def workshop_email_template(kind: str) -> str:
    return f"courses/mail/workshop_{kind}"


def _message(email: WorkshopEmail) -> EmailMultiAlternatives:
    """The mail of one logged email: text and HTML in the learner's language, the .ics attached."""
    session = email.registration.session
    user = email.registration.user
    cancelled = email.method == "CANCEL"
    ics = build_calendar([SessionEntry(session=session, sequence=email.sequence, cancelled=cancelled,
                                       attendee_email=user.email, attendee_name=user.display_name)],
                         method=email.method)
    title = session.display_title
    organization = session.workshop.activity.course.organization
    message = mail_build(
        template=workshop_email_template(email.kind), to=email.to, language=mail_language(user.language),
        subject=format_lazy(SUBJECTS[email.kind], title=title),
        headers={"X-LMS-Workshop-Email": email.key},
        context={"name": user.display_name, "title": title, "opener": OPENERS[email.kind],
                 "organization": organization.name if organization else "",
                 "parts": list(session.parts.all()), "zone": session.timezone, "venue": session.venue,
                 "online_url": session.online_url, "cancelled": cancelled,
                 "session_url": site_link(reverse("pages:workshop-session", args=[session.pk])),
                 "my_learning_url": site_link(reverse("pages:my-learning"))})
    message.attach("cancel.ics" if cancelled else "invite.ics", ics, calendar_mimetype(email.method))
    return message


def workshop_email_send(*, email_id: int) -> bool:
    """Send one logged email at most once. False if it was already claimed or is gone."""
    now = timezone.now()
    if not WorkshopEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(sent_at=now):
        return False
    email = WorkshopEmail.objects.select_related(
        "registration__user", "registration__session__workshop__activity__course__organization").get(pk=email_id)
    message = _message(email)
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

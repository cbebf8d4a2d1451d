"""Messages from a session's staff to its learners: logged once per form (the form's idempotency key), one
delivery row per recipient under a unique key written before anything is sent, each sent at most once by a task
that claims the row first, as workshop emails are (services/mail.py)."""
from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from courses.workshops.errors import WorkshopError, WorkshopErrorCode
from courses.workshops.models import Registration, SessionMessage, SessionMessageDelivery, WorkshopSession
from lms.mail import mail_build, mail_language, site_link
from lms.models import User
from lms.queue import task_enqueue

logger = logging.getLogger(__name__)

MESSAGE_SUBJECT = _("{title}: {subject}")


def _check(subject: str, body: str, key: str) -> None:
    errors: dict[str, list[str]] = {}
    if not subject.strip() or len(subject) > 200:
        errors["subject"] = ["A subject of 1 to 200 characters."]
    if not body.strip() or len(body) > 5000:
        errors["body"] = ["A message of 1 to 5000 characters."]
    if not key or len(key) > 40:
        errors["key"] = ["The form's key, 1 to 40 characters."]
    if errors:
        raise WorkshopError("The message is incomplete.", code=WorkshopErrorCode.INVALID_SESSION, fields=errors)


def session_message_send(*, session: WorkshopSession, actor: User, subject: str, body: str, key: str,
                         include_waitlisted: bool = False) -> tuple[SessionMessage, bool]:
    """Log a message to the session's booked learners (and waitlisted ones when asked) and queue one mail per
    learner. The same ``key`` again (a resubmitted form) returns the first message and sends nothing more."""
    _check(subject, body, key)
    key = f"{session.pk}-{key}"  # a key names a message within its session
    existing = SessionMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    statuses = [Registration.Status.BOOKED]
    if include_waitlisted:
        statuses.append(Registration.Status.WAITLISTED)
    try:
        with transaction.atomic():
            message = SessionMessage.objects.create(session=session, author=actor, subject=subject.strip(),
                                                    body=body.strip(), include_waitlisted=include_waitlisted, key=key)
            recipients = Registration.objects.filter(session=session, status__in=statuses).select_related("user")
            deliveries = SessionMessageDelivery.objects.bulk_create([
                SessionMessageDelivery(message=message, registration=registration, to=registration.user.email,
                                       key=f"session-message-{message.pk}-{registration.pk}")
                for registration in recipients.order_by("ticket", "id")])
            ids = [delivery.pk for delivery in deliveries]
            transaction.on_commit(lambda: _enqueue(ids))
    except IntegrityError:  # the same key at the same moment: the other request logged it
        return SessionMessage.objects.get(key=key), False
    return message, True


def _enqueue(ids: list[int]) -> None:
    for delivery_id in ids:
        try:
            task_enqueue("courses.workshop_message_send", args=[delivery_id], retry=False)
        except Exception:
            logger.exception("could not enqueue session message %s; the reconciler will", delivery_id)


def session_message_deliver(*, delivery_id: int) -> bool:
    """Send one logged delivery at most once. False if it was already claimed or is gone."""
    now = timezone.now()
    if not SessionMessageDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True).update(sent_at=now):
        return False
    delivery = SessionMessageDelivery.objects.select_related(
        "message__session__workshop__activity__course__organization", "registration__user").get(pk=delivery_id)
    session, user = delivery.message.session, delivery.registration.user
    organization = session.workshop.activity.course.organization
    message = mail_build(
        template="courses/mail/workshop_message", to=delivery.to, language=mail_language(user.language),
        subject=format_lazy(MESSAGE_SUBJECT, title=session.display_title, subject=delivery.message.subject),
        headers={"X-LMS-Session-Message": delivery.key},
        context={"name": user.display_name, "title": session.display_title, "body": delivery.message.body,
                 "sender": delivery.message.author.display_name if delivery.message.author else "",
                 "organization": organization.name if organization else "",
                 "session_url": site_link(reverse("pages:workshop-session", args=[session.pk]))})
    try:
        message.send()
    except Exception:
        SessionMessageDelivery.objects.filter(pk=delivery_id, sent_at=now).update(sent_at=None)
        raise
    return True

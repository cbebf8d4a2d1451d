"""Announcing: the announcement and one delivery row per learner are written in one transaction, before any
mail; the sending task claims each row (``sent_at``) just before its mail goes, so a learner gets it at most
once however often the task runs. Sending the same words to the same people again within
``REPEAT_WINDOW`` (a form sent twice, a retried request) answers the announcement already made."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from courses.announcements import selectors
from courses.announcements.errors import AnnouncementErrorCode
from courses.announcements.models import MAX_BODY, MAX_SUBJECT, Announcement, AnnouncementDelivery
from courses.catalog.models import Course
from courses.errors import CoursesError
from courses.workshops.models import WorkshopSession
from lms.mail import mail_build, mail_language, mail_templates, site_link
from lms.queue import task_enqueue

SEND_TASK = "courses.announcement_send"
BATCH_SIZE = 100  # mails per task run; the task enqueues the next batch itself
REPEAT_WINDOW = timedelta(hours=1)
SUBJECT = pgettext_lazy("announcement mail", "{course}: {subject}")


def _checked(subject: str, body: str) -> tuple[str, str]:
    subject, body = " ".join(subject.split()), body.strip()
    fields = {}
    if not subject:
        fields["subject"] = ["Write a subject."]
    elif len(subject) > MAX_SUBJECT:
        fields["subject"] = [f"At most {MAX_SUBJECT} characters."]
    if not body:
        fields["body"] = ["Write the message."]
    elif len(body) > MAX_BODY:
        fields["body"] = [f"At most {MAX_BODY} characters."]
    if fields:
        raise CoursesError("The announcement is incomplete.", code=AnnouncementErrorCode.ANNOUNCEMENT_INVALID,
                           fields=fields, status_code=400)
    return subject, body


def _locked_course(*, course: Course | None, session: WorkshopSession | None) -> Course:
    """The course announced to (the session's, for a session), its row (or the session's) locked so two
    requests with the same words make one announcement."""
    if session is not None and course is None:
        locked = WorkshopSession.objects.select_for_update().select_related("workshop__activity__course").get(
            pk=session.pk)
        if locked.status == WorkshopSession.Status.CANCELLED:
            raise CoursesError("This session is cancelled; its participants were told already.",
                               code=AnnouncementErrorCode.ANNOUNCEMENT_SESSION_CANCELLED, status_code=409)
        return locked.workshop.activity.course
    if course is not None and session is None:
        return Course.objects.select_for_update().get(pk=course.pk)
    raise CoursesError("Announce to a course or to a session.", code=AnnouncementErrorCode.ANNOUNCEMENT_NOT_ALLOWED)


def announcement_create(*, author: Any, subject: str, body: str, course: Course | None = None,
                        session: WorkshopSession | None = None) -> tuple[Announcement, bool]:
    """Announce to a course's active learners, or to a session's participants (give one of the two). The
    caller checked the author may (``access_course_announce`` / ``access_session_announce``). Answers the
    announcement and whether it is new (False: the same one was made within ``REPEAT_WINDOW``)."""
    subject, body = _checked(subject, body)
    with transaction.atomic():
        course = _locked_course(course=course, session=session)
        repeat = Announcement.objects.filter(course=course, session=session, author_id=author.pk, subject=subject,
                                             body=body, created_at__gte=timezone.now() - REPEAT_WINDOW).first()
        if repeat is not None:
            return repeat, False
        announcement = Announcement.objects.create(course=course, session=session, author=author, subject=subject,
                                                   body=body)
        people = (selectors.session_recipients(session=session) if session is not None
                  else selectors.course_recipients(course=course))
        AnnouncementDelivery.objects.bulk_create(
            [AnnouncementDelivery(announcement=announcement, user_id=user_id, to=email)
             for user_id, email in people.exclude(email="").values_list("pk", "email")],
            ignore_conflicts=True, batch_size=500)
        transaction.on_commit(lambda: task_enqueue(SEND_TASK, args=[announcement.pk]))
    return announcement, True


def _message(delivery: AnnouncementDelivery, templates: Any, connection: Any) -> Any:
    announcement, user = delivery.announcement, delivery.user
    course = announcement.course
    session = announcement.session
    where = (site_link(reverse("pages:workshop-session", args=[session.pk])) if session is not None
             else site_link(reverse("pages:course", args=[course.slug])))
    return mail_build(
        template=templates, to=delivery.to, language=mail_language(user.language, course.language),
        subject=format_lazy(SUBJECT, course=course.title, subject=announcement.subject),
        headers={"X-LMS-Announcement": f"{announcement.pk}:{user.pk}"}, connection=connection,
        context={"name": user.display_name, "author": announcement.author.display_name if announcement.author else "",
                 "course_title": course.title, "session_title": session.display_title if session else "",
                 "announcement_subject": announcement.subject, "body": announcement.body, "url": where,
                 "organization": course.organization.name if course.organization else ""})


def announcement_send_batch(*, announcement_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Send the next ``batch_size`` copies not sent yet, each at most once; enqueue the next batch when more
    remain. Answers how many mails this run sent."""
    deliveries = selectors.deliveries_pending(announcement_id=announcement_id, limit=batch_size)
    if not deliveries:
        return 0
    templates = mail_templates("courses/mail/announcement")
    sent = 0
    with get_connection() as connection:
        for delivery in deliveries:
            claimed_at = timezone.now()
            if not AnnouncementDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
                    sent_at=claimed_at):
                continue  # another run sent it
            try:
                _message(delivery, templates, connection).send()
            except Exception:
                AnnouncementDelivery.objects.filter(pk=delivery.pk, sent_at=claimed_at).update(sent_at=None)
                raise
            sent += 1
    if len(deliveries) == batch_size:
        task_enqueue(SEND_TASK, args=[announcement_id])
    return sent

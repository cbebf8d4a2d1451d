"""What a reminder says: each log rendered in the recipient's language (digests gathered into one), the
mail built with its one-click unsubscribe links (RFC 8058)."""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from courses.reminders import copy as reminder_copy
from courses.reminders.layouts import layout_pair
from courses.reminders.models import ReminderLog
from courses.reminders.registry import DIGEST, Message, source
from lms.mail import MailTemplates, mail_build, mail_templates, site_link

UNSUBSCRIBE_SALT = "courses.reminders.unsubscribe"


ALL_KINDS = "*"


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_urls(user_id: int, kind: str) -> tuple[str, str]:
    """(the one-click POST target for List-Unsubscribe, the page a person opens from the message)."""
    token = unsubscribe_token(user_id, kind)
    return (f"{settings.SITE_URL}/api/v1/notifications/unsubscribe/{token}/",
            f"{settings.SITE_URL}/unsubscribe/{token}/")


def _language(log: ReminderLog) -> str:
    user = log.recipient
    if user.language:
        return reminder_copy.language_of(user.language)
    if log.enrollment is not None and log.enrollment.course.language:
        return reminder_copy.language_of(log.enrollment.course.language)
    return reminder_copy.language_of(log.organization.default_language if log.organization else "en")


def _digest_message(log: ReminderLog, items: list[Message], language: str) -> Message:
    words = {"en": ("Your reminders for today ({count})", "A few things are waiting for you:",
                    "Open My learning"),
             "pt-br": ("Seus lembretes de hoje ({count})", "Algumas coisas estão esperando por você:",
                       "Abrir Minha aprendizagem")}[language]
    return Message(subject=words[0].format(count=len(items)), paragraphs=[words[1]],
                   items=[f"{item.subject} — {item.action_url}" for item in items],
                   action_label=words[2], action_url=site_link(reverse("pages:my-learning")))


def reminder_messages_render(logs: list[ReminderLog]) -> dict[int, tuple[Message, str]]:
    """{log id: (message, language)} for a batch: each kind loads what it needs at once."""
    folded: dict[tuple[int, str], list[ReminderLog]] = {}
    digest_logs = [log for log in logs if log.kind == DIGEST]
    if digest_logs:
        for row in (ReminderLog.objects.filter(status=ReminderLog.Status.FOLDED,
                                               recipient_id__in={d.recipient_id for d in digest_logs},
                                               digest_period__in={d.period for d in digest_logs})
                    .select_related("recipient", "organization", "enrollment__course", "enrollment__user")
                    .order_by("created_at", "id")):
            folded.setdefault((row.recipient_id, row.digest_period), []).append(row)
    everything = [*logs, *[row for rows in folded.values() for row in rows]]
    data: dict[int, object] = {}
    by_kind: dict[str, list[ReminderLog]] = {}
    for log in everything:
        by_kind.setdefault(log.kind, []).append(log)
    for kind, kind_logs in by_kind.items():
        src = source(kind)
        if src is not None:
            data.update(src.load(kind_logs))
    rendered = {}
    for log in logs:
        language = _language(log)
        if log.kind == DIGEST:
            items = [found.message(row, data.get(row.pk), language)
                     for row in folded.get((log.recipient_id, log.period), []) if (found := source(row.kind))]
            rendered[log.pk] = (_digest_message(log, items, language), language)
        elif (found := source(log.kind)) is not None:
            rendered[log.pk] = (found.message(log, data.get(log.pk), language), language)
    return rendered


REMINDER_TEMPLATE = "courses/mail/reminder"


def reminder_templates() -> MailTemplates:
    """The reminder's template pair for one batch (``reminder_email_build(templates=...)``): loaded once,
    and rendered once per language and shape of message, then filled in per message (``layouts.py``)."""
    loaded = mail_templates(REMINDER_TEMPLATE)
    text, html = layout_pair(loaded.text, loaded.html)
    return MailTemplates(text=text, html=html)


def reminder_email_build(log: ReminderLog, message: Message, language: str, connection=None,
                         templates: MailTemplates | None = None) -> EmailMultiAlternatives:
    organization = log.organization
    org_settings = getattr(organization, "reminder_settings", None) if organization else None
    words = reminder_copy.COMMON[language]
    one_click, page = unsubscribe_urls(log.recipient_id, ALL_KINDS if log.kind == DIGEST else log.kind)
    org_name = organization.name if organization else settings.CERTIFICATE_ISSUER_NAME
    context = {
        "greeting": words["greeting"].format(name=log.recipient.first_name or log.recipient.display_name),
        "message": message, "why": words["why"].format(organization=org_name), "organization": org_name,
        "unsubscribe_label": words["unsubscribe_all" if log.kind == DIGEST else "unsubscribe_kind"],
        "unsubscribe_url": page, "signature": words["signature"].format(organization=org_name),
    }
    return mail_build(
        template=templates or REMINDER_TEMPLATE, context=context, to=log.recipient.email, language=language,
        subject=message.subject,
        from_email=(org_settings.from_email if org_settings and org_settings.from_email else None),
        reply_to=[org_settings.reply_to] if org_settings and org_settings.reply_to else None,
        headers={
            "List-Unsubscribe": f"<{one_click}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-LMS-Reminder": f"{log.kind}:{log.pk}",
        },
        connection=connection,
    )

"""Every mail the site sends is built here: a plain-text body and an HTML alternative, both rendered
from Django templates in the recipient's language.

A kind of mail is a template pair, ``<name>.txt`` and ``<name>.html``, in its app's templates; each
extends the shared layouts ``mail/base.txt`` and ``mail/base.html`` (inline styles only, no script,
nothing fetched from elsewhere, one column that fits a phone). Callers pass what the templates show
and keep their own sending rules (claims, retries, logs): this module only builds the message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.utils import translation

SITE_NAME = "Empathy LMS"


def mail_language(*preferences: str | None) -> str:
    """The first of ``preferences`` (BCP 47 tags: the person's own first) that the site speaks, as a
    language code of ``LANGUAGES``; the site's default when none is set or spoken."""
    for tag in preferences:
        if not tag:
            continue
        try:
            return translation.get_supported_language_variant(tag.strip().lower())
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def site_link(path: str) -> str:
    """An absolute link on the site (``SITE_URL``) to ``path`` (which starts with a slash)."""
    return f"{settings.SITE_URL}{path}"


def calendar_mimetype(method: str) -> str:
    """The type of an iCalendar attachment (RFC 6047) for ``EmailMessage.attach``: Django adds the one
    charset parameter itself, so naming it here too would repeat it."""
    return f"text/calendar; method={method}"


def _tidy(text: str) -> str:
    """Template tags leave blank lines and trailing spaces behind: at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


@dataclass(frozen=True)
class MailTemplates:
    """A kind of mail's template pair, found and compiled once: a batch of messages of one kind
    passes it to every ``mail_build`` instead of the name."""
    text: Any
    html: Any


def mail_templates(template: str) -> MailTemplates:
    """The template pair ``template`` (no extension): ``<template>.txt`` and ``<template>.html``."""
    return MailTemplates(text=get_template(f"{template}.txt"), html=get_template(f"{template}.html"))


def mail_build(*, template: str | MailTemplates, context: dict[str, Any], to: str, language: str, subject: Any,
               headers: dict[str, str] | None = None, from_email: str | None = None,
               reply_to: list[str] | None = None, connection: Any = None) -> EmailMultiAlternatives:
    """A multipart/alternative message to ``to`` from the template pair ``template`` (a name without
    extension, or the pair ``mail_templates`` loaded).

    ``subject`` may be a lazy translation (``format_lazy`` over ``gettext_lazy``): it is read, like the
    templates, under ``language``. Templates see ``context`` plus ``site_name``, ``site_url``,
    ``language`` and ``subject``."""
    templates = mail_templates(template) if isinstance(template, str) else template
    with translation.override(language):
        subject_text = " ".join(str(subject).split())  # a header holds no line break
        tag = translation.to_locale(language).replace("_", "-")  # pt-br -> pt-BR, as HTML's lang writes it
        full = {"site_name": SITE_NAME, "site_url": settings.SITE_URL, "language": tag, "subject": subject_text,
                **context}
        text = _tidy(templates.text.render(full))
        html = templates.html.render(full)
    message = EmailMultiAlternatives(subject=subject_text, body=text, from_email=from_email, to=[to],
                                     reply_to=reply_to, headers=headers or {}, connection=connection)
    message.attach_alternative(html, "text/html")
    return message

"""Read a sent mail as a mail client would: from its raw bytes, with Python's `email` package.

``read_mail`` checks what every mail of the site promises (a plain-text body and an HTML alternative,
links to pages on SITE_URL and never to the API, nothing fetched from elsewhere, the organization's
name) and returns the parsed message with its two bodies for the test's own checks.
"""
from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.conf import settings

TEXT_LINK = re.compile(r"https?://[^\s<>\"]+")
# User text with every character HTML treats specially.
TRICKY = "Tom & Jerry's <b>\"Talk\"</b>"


@dataclass
class ReadMail:
    message: email.message.EmailMessage
    subject: str
    text: str
    html: str
    calendar: email.message.EmailMessage | None


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self.inline_handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "href":
                self.links.append(value or "")
            if name in ("src", "srcset", "background", "poster", "data"):
                self.sources.append(value or "")
            if name.startswith("on"):
                self.inline_handlers.append(name)


def _links_ok(links: list[str], external: tuple[str, ...]) -> None:
    for link in links:
        link = link.rstrip(".,;:)")
        assert "/api/" not in link, link
        assert link.startswith(f"{settings.SITE_URL}/") or link.startswith(external), link


def read_mail(django_message, *, organization: str | None, external: tuple[str, ...] = (),
              calendar: bool = False) -> ReadMail:
    """The message as its recipient's client parses it, after the checks every kind must pass."""
    raw = django_message.message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    alternative = next(part for part in parsed.walk() if part.get_content_type() == "multipart/alternative")
    assert [part.get_content_type() for part in alternative.iter_parts()] == ["text/plain", "text/html"]
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    calendars = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    if calendar:
        assert parsed.get_content_type() == "multipart/mixed"
        (calendar_part,) = calendars
        assert calendar_part.get_content_disposition() == "attachment"
        raw_type = " ".join(str(calendar_part["Content-Type"]).split()).lower()
        assert raw_type.count("charset=") == 1, raw_type
        assert "method=" in raw_type
    else:
        assert calendars == []
    markup = _Markup()
    markup.feed(html)
    assert {"script", "style", "link", "iframe", "object", "embed", "img", "form"}.isdisjoint(markup.tags)
    assert markup.sources == [] and markup.inline_handlers == []
    assert 'name="viewport"' in html and "max-width:600px" in html  # one column that fits a phone
    _links_ok(markup.links, external)
    _links_ok(TEXT_LINK.findall(text), external)
    assert markup.links, "the HTML links to at least one page"
    if organization:
        assert organization in text and escape(organization) in html
    subject = " ".join(str(parsed["Subject"]).split())  # as a client shows a folded header
    return ReadMail(message=parsed, subject=subject, text=text, html=html,
                    calendar=calendars[0] if calendars else None)


def assert_escaped(mail: ReadMail, user_text: str = TRICKY) -> None:
    """User text is shown as it was typed in both bodies, and never becomes markup in the HTML."""
    assert user_text in mail.text
    assert escape(user_text) in mail.html and user_text not in mail.html
    assert "<b>" not in mail.html

"""The send path's two shortcuts give what the ordinary path gives: the batch's layouts (the templates
rendered once per shape, then filled in) and the cheaper serialisation of the message's bytes."""
from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives
from django.template import engines
from django.utils.safestring import mark_safe

from courses.reminders.delivery import message_bytes
from courses.reminders.layouts import layout_pair
from courses.reminders.registry import Message
from lms.mail import MailTemplates, mail_build, mail_templates
from tests.mail_helpers import TRICKY

REMINDER = "courses/mail/reminder"


def context(n: int, **changes) -> dict:
    values = {
        "greeting": f"Hello {TRICKY} {n},",
        "message": Message(subject=f"Subject {n}", paragraphs=[f"First <{n}>", "", "Third & last"],
                           action_label="Go on", action_url=f"https://lms.example.test/a/{n}/?x=1&y=2",
                           items=[f"item {n}"] if n % 2 else []),
        "why": "Because & so on", "organization": TRICKY if n % 3 else "",
        "unsubscribe_label": "Stop", "unsubscribe_url": f"https://lms.example.test/unsubscribe/{n}&'\"/",
        "signature": mark_safe(f"<i>{n}</i>"),  # noqa: S308 - a value the caller marked safe stays unescaped
    }
    return {**values, **changes}


def built(templates, language: str, values: dict) -> EmailMultiAlternatives:
    return mail_build(template=templates, context=values, to="a@example.com", language=language,
                      subject=values["message"].subject)


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_a_batch_renders_every_message_as_the_templates_do(language):
    ordinary = mail_templates(REMINDER)
    text, html = layout_pair(ordinary.text, ordinary.html)
    batch = MailTemplates(text=text, html=html)
    for n in range(12):
        values = context(n, greeting="" if n == 7 else f"Hello {TRICKY} {n},")
        fast, slow = built(batch, language, values), built(ordinary, language, values)
        assert (fast.body, fast.alternatives[0][0]) == (slow.body, slow.alternatives[0][0])
    assert all(layout is not None for layout in [*text.layouts.values(), *html.layouts.values()])
    assert len(html.layouts) < 12  # the shapes were reused


def test_a_template_that_transforms_a_value_is_rendered_the_ordinary_way():
    engine = engines["django"]
    text, _ = layout_pair(engine.from_string("{{ greeting|upper }} {{ why }}"), engine.from_string(""))
    for n in range(3):
        assert text.render({"greeting": f"hi {n}", "why": "x"}) == f"HI {n} x"
    assert list(text.layouts.values()) == [None]


class _Built:
    """An email whose ``message()`` is one fixed MIME message (its boundary chosen beforehand)."""

    def __init__(self, message) -> None:
        self._message = message

    def message(self):
        return self._message


def test_the_bytes_are_those_of_djangos_serialisation():
    email = EmailMultiAlternatives(
        subject="Olá, São Paulo — " + "long words " * 10, body="Linha um\nLinha dois — ç\n",
        from_email="Treinamento São Paulo <treino@acme.example>", to=["zoë@example.com"],
        reply_to=["rh@acme.example"],
        headers={"List-Unsubscribe": "<https://lms.example.test/api/v1/notifications/unsubscribe/" + "t" * 90 + "/>",
                 "X-Spaces": "a  b\tc ", "X-LMS-Reminder": "inactivity:1"})
    email.attach_alternative("<p>Olá</p>", "text/html")
    message = email.message()
    message.set_boundary("===============0123456789==")
    assert message_bytes(_Built(message)) == message.as_bytes(linesep="\r\n")

"""A batch's reminder templates, rendered once per shape and then filled in per message.

Rendering the Django template pair is the largest CPU cost of a reminder, and the messages of a batch
differ only in the values they show: the layout around them is the same for every message of one
language and one shape (which values are empty, how many paragraphs and items). So the first message
of a shape renders each template with a placeholder standing for every value, and each message then
fills those placeholders with its own values, escaped wherever the template escaped the placeholder.

The first message of a shape is rendered the ordinary way too, and the layout is kept only when both
renderings agree; a template that filters a value, or tests more than whether it is empty, makes the two
differ, and that shape is then always rendered the ordinary way. The layouts live as long as the batch.
"""
from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape

from courses.reminders.registry import Message

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: no template or value writes them
# Each placeholder carries an ampersand, so the rendered layout shows whether the template escaped it.
_SLOT = re.compile(f"{_OPEN}(\\d+)(&amp;|&){_CLOSE}")


def _slot(index: int) -> str:
    return f"{_OPEN}{index}&{_CLOSE}"


class _Layout:
    """One template rendered with placeholders: literal text between (value index, escaped?) slots."""

    def __init__(self, rendered: str) -> None:
        parts = _SLOT.split(rendered)  # literal, index, ampersand, literal, index, ampersand, ..., literal
        self.literals = parts[0::3]
        self.slots = [(int(index), amp == "&amp;") for index, amp in zip(parts[1::3], parts[2::3], strict=True)]

    def fill(self, values: list[Any]) -> str:
        out = [self.literals[0]]
        for (index, escaped), literal in zip(self.slots, self.literals[1:], strict=True):
            value = values[index]
            out.append(conditional_escape(value) if escaped else str(value))  # as {{ value }} renders a string
            out.append(literal)
        return "".join(out)


class _Placeholders:
    """A context's values in order, the same context with placeholders instead, and its shape (None when
    the context holds something other than text and a ``Message``: then it is rendered the ordinary way)."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.values: list[Any] = []
        self.context: dict[str, Any] = {}
        self.shape: tuple | None = None
        shape: list[Any] = [translation.get_language()]  # the words the templates translate themselves
        for key, value in context.items():
            if isinstance(value, Message) and self._text(value.subject, value.action_label, value.action_url,
                                                         *value.paragraphs, *value.items):
                self.context[key] = Message(subject=self._stand_in(value.subject),
                                            paragraphs=[self._stand_in(p) for p in value.paragraphs],
                                            action_label=self._stand_in(value.action_label),
                                            action_url=self._stand_in(value.action_url),
                                            items=[self._stand_in(item) for item in value.items])
                shape.append((key, bool(value.subject), bool(value.action_label), bool(value.action_url),
                              tuple(map(bool, value.paragraphs)), tuple(map(bool, value.items))))
            elif self._text(value):
                self.context[key] = self._stand_in(value)
                shape.append((key, bool(value)))
            else:
                return  # no shape: rendered the ordinary way
        self.shape = tuple(shape)

    @staticmethod
    def _text(*values: Any) -> bool:
        return all(isinstance(value, str | Promise) for value in values)

    def _stand_in(self, value: Any) -> Any:
        """A placeholder for a value that shows; an empty value stays itself (an {% if %} reads it)."""
        if not value:
            return value
        self.values.append(value)
        return _slot(len(self.values) - 1)


class _LastPlaceholders:
    """``mail_build`` renders the text and the HTML template from one context in turn: its placeholders are
    worked out once for both."""

    def __init__(self) -> None:
        self.context: dict[str, Any] | None = None
        self.placeholders: _Placeholders | None = None

    def of(self, context: dict[str, Any]) -> _Placeholders:
        if self.placeholders is None or context is not self.context:
            self.context, self.placeholders = context, _Placeholders(context)
        return self.placeholders


class LayoutTemplate:
    """Stands in for a Django template in ``lms.mail.mail_build``: ``render(context)`` gives the same text."""

    def __init__(self, template: Any, last: _LastPlaceholders) -> None:
        self.template = template
        self.last = last
        self.layouts: dict[tuple, _Layout | None] = {}  # by shape; None: render that shape the ordinary way

    def render(self, context: dict[str, Any]) -> str:
        stand_ins = self.last.of(context)
        shape = stand_ins.shape
        if shape is None:
            return self.template.render(context)
        if shape not in self.layouts:
            return self._learn(shape, stand_ins, context)
        layout = self.layouts[shape]
        return self.template.render(context) if layout is None else layout.fill(stand_ins.values)

    def _learn(self, shape: tuple, stand_ins: _Placeholders, context: dict[str, Any]) -> str:
        """Render the shape's first message both ways; keep the layout only if they agree."""
        ordinary = self.template.render(context)
        layout = _Layout(self.template.render(stand_ins.context))
        self.layouts[shape] = layout if layout.fill(stand_ins.values) == ordinary else None
        return ordinary


def layout_pair(text: Any, html: Any) -> tuple[LayoutTemplate, LayoutTemplate]:
    """The text and HTML templates of one kind of mail, for one batch."""
    last = _LastPlaceholders()
    return LayoutTemplate(text, last), LayoutTemplate(html, last)

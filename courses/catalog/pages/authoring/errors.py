"""How the authoring pages show a service's refusal: on the form's field it names, else above the form."""
from __future__ import annotations

from django import forms

from lms.errors import ApplicationError


def form_refuse(form: forms.Form, error: ApplicationError) -> None:
    placed = False
    for name, messages in (error.fields or {}).items():
        if name in form.fields:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.message)

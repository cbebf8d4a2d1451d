"""A `{% translate "…%…" %}` in a template looks its text up with each % doubled (Django escapes it before the
lookup), so its catalogue entry must be written with %%: without it the page stays in English. Every such string
of every template must read in Portuguese."""
from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
TAG = re.compile(r'{%\s*translate\s+"([^"]*%[^"]*)"(?:\s+context\s+"([^"]+)")?\s*%}')


def percent_strings() -> list[tuple[str, str | None, str]]:
    found = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for text, context in TAG.findall(path.read_text()):
            found.append((text, context or None, str(path.relative_to(ROOT))))
    return found


def test_every_translate_tag_with_a_percent_sign_reads_in_portuguese():
    strings = percent_strings()
    assert strings, "the pattern found no template string with a % sign"
    untranslated = []
    with translation.override("pt-br"):
        for text, context, where in strings:
            tag = f'{{% load i18n %}}{{% translate "{text}"' + (f' context "{context}"' if context else "") + " %}"
            if Template(tag).render(Context()) == text:
                untranslated.append(f"{where}: {text!r} ({context})")
    assert not untranslated, "\n".join(untranslated)

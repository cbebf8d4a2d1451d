"""The Portuguese catalogue of the assessments pages: every entry translated, placeholders kept."""
import re
from pathlib import Path

import polib
from django.conf import settings

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def test_every_entry_is_translated_with_its_placeholders():
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "assessments/locale/pt_BR/LC_MESSAGES/django.po"),
                             check_for_duplicates=True)
    assert len(catalogue) > 150
    for entry in catalogue:
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert text.strip(), entry.msgid
            assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid

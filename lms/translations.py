"""Compile the `.po` catalogues into the `.mo` files Django reads, with polib (pure Python).

`make install` runs this, so a fresh machine needs no GNU gettext. A catalogue is compiled only
when its `.mo` is missing or older than the `.po`; the compiled files are not committed.
"""
from __future__ import annotations

import os
from pathlib import Path

import polib
from django.conf import settings


def catalogue_dirs() -> list[Path]:
    """Every locale directory Django looks in: LOCALE_PATHS and each first-party app's `locale/`."""
    base = Path(settings.BASE_DIR)
    found = [Path(path) for path in settings.LOCALE_PATHS]
    found += [base / app / "locale" for app in ("lms", "courses", "assessments")]
    return [path for path in found if path.is_dir()]


def compile_translations(*, force: bool = False) -> list[Path]:
    """Write a `.mo` beside every stale `.po`; returns the files written. Raises on a broken `.po`."""
    written = []
    for directory in catalogue_dirs():
        for source in sorted(directory.glob("*/LC_MESSAGES/*.po")):
            target = source.with_suffix(".mo")
            if not force and target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
                continue
            catalogue = polib.pofile(str(source), check_for_duplicates=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}")
            catalogue.save_as_mofile(str(partial))
            os.replace(partial, target)  # parallel test workers may compile at once
            written.append(target)
    return written

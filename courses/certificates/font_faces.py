"""The fonts the certificate draws user text with, one family per script, found on disk by file name.

DejaVu Sans ships with the project (``fonts/``) and draws Latin, Greek and Cyrillic as before. The other
scripts use Noto fonts from Debian's ``fonts-noto-core`` (Arabic, Hebrew, Devanagari, Bengali, Tamil,
Thai, and Noto Sans as a wider Latin fallback) and ``fonts-noto-cjk`` (Chinese, Japanese, Korean: one
collection file whose faces differ by regional glyph forms). The folders searched are the bundled one,
then ``settings.CERTIFICATE_FONT_DIRS`` in order. A font that is not found is logged as an error once and
its script falls back to whichever found font covers the characters (or prints as missing-glyph boxes),
so a machine without the packages still issues certificates.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import uharfbuzz as hb
from django.conf import settings

logger = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class Family:
    regular: str
    bold: str
    index: int = 0  # the face inside a font collection (.ttc)


FAMILIES = {
    "dejavu": Family("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "noto": Family("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "arabic": Family("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    "hebrew": Family("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    "devanagari": Family("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    "bengali": Family("NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
    "tamil": Family("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
    "thai": Family("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    "cjk-jp": Family("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", 0),
    "cjk-kr": Family("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", 1),
    "cjk-sc": Family("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", 2),
    "cjk-tc": Family("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", 3),
}

# The families tried first for a script (ISO 15924 code); every family is tried after them, in FALLBACK order.
SCRIPT_FAMILIES = {
    "Latn": ("dejavu", "noto"), "Grek": ("dejavu", "noto"), "Cyrl": ("dejavu", "noto"),
    "Arab": ("arabic",), "Hebr": ("hebrew",), "Deva": ("devanagari",), "Beng": ("bengali",),
    "Taml": ("tamil",), "Thai": ("thai",),
    "Hani": ("cjk-sc",), "Hira": ("cjk-jp",), "Kana": ("cjk-jp",), "Hang": ("cjk-kr",), "Bopo": ("cjk-tc",),
}
FALLBACK = ("dejavu", "noto", "arabic", "hebrew", "devanagari", "bengali", "tamil", "thai", "cjk-sc")


@dataclass(frozen=True, eq=False)
class Face:
    """One loaded font: HarfBuzz shapes with it and draws its glyph outlines."""
    name: str  # family and weight, e.g. "arabic-bold"
    path: Path
    font: hb.Font
    upem: int

    def covers(self, char: str) -> bool:
        return self.font.get_nominal_glyph(ord(char)) is not None


def font_dirs() -> tuple[Path, ...]:
    return _font_dirs(tuple(settings.CERTIFICATE_FONT_DIRS))


@cache
def _font_dirs(configured: tuple) -> tuple[Path, ...]:
    # Keyed by the setting's value, so a changed setting (tests override it) is seen at once.
    return (BUNDLED_DIR, *(Path(folder) for folder in configured))


@cache
def _load(family: str, bold: bool, dirs: tuple[Path, ...]) -> Face | None:
    spec = FAMILIES[family]
    filename = spec.bold if bold else spec.regular
    path = next((folder / filename for folder in dirs if (folder / filename).is_file()), None)
    if path is None:
        logger.error("certificate font %s is missing (searched %s); its script falls back to other fonts. "
                     "Install the Debian package that ships it or set CERTIFICATE_FONT_DIRS.",
                     filename, ", ".join(str(folder) for folder in dirs))
        return None
    face = hb.Face(hb.Blob.from_file_path(str(path)), spec.index)
    return Face(name=f"{family}-{'bold' if bold else 'regular'}", path=path, font=hb.Font(face), upem=face.upem)


def face(family: str, bold: bool) -> Face | None:
    """The family's face in the weight asked for, or None (logged) when its file is not installed."""
    return _load(family, bold, font_dirs())


def candidates(script: str, bold: bool, han_family: str = "cjk-sc") -> list[Face]:
    """Faces to try, in order, for a character of ``script``."""
    return list(_candidates(script, bold, han_family, font_dirs()))


@cache
def _candidates(script: str, bold: bool, han_family: str, dirs: tuple[Path, ...]) -> tuple[Face, ...]:
    # Each text run of every certificate asks this; the answer only changes with the font folders.
    preferred = SCRIPT_FAMILIES.get(script, ())
    if script == "Hani":
        preferred = (han_family,)
    names = dict.fromkeys((*preferred, *FALLBACK))
    return tuple(loaded for name in names if (loaded := _load(name, bold, dirs)) is not None)

"""Reading an uploaded CSV (the membership import, bulk enrollment): UTF-8 text and its delimiter.

Excel saves "CSV" with a semicolon where the decimal separator is a comma (Portuguese, most of
Europe) and "Unicode text" with tabs, so the delimiter is read from the header line: the one of
comma, semicolon and tab that appears most often outside quotes (comma when none does).

Text must be UTF-8 (with or without a BOM). Anything else is refused with a 400 that says so: a
Latin-1 or Windows-1252 file would decode into garbled names, and UTF-16 (Excel's "Unicode text")
would read as NUL-riddled noise.
"""
from __future__ import annotations

import codecs

from lms.error_codes import PlatformErrorCode
from lms.errors import ApplicationError

DELIMITERS = (",", ";", "\t")
_UTF16_SAMPLE = 512
_SAVE_AS_UTF8 = "Save it as 'CSV UTF-8' and try again."


def _looks_utf16(raw: bytes) -> bool:
    """A UTF-16 BOM, or NUL bytes at every other place, as UTF-16 gives to ASCII text."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = raw[:_UTF16_SAMPLE]
    half = len(sample) // 2
    return half >= 2 and max(sample[0::2].count(0), sample[1::2].count(0)) >= half * 3 // 4


def csv_upload_text(raw: bytes) -> str:
    """The file's text, if it is UTF-8 (a BOM is dropped); else an ``invalid_encoding`` error (400)."""
    if _looks_utf16(raw):
        raise ApplicationError(f"The file is UTF-16, not UTF-8. {_SAVE_AS_UTF8}",
                               code=PlatformErrorCode.INVALID_ENCODING)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(f"The file is not UTF-8 (byte {exc.start} cannot be read). {_SAVE_AS_UTF8}",
                               code=PlatformErrorCode.INVALID_ENCODING) from None


def csv_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line holds most often outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","

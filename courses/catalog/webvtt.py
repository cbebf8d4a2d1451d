"""WebVTT caption files: the check a file passes before a lesson keeps it, and its cues read once.

A pure builder: no database. ``captions_parse`` accepts UTF-8 WebVTT with the ``WEBVTT`` signature and at
least one timed cue, size-capped; a refusal names the line at fault ("Line 7: ..."). The cues it returns
(start and end in seconds, the text without markup) are what the lesson page's transcript shows.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import BinaryIO

from courses.catalog.errors import CatalogErrorCode, ContentError

MAX_CAPTIONS_BYTES = 1024 * 1024  # a two-hour talk's WebVTT is around 150 KB
MAX_CUES = 20_000
_HEADER = re.compile(r"^WEBVTT(?:[ \t][^\n]*)?$")
_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?$")
_TAG = re.compile(r"<[^>]*>")
_BLOCKS_WITHOUT_CUES = ("NOTE", "STYLE", "REGION")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def _refuse(message: str, code: str = CatalogErrorCode.INVALID_CAPTIONS) -> ContentError:
    return ContentError(message, code=code, fields={"captions": [message]})


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _read(data: bytes | BinaryIO) -> str:
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data[:MAX_CAPTIONS_BYTES + 1])
    else:
        raw = data.read(MAX_CAPTIONS_BYTES + 1)
        if hasattr(data, "seek"):
            data.seek(0)
    if len(raw) > MAX_CAPTIONS_BYTES:
        raise _refuse(f"The captions file is larger than {MAX_CAPTIONS_BYTES // 1024} KB.",
                      CatalogErrorCode.CAPTIONS_TOO_LARGE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise _refuse(f"Line {line}: the captions file must be UTF-8 text.") from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise _refuse(f"Line {text[:text.index(chr(0))].count(chr(10)) + 1}: the captions file holds a NUL character.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _cue_text(lines: list[str]) -> str:
    """The cue's words as a reader sees them: voice and style tags dropped, entities decoded."""
    return " ".join(html.unescape(_TAG.sub("", line)).strip() for line in lines).strip()


def _block_cue(block: list[tuple[int, str]]) -> Cue | None:
    """The cue a block holds (an optional identifier line, the timing line, the text), or None for a
    NOTE, STYLE or REGION block. A timing line that does not parse is refused with its line number."""
    first_number, first = block[0]
    if first.split(" ", 1)[0].split("\t", 1)[0] in _BLOCKS_WITHOUT_CUES and "-->" not in first:
        return None
    timing_at = 0 if "-->" in first else 1
    if timing_at >= len(block) or "-->" not in block[timing_at][1]:
        raise _refuse(f"Line {first_number}: a cue starts with its timing, like '00:01.000 --> 00:04.000'.")
    number, line = block[timing_at]
    match = _TIMING.match(line.strip())
    if not match:
        raise _refuse(f"Line {number}: '{line.strip()[:60]}' is not a cue timing like '00:01.000 --> 00:04.000'.")
    start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
    if end <= start:
        raise _refuse(f"Line {number}: the cue ends before it starts.")
    return Cue(start=start, end=end, text=_cue_text([text for _, text in block[timing_at + 1:]]))


def captions_parse(data: bytes | BinaryIO) -> list[Cue]:
    """The cues of a WebVTT file, in file order; ``ContentError`` (``invalid_captions``,
    ``captions_too_large``) naming the line at fault when it is not one."""
    lines = _read(data).split("\n")
    if not _HEADER.match(lines[0]):
        raise _refuse("Line 1: the captions file must be WebVTT: its first line must be 'WEBVTT'.")
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    # The header's own block (lines right under WEBVTT, before the first blank line) holds no cue.
    if blocks and blocks[0][0][0] == 2 and not any("-->" in line for _, line in blocks[0]):
        blocks = blocks[1:]
    cues = [cue for block in blocks if (cue := _block_cue(block)) is not None]
    if not cues:
        raise _refuse("The captions file has no timed cues (lines like '00:01.000 --> 00:04.000').")
    if len(cues) > MAX_CUES:
        raise _refuse(f"The captions file has more than {MAX_CUES} cues.")
    return cues


def time_label(seconds: float) -> str:
    """A cue's start as people read it: "0:42", "12:05", "1:02:09"."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

"""Self-hosted lesson videos: which files a lesson accepts, told by their content, and how long they last.

A pure builder: no database. ``video_inspect`` reads only a file's container headers (seeking over the
media data), so a large upload is never read whole: an MP4 (an ISO base media file whose first box is
``ftyp`` and which holds a ``moov`` with its ``mvhd``) or a WebM (an EBML document whose DocType is
``webm``). The duration comes from the MP4's ``mvhd`` or the WebM's Segment Info; 0 when the file does
not state it (a live-recorded WebM), and then the author gives it.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

from courses.catalog.errors import CatalogErrorCode, ContentError

CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
MAX_DURATION_SECONDS = 24 * 3600
_MP4_BRANDS_NOT_VIDEO = {b"M4A ", b"M4B ", b"M4P ", b"qt  "}
_EBML = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = 0x4282
_SEGMENT, _INFO, _TIMECODE_SCALE, _DURATION = 0x18538067, 0x1549A966, 0x2AD7B1, 0x4489


@dataclass(frozen=True)
class VideoInfo:
    kind: str  # "mp4" or "webm"
    content_type: str
    size: int
    duration_seconds: int


def _refuse(message: str, code: str = CatalogErrorCode.INVALID_VIDEO) -> ContentError:
    return ContentError(message, code=code, fields={"video": [message]})


def _size(handle: BinaryIO) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


# --- MP4 ----------------------------------------------------------------------------------------

def _boxes(handle: BinaryIO, start: int, end: int):
    """(type, payload offset, payload end) of each box between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        header = handle.read(16)
        size, kind = struct.unpack(">I4s", header[:8])
        payload = offset + 8
        if size == 1 and len(header) == 16:
            size, payload = struct.unpack(">Q", header[8:16])[0], offset + 16
        elif size == 0:
            size = end - offset
        if size < payload - offset or offset + size > end:
            raise _refuse("The MP4 file is damaged: a box runs past the end of the file.")
        yield kind, payload, offset + size
        offset += size


def _mp4_duration(handle: BinaryIO, size: int) -> int:
    for kind, payload, box_end in _boxes(handle, 0, size):
        if kind != b"moov":
            continue
        for inner, inner_payload, _ in _boxes(handle, payload, box_end):
            if inner == b"mvhd":
                handle.seek(inner_payload)
                data = handle.read(32)
                if data[:1] == b"\x01":
                    timescale, duration = struct.unpack(">IQ", data[20:32])
                else:
                    timescale, duration = struct.unpack(">II", data[12:20])
                return round(duration / timescale) if timescale else 0
        raise _refuse("The MP4 file has no movie header (mvhd).")
    raise _refuse("The MP4 file has no movie box (moov): it is incomplete.")


# --- WebM (EBML) --------------------------------------------------------------------------------

def _vint(handle: BinaryIO, *, keep_marker: bool) -> tuple[int, int]:
    first = handle.read(1)
    if not first:
        raise EOFError
    length = 9 - first[0].bit_length()
    if length > 8:
        raise _refuse("The WebM file is damaged: a malformed element header.")
    value = first[0] if keep_marker else first[0] & (0xFF >> length)
    for byte in handle.read(length - 1):
        value = (value << 8) | byte
    return value, length


def _elements(handle: BinaryIO, start: int, end: int):
    """(id, data offset, data size) of each element between ``start`` and ``end``; an unknown size runs to ``end``."""
    offset = start
    while offset < end:
        handle.seek(offset)
        try:
            element_id, id_length = _vint(handle, keep_marker=True)
            size, size_length = _vint(handle, keep_marker=False)
        except EOFError:
            return
        data = offset + id_length + size_length
        if size == (1 << (7 * size_length)) - 1:  # "unknown size"
            size = end - data
        yield element_id, data, size
        offset = data + size


def _webm_doctype(handle: BinaryIO, size: int) -> str:
    for element_id, data, length in _elements(handle, 0, min(size, 4096)):
        if element_id == int.from_bytes(_EBML, "big"):
            for inner_id, inner_data, inner_length in _elements(handle, data, data + length):
                if inner_id == _EBML_DOCTYPE:
                    handle.seek(inner_data)
                    return handle.read(min(inner_length, 16)).decode("ascii", "replace")
        break
    return ""


def _webm_duration(handle: BinaryIO, size: int) -> int:
    for element_id, data, length in _elements(handle, 0, size):
        if element_id != _SEGMENT:
            continue
        for inner_id, inner_data, inner_length in _elements(handle, data, min(data + length, size)):
            if inner_id != _INFO:
                continue
            scale, duration = 1_000_000, 0.0
            for info_id, info_data, info_length in _elements(handle, inner_data, inner_data + inner_length):
                handle.seek(info_data)
                raw = handle.read(min(info_length, 8))
                if info_id == _TIMECODE_SCALE:
                    scale = int.from_bytes(raw, "big")
                elif info_id == _DURATION and info_length in (4, 8):
                    duration = struct.unpack(">f" if info_length == 4 else ">d", raw)[0]
            return round(duration * scale / 1_000_000_000)
        return 0
    return 0


def video_inspect(handle: BinaryIO, *, max_bytes: int) -> VideoInfo:
    """What a lesson keeps of an uploaded video, or ``ContentError`` (``invalid_video``, ``video_too_large``).

    ``handle`` is a seekable binary file (a Django upload); it is left at its start."""
    size = _size(handle)
    if size > max_bytes:
        raise _refuse(f"The video is larger than {max_bytes // (1024 * 1024)} MB.", CatalogErrorCode.VIDEO_TOO_LARGE)
    head = handle.read(12)
    handle.seek(0)
    try:
        if len(head) == 12 and head[4:8] == b"ftyp" and head[8:12] not in _MP4_BRANDS_NOT_VIDEO:
            kind, duration = "mp4", _mp4_duration(handle, size)
        elif head[:4] == _EBML and _webm_doctype(handle, size) == "webm":
            kind, duration = "webm", _webm_duration(handle, size)
        else:
            raise _refuse("The file is not an MP4 or WebM video.")
    except (struct.error, OverflowError, ValueError):
        raise _refuse("The video file is damaged: its headers cannot be read.") from None
    finally:
        handle.seek(0)
    if not 0 <= duration <= MAX_DURATION_SECONDS:
        duration = 0
    return VideoInfo(kind=kind, content_type=CONTENT_TYPES[kind], size=size, duration_seconds=duration)

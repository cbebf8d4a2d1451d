"""Recognising an uploaded role-play recording by its content, never by its name or declared type."""
from __future__ import annotations

from assessments.roleplays.errors import RoleplayError, RoleplayErrorCode

# (offset, magic bytes, media type)
SIGNATURES: list[tuple[int, bytes, str]] = [
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
]


def sniff_media(data: bytes, *, max_bytes: int) -> str:
    """The media type of an audio or video file, or RoleplayError (``invalid_media``, ``media_too_large``)."""
    if len(data) > max_bytes:
        raise RoleplayError(f"The recording is larger than {max_bytes // (1024 * 1024)} MB.",
                            code=RoleplayErrorCode.MEDIA_TOO_LARGE,
                            fields={"media": ["Too large."]})
    if len(data) < 12:
        raise RoleplayError("The file is not an audio or video recording.", code=RoleplayErrorCode.INVALID_MEDIA,
                            fields={"media": ["Unrecognised content."]})
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return "audio/mp4" if brand in (b"M4A ", b"M4B ") else ("video/quicktime" if brand == b"qt  " else "video/mp4")
    for offset, magic, media_type in SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return media_type
    if data[0] == 0xFF and data[1] & 0xE0 == 0xE0:  # an MPEG audio frame without an ID3 tag
        return "audio/mpeg"
    raise RoleplayError("The file is not an audio or video recording (MP3, WAV, OGG, FLAC, MP4, M4A, MOV or WebM).",
                        code=RoleplayErrorCode.INVALID_MEDIA, fields={"media": ["Unrecognised content."]})

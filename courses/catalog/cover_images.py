"""Course cover pictures: checked by their content and redrawn by Pillow before anything is stored.

``cover_prepare`` takes the uploaded bytes and answers every file the cover will be served as, or raises
``ContentError``. Nothing of the upload is kept as sent: the picture is decoded, turned upright from its
EXIF orientation, cut to the card's 16:9 shape and encoded again, so no metadata survives (EXIF, GPS
positions, XMP, ICC profiles, comments). Refused, before the picture is decoded:

- anything Pillow cannot open as JPEG, PNG or WebP, whatever its name says;
- pictures with more than one frame (animated PNG or WebP);
- more than ``MAX_PIXELS`` pixels or ``MAX_SIDE`` on a side, read from the header (a small file that
  would unpack into gigabytes, a "decompression bomb"), and Pillow's own bomb check as a second lock;
- fewer than ``MIN_WIDTH`` x ``MIN_HEIGHT`` pixels (a card would show it blurred).

Each width in ``WIDTHS`` up to the picture's own is made twice: WebP, and a fallback for browsers
without WebP (JPEG; PNG when the picture has transparency).
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from courses.catalog.errors import CatalogErrorCode, ContentError

WIDTHS = (320, 640, 960)
ASPECT = (16, 9)
MAX_PIXELS = 40_000_000
MAX_SIDE = 8000
MIN_WIDTH, MIN_HEIGHT = 320, 180
MASTER_WIDTH = 1600
FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CoverFile:
    format: str  # "webp", "jpeg" or "png"
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class PreparedCover:
    master: CoverFile  # the picture as kept (cut to 16:9, at most MASTER_WIDTH wide, no metadata)
    renditions: list[CoverFile]


def _refuse(message: str, code: CatalogErrorCode = CatalogErrorCode.INVALID_COVER) -> ContentError:
    return ContentError(message, code=code, fields={"file": [message]})


def _open(data: bytes, *, max_bytes: int) -> Image.Image:
    if len(data) > max_bytes:
        raise _refuse(f"A cover picture is at most {max_bytes // (1024 * 1024)} MB.", CatalogErrorCode.COVER_TOO_LARGE)
    if not data:
        raise _refuse("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("The picture has too many pixels to be a cover.", CatalogErrorCode.COVER_TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse("The file is not a JPEG, PNG or WebP picture.") from None
    width, height = picture.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise _refuse(f"The picture is {width} x {height} pixels; a cover has at most {MAX_SIDE} pixels on a side "
                      f"and {MAX_PIXELS // 1_000_000} million in all.", CatalogErrorCode.COVER_TOO_LARGE)
    if getattr(picture, "n_frames", 1) > 1:
        raise _refuse("Animated pictures cannot be covers; upload a still picture.")
    return picture


def _decoded(picture: Image.Image) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture.load()
            upright = ImageOps.exif_transpose(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        raise _refuse("The picture is damaged or cut short.") from None
    if upright.width < MIN_WIDTH or upright.height < MIN_HEIGHT:
        raise _refuse(f"A cover is at least {MIN_WIDTH} x {MIN_HEIGHT} pixels.")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    clean = upright.convert("RGBA" if has_alpha else "RGB")
    clean.info = {}  # nothing of the upload's metadata travels further
    return clean


def _cut(picture: Image.Image) -> Image.Image:
    """The largest centred 16:9 part of the picture."""
    width, height = picture.size
    target_height = width * ASPECT[1] // ASPECT[0]
    if target_height <= height:
        top = (height - target_height) // 2
        return picture.crop((0, top, width, top + target_height))
    target_width = height * ASPECT[0] // ASPECT[1]
    left = (width - target_width) // 2
    return picture.crop((left, 0, left + target_width, height))


def _encode(picture: Image.Image, fmt: str, width: int) -> CoverFile:
    height = round(width * ASPECT[1] / ASPECT[0])
    sized = picture if picture.width == width else picture.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if fmt == "webp":
        sized.save(buffer, "WEBP", quality=80, method=4)
    elif fmt == "png":
        sized.save(buffer, "PNG", optimize=True)
    else:
        sized.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return CoverFile(format=fmt, width=width, height=sized.height, data=buffer.getvalue())


def cover_check(data: bytes, *, max_bytes: int) -> None:
    """``ContentError`` when ``cover_prepare`` would refuse ``data``; makes no size (a form's check)."""
    _decoded(_open(data, max_bytes=max_bytes))


def cover_prepare(data: bytes, *, max_bytes: int) -> PreparedCover:
    """Every file of a cover made from ``data`` (see the module docstring), or ``ContentError``."""
    picture = _cut(_decoded(_open(data, max_bytes=max_bytes)))
    fallback = "png" if picture.mode == "RGBA" else "jpeg"
    widths = [width for width in WIDTHS if width <= picture.width] or [WIDTHS[0]]
    renditions = [_encode(picture, fmt, width) for fmt in ("webp", fallback) for width in widths]
    master = _encode(picture, fallback, min(picture.width, MASTER_WIDTH))
    return PreparedCover(master=master, renditions=renditions)

"""Course cover pictures: checked by their content and redrawn by Pillow before anything is stored.

``cover_prepare`` takes the uploaded bytes and answers every file the cover will be served as, or raises
``ContentError``. Nothing of the upload is kept as sent: the picture passes the checks every uploaded picture passes
(``lms.images``: JPEG, PNG or WebP by its content, one frame, no decompression bomb), is decoded, turned
upright from its EXIF orientation, cut to the card's 16:9 shape and encoded again, so no metadata survives
(EXIF, GPS positions, XMP, ICC profiles, comments). A cover also has at least ``MIN_WIDTH`` x ``MIN_HEIGHT``
pixels (a card would show a smaller one blurred).

Each width in ``WIDTHS`` up to the picture's own is made twice: WebP, and a fallback for browsers
without WebP (JPEG; PNG when the picture has transparency).
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from courses.catalog.errors import CatalogErrorCode, ContentError
from lms import images
from lms.images import MAX_PIXELS, MAX_SIDE  # noqa: F401 (the cover's limits are every picture's)

WIDTHS = (320, 640, 960)
ASPECT = (16, 9)
MIN_WIDTH, MIN_HEIGHT = 320, 180
MASTER_WIDTH = 1600


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
    try:
        return images.picture_open(data, max_bytes=max_bytes)
    except images.ImageRefused as exc:
        raise _refused(exc) from None


def _refused(exc: images.ImageRefused) -> ContentError:
    return _refuse(exc.message, CatalogErrorCode.COVER_TOO_LARGE if exc.too_large else CatalogErrorCode.INVALID_COVER)


def _decoded(picture: Image.Image) -> Image.Image:
    try:
        return images.picture_clean(picture, min_width=MIN_WIDTH, min_height=MIN_HEIGHT)
    except images.ImageRefused as exc:
        raise _refused(exc) from None


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
    return CoverFile(format=fmt, width=width, height=sized.height, data=images.picture_encode(sized, fmt))


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

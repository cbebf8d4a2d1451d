"""Uploaded pictures, checked by their content and redrawn by Pillow: the one check every picture passes.

Course covers (courses/catalog/cover_images.py), pictures in articles and an organization's logo and
signature all go through ``picture_open`` and ``picture_clean``; each caller turns an ``ImageRefused`` into
its own domain's error. Refused, before the picture is decoded:

- anything Pillow cannot open as JPEG, PNG or WebP, whatever its name says (SVG, PDF, HTML...);
- pictures with more than one frame (animated PNG or WebP);
- more than ``MAX_PIXELS`` pixels or ``MAX_SIDE`` on a side, read from the header (a small file that
  would unpack into gigabytes, a "decompression bomb"), and Pillow's own bomb check as a second lock.

``picture_clean`` decodes the picture, turns it upright from its EXIF orientation and drops every piece of
metadata (EXIF, GPS positions, XMP, ICC profiles, comments); ``picture_encode`` writes it again, so nothing
of the upload is kept as sent.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
MAX_SIDE = 8000
FORMATS = {"JPEG", "PNG", "WEBP"}


class ImageRefused(Exception):
    """The upload is not a picture we keep; ``too_large`` says it is too big (bytes or pixels)."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def picture_open(data: bytes, *, max_bytes: int) -> Image.Image:
    """The picture in ``data``, opened but not decoded, or ``ImageRefused`` (see the module docstring)."""
    if len(data) > max_bytes:
        raise ImageRefused(f"A picture is at most {max(max_bytes // (1024 * 1024), 1)} MB.", too_large=True)
    if not data:
        raise ImageRefused("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=sorted(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("The picture has too many pixels.", too_large=True) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused("The file is not a JPEG, PNG or WebP picture.") from None
    width, height = picture.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ImageRefused(f"The picture is {width} x {height} pixels; at most {MAX_SIDE} pixels on a side "
                           f"and {MAX_PIXELS // 1_000_000} million in all.", too_large=True)
    if getattr(picture, "n_frames", 1) > 1:
        raise ImageRefused("Animated pictures are not accepted; upload a still picture.")
    return picture


def picture_clean(picture: Image.Image, *, min_width: int = 1, min_height: int = 1) -> Image.Image:
    """The decoded picture, upright, in RGB or RGBA, with no metadata; ``ImageRefused`` if it is damaged
    or smaller than ``min_width`` x ``min_height``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture.load()
            upright = ImageOps.exif_transpose(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        raise ImageRefused("The picture is damaged or cut short.") from None
    if upright.width < min_width or upright.height < min_height:
        raise ImageRefused(f"The picture is at least {min_width} x {min_height} pixels.")
    clean = upright.convert("RGBA" if picture_has_alpha(upright) else "RGB")
    clean.info = {}  # nothing of the upload's metadata travels further
    return clean


def picture_has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)


def picture_fit(picture: Image.Image, *, max_width: int, max_height: int | None = None) -> Image.Image:
    """The picture scaled down (never up) to fit ``max_width`` x ``max_height``, its shape kept."""
    limit = (max_width, max_height or picture.height)
    if picture.width <= limit[0] and picture.height <= limit[1]:
        return picture
    fitted = picture.copy()
    fitted.thumbnail(limit, Image.Resampling.LANCZOS)
    return fitted


def picture_encode(picture: Image.Image, fmt: str) -> bytes:
    """``picture`` written as ``fmt`` ("webp", "png" or "jpeg"), with no metadata."""
    buffer = io.BytesIO()
    if fmt == "webp":
        picture.save(buffer, "WEBP", quality=80, method=4)
    elif fmt == "png":
        picture.save(buffer, "PNG", optimize=True)
    else:
        picture.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def branding_prepare(data: bytes, *, max_bytes: int, max_width: int, max_height: int) -> tuple[bytes, int, int]:
    """An organization's logo or signature: checked, scaled down to fit ``max_width`` x ``max_height``, and
    written as PNG (transparency kept: a signature sits on the certificate's paper). ``ImageRefused`` otherwise."""
    picture = picture_fit(picture_clean(picture_open(data, max_bytes=max_bytes)), max_width=max_width,
                          max_height=max_height)
    return picture_encode(picture, "png"), picture.width, picture.height

"""Pictures in articles: the upload's checks and redrawing, and what the Markdown renderer makes of them.

An author uploads a picture under a NAME (a slug, unique in the lesson) with a text saying what it shows,
then writes ``![alt](image:NAME)`` in the article. The renderer turns that into an ``<img>`` at the
picture's served address (the lesson's own page route, which checks the caller like the lesson),
``loading="lazy" decoding="async"`` with its width and height, so the page does not jump while it loads.
The alt text written in the Markdown wins when it is not empty; otherwise the stored one is used.

Any other picture address (another site's, a ``data:`` URL, a name the lesson has no picture for) is
dropped: a learner's browser never asks another site for a lesson's picture. The sanitizer
(``lesson_content.sanitize_html``) keeps an ``<img>`` source only when it is such a served address.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markdown_it.token import Token

from courses.catalog.errors import ContentError
from lms import images
from lms.error_codes import PlatformErrorCode

MAX_WIDTH = 1600  # wider than any article column, twice over for sharp screens
SCHEME = "image:"
# The served address of a lesson's picture (courses/urls_pages.py "lesson-image"); nothing else is an <img> source.
SERVED_SRC = re.compile(r"^/courses/[-a-zA-Z0-9_]+/activities/[0-9]+/images/[0-9]+\.(?:webp|png|jpeg)$")
NAME = re.compile(r"^[-a-z0-9_]{1,64}$")


@dataclass(frozen=True)
class ImageRef:
    url: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class PreparedImage:
    format: str  # "webp", "png" or "jpeg": the upload's own kind, redrawn
    width: int
    height: int
    data: bytes


def _refuse(exc: images.ImageRefused) -> ContentError:
    code = PlatformErrorCode.IMAGE_TOO_LARGE if exc.too_large else PlatformErrorCode.INVALID_IMAGE
    return ContentError(exc.message, code=code, fields={"file": [exc.message]})


def image_prepare(data: bytes, *, max_bytes: int) -> PreparedImage:
    """The picture in ``data`` checked (``lms.images``) and redrawn in its own format, at most ``MAX_WIDTH``
    wide, with no metadata; ``ContentError`` (``invalid_image``, ``image_too_large``) otherwise."""
    try:
        opened = images.picture_open(data, max_bytes=max_bytes)
        kind = (opened.format or "PNG").lower()
        picture = images.picture_fit(images.picture_clean(opened), max_width=MAX_WIDTH)
    except images.ImageRefused as exc:
        raise _refuse(exc) from None
    fmt = "png" if kind == "jpeg" and picture.mode == "RGBA" else kind
    return PreparedImage(format=fmt, width=picture.width, height=picture.height,
                         data=images.picture_encode(picture, fmt))


def resolve_images(tokens: Iterable[Token], refs: Mapping[str, ImageRef]) -> None:
    """Point every ``image:NAME`` picture of parsed Markdown at its served address; drop every other picture."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        kept = []
        for child in token.children:
            if child.type == "image":
                src = child.attrGet("src") or ""
                ref = refs.get(str(src)[len(SCHEME):]) if str(src).startswith(SCHEME) else None
                if ref is None:
                    continue
                child.attrSet("src", ref.url)
                if not "".join(part.content for part in child.children or []).strip():
                    child.children = [Token("text", "", 0, content=ref.alt)]
                for name, value in (("width", ref.width), ("height", ref.height), ("loading", "lazy"),
                                    ("decoding", "async")):
                    child.attrSet(name, str(value))
            kept.append(child)
        token.children = kept


def image_src_allowed(value: str) -> bool:
    return bool(SERVED_SRC.match(value))

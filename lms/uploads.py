"""Names for uploaded files: built from the client's name, never taken from it."""
from __future__ import annotations

import re

from django.utils.text import slugify

# Device names Windows refuses as file names whatever the extension (a file saved on a Windows
# share, or downloaded with its stored name, must not be called con.pdf).
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$")


def upload_stem(filename: str, *, default: str, max_length: int) -> str:
    """A slug of the client's file name without its extension: no path, dots or markup survive;
    a reserved device name gets a suffix; an empty result becomes ``default``."""
    stem = slugify(filename.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:max_length].strip("-_")
    if _RESERVED.match(stem):
        stem = f"{stem}-file"
    return stem or default

"""Sending a stored file, after the view has checked the caller: the one way a file leaves the LMS.

Nothing serves ``MEDIA_ROOT`` at a public address, in any mode (``lms/urls.py`` mounts no media route). Every
view that hands out a stored file (an e-book, captions, a certificate PDF, an export, a role-play recording)
checks the caller first, then answers through ``file_response``, which sends the file as
``PROTECTED_MEDIA_REDIRECT`` says:

- empty (the default): Django streams the file itself;
- ``x-accel-redirect``: an empty answer naming ``PROTECTED_MEDIA_LOCATION`` + the file's storage name, which
  nginx serves from an ``internal`` location (unreachable from outside);
- ``x-sendfile``: an empty answer naming the file's path on disk, which Apache (mod_xsendfile) or lighttpd send;
- ``storage-url``: a redirect to the storage's own address for the file, for storages that sign their
  addresses and let them expire (S3 with query-string authentication). Never with the filesystem storage,
  whose addresses nothing serves.

Given the ``request``, a streamed answer honours one byte range (``Range: bytes=...``; a video's player seeks
with them): 206 with ``Content-Range``, 416 when the range starts past the end, the whole file for a range it
does not read (several ranges, another unit, an ``If-Range``), always with ``Accept-Ranges: bytes``. nginx,
Apache and S3 answer ranges themselves in the other modes.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import content_disposition_header


def file_response(file: Any, *, content_type: str, filename: str | None = None,
                  as_attachment: bool = False, cache_control: str = "private, no-store",
                  request: HttpRequest | None = None) -> HttpResponse:
    """The answer that sends ``file`` (a ``FieldFile``) to a caller already checked; never cached unless
    ``cache_control`` says otherwise (a course cover, whose address changes with every upload), and never
    in ``storage-url`` mode (the signed address it redirects to expires). With ``request``, byte ranges."""
    mode = settings.PROTECTED_MEDIA_REDIRECT
    if not mode:
        response: HttpResponse = _streamed(file, content_type=content_type, filename=filename,
                                           as_attachment=as_attachment, request=request)
    elif mode == "storage-url":
        response = HttpResponseRedirect(file.storage.url(file.name))
    else:
        response = HttpResponse(content_type=content_type)
        if mode == "x-accel-redirect":
            response["X-Accel-Redirect"] = settings.PROTECTED_MEDIA_LOCATION + quote(file.name)
        else:
            response["X-Sendfile"] = file.storage.path(file.name)
        disposition = content_disposition_header(as_attachment, filename or os.path.basename(file.name))
        if disposition:
            response["Content-Disposition"] = disposition
    # A redirect to a signed address must not outlive the signature: never kept, whatever the caller asked.
    response["Cache-Control"] = "private, no-store" if mode == "storage-url" else cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024
UNSATISFIABLE = (-1, -1)


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte a ``Range`` header asks of a file of ``size`` bytes; ``UNSATISFIABLE`` when
    none of it exists; ``None`` when the header is not one range in bytes (the whole file is sent then)."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        length = int(last)
        return (max(0, size - length), size - 1) if length and size else UNSATISFIABLE
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        return None
    return (start, end) if start < size else UNSATISFIABLE


def _chunks(handle: Any, length: int) -> Iterator[bytes]:
    try:
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _streamed(file: Any, *, content_type: str, filename: str | None, as_attachment: bool,
              request: HttpRequest | None) -> HttpResponse:
    try:
        handle = file.open("rb")
    except OSError:  # the row names a file the storage no longer has
        raise Http404 from None
    header = ""
    if request is not None and request.method == "GET" and "If-Range" not in request.headers:
        header = request.headers.get("Range", "")
    wanted = byte_range(header, file.size) if header else None
    if wanted is None:
        whole = FileResponse(handle, as_attachment=as_attachment, filename=filename or "", content_type=content_type)
        if request is not None:
            whole["Accept-Ranges"] = "bytes"
        return whole
    if wanted == UNSATISFIABLE:
        handle.close()
        refused = HttpResponse(status=416, content_type=content_type)
        refused["Content-Range"] = f"bytes */{file.size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    start, end = wanted
    handle.seek(start)
    response = StreamingHttpResponse(_chunks(handle, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{file.size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    disposition = content_disposition_header(as_attachment, filename or os.path.basename(file.name))
    if disposition:
        response["Content-Disposition"] = disposition
    return response

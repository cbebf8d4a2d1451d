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
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def file_response(file: Any, *, content_type: str, filename: str | None = None,
                  as_attachment: bool = False, cache_control: str = "private, no-store") -> HttpResponse:
    """The answer that sends ``file`` (a ``FieldFile``) to a caller already checked; never cached unless
    ``cache_control`` says otherwise (a course cover, whose address changes with every upload), and never
    in ``storage-url`` mode (the signed address it redirects to expires)."""
    mode = settings.PROTECTED_MEDIA_REDIRECT
    if not mode:
        response: HttpResponse = _streamed(file, content_type=content_type, filename=filename,
                                           as_attachment=as_attachment)
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


def _streamed(file: Any, *, content_type: str, filename: str | None, as_attachment: bool) -> FileResponse:
    try:
        handle = file.open("rb")
    except OSError:  # the row names a file the storage no longer has
        raise Http404 from None
    return FileResponse(handle, as_attachment=as_attachment, filename=filename or "", content_type=content_type)

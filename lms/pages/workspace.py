"""The frame of a role's workspace pages (/teach/, /hr/): one decorator factory, so each workspace only names
who may use it."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lms.errors import Forbidden, NotFound


def workspace_page(can_use: Callable[..., bool]) -> Callable[[Callable], Callable]:
    """Sign-in, then 403 for anyone ``can_use(actor=user)`` refuses; inside the view a selector's NotFound is
    the 404 page and its Forbidden the 403 page, so every workspace view reads as its happy path."""
    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args: Any, **kwargs: Any):
            if not can_use(actor=request.user):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404 from None
            except Forbidden as error:
                raise PermissionDenied(str(error)) from None
        return wrapped
    return decorate

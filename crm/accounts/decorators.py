"""View decorators of access: the pages only an administrator opens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from crm.accounts.access import can_administer


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; anyone but an administrator gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper

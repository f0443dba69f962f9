"""What the sales API modules share: the "everyone reads, administrators write" permission,
DRF fields whose error messages name the field in Russian (translated when shown), and the
reading of an id from a query parameter."""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers
from rest_framework.request import Request

from crm.accounts.access import can_administer


class AdministratorWrites(permissions.BasePermission):
    """Everyone logged in reads; only an administrator writes. Each API subclasses it with a
    `message` that names what it guards."""

    message: Any

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or can_administer(request.user)


def _format(template: Any, params: dict[str, Any]) -> str:
    return str(template) % {key: str(value) for key, value in params.items()}


# Messages built once, at import, but translated when shown (in the request's language).
lazy_format = lazy(_format, str)


def bool_field(label: Any) -> serializers.BooleanField:
    return serializers.BooleanField(
        required=False,
        error_messages={
            "invalid": lazy_format(
                _("Поле «%(field)s»: ожидалось true или false"), {"field": label}
            )
        },
    )


def query_int(value: Any) -> int | None:
    """An id from a query parameter: digits only, anything else is no filter."""
    text = str(value or "")
    return int(text) if text.isdigit() else None

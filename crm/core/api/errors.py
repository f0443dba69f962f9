"""One error format for the whole API:

    {"error": {"code": "invalid", "message": "…", "fields": {"inn": ["…"]}}}

Messages come in the request's language (Russian by default). Django's ValidationError raised
by a service is turned into the same 400 answer as a serializer's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Объект не найден."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"code": "error", "message": "", "fields": {}}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = _("Проверьте данные: есть ошибки в полях.")
        detail = _flatten(exc.detail)
        if isinstance(detail, dict):
            non_field = detail.pop("non_field_errors", None)
            body["fields"] = detail
            if non_field:
                body["message"] = " ".join(non_field)
        else:
            body["message"] = " ".join(detail) if isinstance(detail, list) else str(detail)
    elif isinstance(exc, exceptions.APIException):
        body["code"] = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        body["message"] = str(exc.detail)
    else:  # pragma: no cover - drf only answers APIException subclasses
        body["message"] = str(exc)
    response.data = {"error": body}
    return response

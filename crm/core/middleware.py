from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from crm.core.audit import audit_source
from crm.core.models import AuditSource


class AuditSourceMiddleware:
    """Changes made while answering /api/ are recorded as coming from the API, others from
    the web interface."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        with audit_source(source):
            return self.get_response(request)

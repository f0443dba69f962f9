"""The "События" tab of the client card (registered in crm.clients.registry by AppConfig.ready):
the whole contact history of the client, newest first, paginated."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from crm.activities.selectors import activities as selectors
from crm.core.htmx import paginate


def client_activities_tab(request: HttpRequest, client: Any) -> HttpResponse:
    """`client` was opened by clients.client_get with the user's access checked."""
    page = paginate(request, selectors.client_activities(client=client), per_page=20)
    return render(
        request,
        "activities/partials/_client_tab.html",
        {"client": client, "page": page, "now": timezone.now()},
    )

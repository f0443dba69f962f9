"""Small helpers for views that answer both full page loads and htmx fragment requests."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The fragment for an htmx request that targets part of the page, else the whole page."""
    htmx = getattr(request, "htmx", None)
    is_fragment = htmx is not None and bool(htmx) and not htmx.boosted
    return render(request, partial if is_fragment else page, context)


def paginate(request: HttpRequest, items: Any, per_page: int = 50) -> Page:
    try:
        per_page = max(10, min(int(request.GET.get("per_page", per_page)), 200))
    except ValueError:
        per_page = 50
    return Paginator(items, per_page).get_page(request.GET.get("page"))

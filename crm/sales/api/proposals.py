"""API of this part of the sale process: `register(router)` adds its viewsets to /api/v1/,
`urlpatterns` its plain views."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern


def register(router: Any) -> None:
    pass


urlpatterns: list[URLPattern] = []

"""Reads for segments of the client base: saved filters, the last group change, catalogs with
how often each entry is used."""

from __future__ import annotations

from typing import Any

from django.db import models

from crm.clients.models import GroupChange, Industry, LeadSource, SavedFilter, Tag


def saved_filters_of(user: Any) -> models.QuerySet[SavedFilter]:
    """The user's own saved filters (nobody sees another's)."""
    return SavedFilter.objects.filter(user=user).order_by("name")


def group_change_last(*, user: Any) -> GroupChange | None:
    """The user's last group change not undone yet — what "Отменить" would undo."""
    return (
        GroupChange.objects.filter(by=user, undone_at__isnull=True)
        .defer("before")
        .order_by("-at", "-id")
        .first()
    )


def lead_sources_with_usage() -> models.QuerySet[LeadSource]:
    return LeadSource.objects.annotate(used=models.Count("clients")).order_by("order", "name")


def industries_with_usage() -> models.QuerySet[Industry]:
    return Industry.objects.annotate(used=models.Count("client")).order_by("name")


def tags_with_usage() -> models.QuerySet[Tag]:
    return Tag.objects.annotate(used=models.Count("clients")).order_by("name")

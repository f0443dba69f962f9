"""Pages of the client list that stay fast whatever the sort."""

from __future__ import annotations

from django.core.paginator import Page
from django.db import models
from django.http import HttpRequest

from crm.core.htmx import paginate


def paginate_clients(request: HttpRequest, clients: models.QuerySet) -> Page:
    """Paginate the ids first, then load the page's rows with their relations.

    Sorting by a column without an index (created date, ИНН) makes the database sort every
    matching row; sorted with the joins of select_related, the sort carries the joined rows
    too (1.8 s instead of 0.15 s at 100 000 clients on SQLite). One more query, the same
    number whatever the page size."""
    page = paginate(request, clients.values_list("pk", flat=True))
    ids = list(page.object_list)
    rows = {row.pk: row for row in clients.filter(pk__in=ids).order_by()}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page

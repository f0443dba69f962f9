"""Saved filters of the client list: a user's named query strings (personal, not audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.clients.models import SavedFilter

# Parameters that say where the user is in the list, not what it holds.
NOT_SAVED = ("page",)
MAX_QUERY = 2000

ERROR_NAME_REQUIRED = gettext_lazy("Укажите название фильтра")
ERROR_NAME_TAKEN = gettext_lazy("Фильтр с таким названием у вас уже есть — выберите другое")
ERROR_NAME_LONG = gettext_lazy("Название фильтра — не длиннее 100 символов")
ERROR_QUERY_LONG = gettext_lazy("Слишком много условий, чтобы сохранить фильтр")


def normalize_query(query: str | QueryDict) -> str:
    """The query string without empty values and the page number, in a stable order."""
    params = query if isinstance(query, QueryDict) else QueryDict(query.lstrip("?"))
    kept = QueryDict(mutable=True)
    for key in sorted(params):
        if key in NOT_SAVED or key.startswith("csrf"):
            continue
        values = [value for value in params.getlist(key) if value.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


@transaction.atomic
def saved_filter_create(*, by: User, name: str, query: str | QueryDict) -> SavedFilter:
    name = (name or "").strip()
    errors: dict[str, list[Any]] = {}
    if not name:
        errors["name"] = [ERROR_NAME_REQUIRED]
    elif len(name) > 100:
        errors["name"] = [ERROR_NAME_LONG]
    elif SavedFilter.objects.filter(user=by, name__iexact=name).exists():
        errors["name"] = [ERROR_NAME_TAKEN]
    normalized = normalize_query(query)
    if len(normalized) > MAX_QUERY:
        errors["query"] = [ERROR_QUERY_LONG]
    if errors:
        raise ValidationError(errors)
    return SavedFilter.objects.create(user=by, name=name, query=normalized)


@transaction.atomic
def saved_filter_delete(*, by: User, saved_filter: SavedFilter) -> None:
    """Delete one of the user's own filters (callers fetch it through saved_filters_of)."""
    if saved_filter.user_id != by.pk:
        raise PermissionDenied
    saved_filter.delete()

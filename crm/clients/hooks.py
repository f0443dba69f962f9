"""What clients adds to the shell: its section, clients in the global search, client history."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.clients.models import Client, Industry, LeadSource, Tag
from crm.core.registry import (
    SearchHit,
    SettingsTab,
    register_history,
    register_search,
    register_settings_tab,
)


def search_clients(user: Any, query: str, limit: int) -> list[SearchHit]:
    from crm.clients.selectors import ClientFilter, client_list

    found = client_list(user=user, filters=ClientFilter(query=query, status=""))[:limit]
    return [
        SearchHit(
            title=client.name,
            subtitle=" · ".join(
                part
                for part in (
                    f"ИНН {client.inn}" if client.inn else "",
                    client.phone_display,
                    client.owner.short_name,
                )
                if part
            ),
            url=reverse("clients:detail", args=[client.pk]),
            kind=_("Клиент"),
        )
        for client in found
    ]


def client_history_access(user: Any, object_id: str) -> Client:
    from crm.clients.selectors import client_get

    return client_get(user=user, pk=object_id)


def catalog_history_access(model: type[Any]) -> Any:
    """The history of a catalog entry is the administrator's, like the catalog itself."""

    def access(user: Any, object_id: str) -> Any:
        from django.shortcuts import get_object_or_404

        from crm.accounts.access import can_administer

        if not can_administer(user) or not str(object_id).isdigit():
            raise Http404
        return get_object_or_404(model, pk=object_id)

    return access


def register() -> None:
    import crm.clients.services.completeness
    import crm.clients.services.duplicates  # noqa: F401  (registers the duplicate scan job)

    register_search(search_clients)
    register_history(Client, client_history_access)
    catalog_names = tuple(
        f"clients:catalog_{name}"
        for kind, one in (("sources", "source"), ("industries", "industry"), ("tags", "tag"))
        for name in (kind, f"{one}_create", f"{one}_edit", f"{one}_delete")
    )
    for tab in (
        SettingsTab(_("Справочники"), "clients:catalog_sources", catalog_names, order=60),
        SettingsTab(
            _("Заполненность"),
            "clients:completeness_settings",
            ("clients:completeness_settings",),
            order=70,
        ),
        SettingsTab(
            _("Правила ввода"),
            "clients:entry_rules_settings",
            ("clients:entry_rules_settings",),
            order=80,
        ),
    ):
        register_settings_tab(tab)
    for model in (LeadSource, Industry, Tag):
        register_history(model, catalog_history_access(model))

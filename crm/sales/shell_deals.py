"""What the deal pages add to the shell and to the client card: the history of a deal, deals
in the global search, the "Сделки" tab of the client card and its "Новая сделка" action.
Called from SalesConfig.ready."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.core.registry import SearchHit
from crm.sales.models import Deal


def deal_history_access(user: Any, object_id: str) -> Deal:
    from crm.sales.selectors.deals import deal_for

    return deal_for(user, object_id)


def search_deals(user: Any, query: str, limit: int) -> list[SearchHit]:
    """Deals by number, title or client name, among the ones the user may see."""
    from crm.sales.selectors.deals import DealFilter, deal_list

    if len(query.strip()) < 2:
        return []
    found = deal_list(user=user, filters=DealFilter(query=query.strip()))[:limit]
    return [
        SearchHit(
            title=f"{deal.number} {deal.title}",
            subtitle=f"{deal.client.name} · {deal.stage.name}",
            url=reverse("sales:deal_detail", args=[deal.pk]),
            kind=_("Сделка"),
        )
        for deal in found
    ]


def new_deal_url(client: Any) -> str:
    return f"{reverse('sales:deal_create')}?{urlencode({'client': client.pk})}"


def client_tab(request: Any, client: Any) -> Any:
    from crm.sales.views.deals import client_deals_tab

    return client_deals_tab(request, client)


def register() -> None:
    from crm.clients.registry import CardAction, register_card_action, register_card_tab
    from crm.core.registry import register_history, register_search

    register_history(Deal, deal_history_access)
    register_search(search_deals)
    register_card_tab("deals", _("Сделки"), 40, client_tab)
    register_card_action(
        CardAction(
            code="new_deal",
            title=_("Новая сделка"),
            icon="kanban",
            url=new_deal_url,
            order=20,
        )
    )

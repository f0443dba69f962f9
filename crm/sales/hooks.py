"""What sales adds to the shell and to the client card, registered from SalesConfig.ready:
- deals: the section «Сделки», deals in the global search, the history of a deal, the
  «Сделки» tab of the client card and its «Новая сделка» action;
- proposals: the history of a proposal (the same access as its page);
- catalog: the section «Номенклатура», the settings tab «Наши организации», products in the
  global search, the history of products, groups, units and organizations (everyone reads);
- settings: the tab «Воронки продаж» and the history of pipelines, stages, lost reasons and
  automatic steps (administrators only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import access_for_administrators
from crm.core.registry import (
    SearchHit,
    Section,
    SettingsTab,
    register_history,
    register_search,
    register_section,
    register_settings_tab,
)
from crm.sales.models import Deal, Proposal

ORGANIZATION_URL_NAMES = (
    "sales:organizations",
    "sales:organization_create",
    "sales:organization_edit",
    "sales:organization_account_create",
    "sales:organization_account_edit",
)


# --- Deals ----------------------------------------------------------------------------------


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


# --- Proposals ------------------------------------------------------------------------------


def proposal_history_access(user: Any, object_id: str) -> Proposal:
    from crm.sales.selectors.proposals import proposal_get

    return proposal_get(user=user, pk=object_id)


# --- Catalog and our organizations ----------------------------------------------------------


def search_products(user: Any, query: str, limit: int) -> list[SearchHit]:
    from crm.sales.selectors.catalog import product_search

    return [
        SearchHit(
            title=item["name"],
            subtitle=" · ".join(
                part for part in (item["article"], f"{item['price']} {item['currency']}") if part
            ),
            url=reverse("sales:product_edit", args=[item["id"]]),
            kind=_("Номенклатура"),
        )
        for item in product_search(query, limit=limit)
    ]


def readable_history(model: type[Any]) -> Any:
    """Everyone reads the catalog and our organizations, so their history too."""

    def access(user: Any, object_id: str) -> Any:
        if not str(object_id).isdigit():
            raise Http404
        return get_object_or_404(model, pk=object_id)

    return access


def register() -> None:
    from crm.clients.registry import CardAction, register_card_action, register_card_tab
    from crm.sales.models import (
        AutomationRule,
        LostReason,
        Organization,
        Pipeline,
        Product,
        ProductGroup,
        Stage,
        Unit,
    )
    from crm.sales.views.setup import PIPELINE_URL_NAMES

    register_section(
        Section(code="deals", title=_("Сделки"), icon="kanban", url_name="sales:board", order=30)
    )
    # Deals
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
    # Proposals
    register_history(Proposal, proposal_history_access)
    # Catalog and our organizations
    register_section(
        Section(
            code="catalog",
            title=_("Номенклатура"),
            icon="box-seam",
            url_name="sales:catalog",
            order=35,
        )
    )
    register_settings_tab(
        SettingsTab(_("Наши организации"), "sales:organizations", ORGANIZATION_URL_NAMES, order=65)
    )
    register_search(search_products)
    for model in (Product, ProductGroup, Unit, Organization):
        register_history(model, readable_history(model))
    # Sale-process settings
    register_settings_tab(
        SettingsTab(_("Воронки продаж"), "sales:setup_pipelines", PIPELINE_URL_NAMES, order=62)
    )
    for settings_model in (Pipeline, Stage, LostReason, AutomationRule):
        register_history(settings_model, access_for_administrators(settings_model))

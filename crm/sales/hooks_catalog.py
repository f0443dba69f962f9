"""What the catalog part of sales adds to the shell: the section «Номенклатура», the settings
tab «Наши организации», the history of products and organizations, products in the global
search. Called from SalesConfig.ready."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.core.registry import (
    SearchHit,
    Section,
    SettingsTab,
    register_history,
    register_search,
    register_section,
    register_settings_tab,
)

ORGANIZATION_URL_NAMES = (
    "sales:organizations",
    "sales:organization_create",
    "sales:organization_edit",
    "sales:organization_account_create",
    "sales:organization_account_edit",
)


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
    from crm.sales.models import Organization, Product, ProductGroup, Unit

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

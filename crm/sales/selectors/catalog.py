"""Reads of the catalog (номенклатура): everyone logged in sees all of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from crm.sales.models import Product, ProductGroup, Unit


@dataclass(frozen=True)
class ProductFilter:
    query: str = ""
    group_id: int | None = None
    kind: str = ""
    active: bool | None = None


def group_with_descendants(group_id: int) -> list[int]:
    """`group_id` and every group below it (the tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in ProductGroup.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result, stack = [], [group_id]
    while stack:
        current = stack.pop()
        if current in result:
            continue
        result.append(current)
        stack.extend(children.get(current, []))
    return result


def _search(queryset: models.QuerySet[Product], query: str) -> models.QuerySet[Product]:
    for word in query.split():
        queryset = queryset.filter(
            models.Q(name__icontains=word) | models.Q(article__icontains=word)
        )
    return queryset


def product_list(filters: ProductFilter | None = None) -> models.QuerySet[Product]:
    filters = filters or ProductFilter()
    queryset = Product.objects.select_related("unit", "group")
    if filters.query.strip():
        queryset = _search(queryset, filters.query.strip())
    if filters.group_id:
        queryset = queryset.filter(group_id__in=group_with_descendants(filters.group_id))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.active is not None:
        queryset = queryset.filter(is_active=filters.active)
    return queryset.order_by("name", "id")


def product_as_dict(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "article": product.article,
        "unit_name": product.unit.name,
        "okei_code": product.unit.okei_code,
        "price": str(product.price),
        "currency": product.currency,
        "vat_kind": product.vat_kind,
        "kind": product.kind,
    }


def product_search(query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Active products whose name or article contains every word of `query` (articles that
    match exactly come first), for the line editors of deals and proposals."""
    query = (query or "").strip()
    queryset = Product.objects.filter(is_active=True).select_related("unit")
    if query:
        queryset = _search(queryset, query)
    exact = models.Case(
        models.When(article__iexact=query, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    products = queryset.annotate(exact_article=exact).order_by("exact_article", "name", "id")
    return [product_as_dict(product) for product in products[: max(0, limit)]]


def unit_list() -> models.QuerySet[Unit]:
    return Unit.objects.order_by("name", "okei_code")


def group_tree() -> list[tuple[ProductGroup, int]]:
    """All groups in tree order with their depth (0 for the top level)."""
    groups = list(ProductGroup.objects.order_by("order", "name", "id"))
    by_parent: dict[int | None, list[ProductGroup]] = {}
    for group in groups:
        by_parent.setdefault(group.parent_id, []).append(group)
    result: list[tuple[ProductGroup, int]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for group in by_parent.get(parent_id, []):
            if group.pk in seen:
                continue
            seen.add(group.pk)
            result.append((group, depth))
            walk(group.pk, depth + 1)

    walk(None, 0)
    return result


def group_product_counts() -> dict[int, int]:
    """Products directly in each group."""
    rows = (
        Product.objects.filter(group__isnull=False)
        .values("group_id")
        .annotate(count=models.Count("id"))
        .values_list("group_id", "count")
    )
    return dict(rows)


def unit_list_with_usage() -> models.QuerySet[Unit]:
    return Unit.objects.annotate(used=models.Count("product")).order_by("name", "okei_code")

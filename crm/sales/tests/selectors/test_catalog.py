from decimal import Decimal

import pytest

from crm.sales.models import ProductGroup, ProductKind
from crm.sales.selectors import catalog as selectors
from crm.sales.tests.factories import ProductFactory, unit

pytestmark = pytest.mark.django_db


def test_product_search_contract():
    drill = ProductFactory(
        name="Дрель ударная Bosch", article="DR-100", price=Decimal("4990.50"), unit=unit("796")
    )
    ProductFactory(name="Дрель старая", article="DR-OLD", is_active=False)
    ProductFactory(name="Сверло к дрели", article="dr-100-s")
    assert selectors.product_search("DR-100") == [
        {
            "id": drill.pk,
            "name": "Дрель ударная Bosch",
            "article": "DR-100",
            "unit_name": "шт",
            "okei_code": "796",
            "price": "4990.50",
            "currency": "RUB",
            "vat_kind": "general",
            "kind": "goods",
        },
        {
            "id": selectors.product_search("dr-100-s")[0]["id"],
            "name": "Сверло к дрели",
            "article": "dr-100-s",
            "unit_name": "шт",
            "okei_code": "796",
            "price": "1000.00",
            "currency": "RUB",
            "vat_kind": "general",
            "kind": "goods",
        },
    ]
    # Every word must match, in name or article; inactive products are not offered.
    assert [item["name"] for item in selectors.product_search("дрель bosch")] == [
        "Дрель ударная Bosch"
    ]
    assert [item["name"] for item in selectors.product_search("дрел", limit=1)] == [
        "Дрель ударная Bosch"
    ]
    assert selectors.product_search("нет такого") == []


def test_product_list_filters():
    tools = ProductGroup.objects.create(name="Инструмент")
    drills = ProductGroup.objects.create(name="Дрели", parent=tools)
    other = ProductGroup.objects.create(name="Прочее")
    a = ProductFactory(name="А", group=drills)
    b = ProductFactory(name="Б", group=tools, kind=ProductKind.SERVICE)
    c = ProductFactory(name="В", group=other, is_active=False)
    filters = selectors.ProductFilter
    assert list(selectors.product_list(filters(group_id=tools.pk))) == [a, b]
    assert list(selectors.product_list(filters(kind=ProductKind.SERVICE))) == [b]
    assert list(selectors.product_list(filters(active=False))) == [c]
    assert list(selectors.product_list(filters(active=True))) == [a, b]
    assert list(selectors.product_list(filters(query="в"))) == [c]


def test_group_tree_order():
    tools = ProductGroup.objects.create(name="Инструмент", order=1)
    ProductGroup.objects.create(name="Дрели", parent=tools)
    ProductGroup.objects.create(name="Абразивы", order=2)
    assert [(group.name, depth) for group, depth in selectors.group_tree()] == [
        ("Инструмент", 0),
        ("Дрели", 1),
        ("Абразивы", 0),
    ]

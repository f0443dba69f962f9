from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from crm.core.models import AuditEntry, AuditSource
from crm.sales.models import Organization, OrganizationBankAccount, Product, ProductGroup, Unit
from crm.sales.tests.factories import OrganizationFactory, ProductFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_products_list_filters_retrieve(api, manager):
    tools = ProductGroup.objects.create(name="Инструмент")
    drill = ProductFactory(name="Дрель", article="DR-1", group=tools, price=Decimal("10.50"))
    ProductFactory(name="Болт", article="B-1")
    ProductFactory(name="Дрель старая", article="DR-0", is_active=False)
    api.force_authenticate(manager)
    response = api.get("/api/v1/products/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Болт", "Дрель"]
    response = api.get("/api/v1/products/", {"q": "дрель", "active": "all"})
    assert [row["name"] for row in response.json()["results"]] == ["Дрель", "Дрель старая"]
    response = api.get("/api/v1/products/", {"group": tools.pk})
    assert [row["id"] for row in response.json()["results"]] == [drill.pk]
    row = api.get(f"/api/v1/products/{drill.pk}/").json()
    assert row["price"] == "10.50"
    assert (row["unit_name"], row["okei_code"], row["group_name"]) == ("шт", "796", "Инструмент")
    response = api.get("/api/v1/products/search/", {"q": "dr"})
    assert [row["article"] for row in response.json()] == ["DR-1"]


def test_product_write_administrator_only(api, manager, administrator):
    payload = {"name": "Дрель", "unit": unit().pk, "price": "100", "article": "DR-1"}
    api.force_authenticate(manager)
    response = api.post("/api/v1/products/", payload, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Изменять номенклатуру и организации может только администратор"
    )
    assert not Product.objects.exists()
    api.force_authenticate(administrator)
    response = api.post("/api/v1/products/", payload, format="json")
    assert response.status_code == 201
    product_id = response.json()["id"]
    response = api.patch(f"/api/v1/products/{product_id}/", {"price": 150.555}, format="json")
    assert response.status_code == 200
    assert response.json()["price"] == "150.56"
    assert response.json()["article"] == "DR-1"
    entries = AuditEntry.objects.filter(content_type__model="product").order_by("id")
    assert [entry.source for entry in entries] == [AuditSource.API, AuditSource.API]
    api.force_authenticate(manager)
    response = api.patch(f"/api/v1/products/{product_id}/", {"price": "1"}, format="json")
    assert response.status_code == 403
    assert Product.objects.get().price == Decimal("150.56")


def test_product_bad_input(api, administrator):
    ProductFactory(name="Перфоратор", article="DR-1")
    api.force_authenticate(administrator)
    response = api.post(
        "/api/v1/products/",
        {"name": "", "unit": 999999, "price": "12,3,4", "kind": "thing", "article": "x" * 101},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "unit": ["Нет такого значения в поле «Единица измерения»: 999999"],
        "kind": ["Поле «Вид»: неизвестное значение «thing»"],
        "article": ["Поле «Артикул» — не длиннее 100 символов"],
    }
    response = api.post(
        "/api/v1/products/",
        {"name": "", "unit": unit().pk, "price": "12,3,4", "article": "dr-1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "name": ["Укажите наименование"],
        "price": ["Цена «12,3,4» — не число"],
        "article": ["Артикул «dr-1» уже есть у «Перфоратор»"],
    }
    assert Product.objects.count() == 1


def test_units_and_groups(api, manager, administrator):
    api.force_authenticate(manager)
    assert any(row["okei_code"] == "796" for row in api.get("/api/v1/units/").json())
    assert api.post("/api/v1/units/", {"okei_code": "812", "name": "ящ"}).status_code == 403
    assert api.post("/api/v1/product-groups/", {"name": "Инструмент"}).status_code == 403
    api.force_authenticate(administrator)
    response = api.post("/api/v1/units/", {"okei_code": "796", "name": "штука"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"okei_code": ["Код ОКЕИ 796 уже есть: «шт»"]}
    response = api.post("/api/v1/units/", {"okei_code": "812", "name": "ящ"}, format="json")
    assert response.status_code == 201
    assert Unit.objects.get(okei_code="812").full_name == "ящ"
    response = api.post("/api/v1/product-groups/", {"name": "Инструмент"}, format="json")
    assert response.status_code == 201
    tools = response.json()["id"]
    response = api.post(
        "/api/v1/product-groups/", {"name": "Дрели", "parent": tools}, format="json"
    )
    drills = response.json()["id"]
    response = api.patch(f"/api/v1/product-groups/{tools}/", {"parent": drills}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "parent": ["Группа не может входить в саму себя или в свою подгруппу"]
    }
    assert [row["name"] for row in api.get("/api/v1/product-groups/").json()] == [
        "Дрели",
        "Инструмент",
    ]


ORGANIZATION = {
    "name": "ООО «Ромашка»",
    "full_name": "Общество с ограниченной ответственностью «Ромашка»",
    "inn": "7707083893",
    "kpp": "770701001",
    "ogrn": "1027700132195",
    "legal_address": "г. Москва",
}


def test_organizations(api, manager, administrator):
    organization = OrganizationFactory()
    api.force_authenticate(manager)
    rows = api.get("/api/v1/organizations/").json()
    assert rows[0]["bank_accounts"][0]["account"] == "40702810938000000001"
    default = api.get("/api/v1/organizations/default/").json()
    assert default["id"] == organization.pk
    assert default["requisites"]["bank"]["bik"] == "044525225"
    assert api.post("/api/v1/organizations/", ORGANIZATION, format="json").status_code == 403
    api.force_authenticate(administrator)
    response = api.post(
        "/api/v1/organizations/", ORGANIZATION | {"inn": "7707083894", "kpp": "77"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "inn": ["Неверный ИНН: не сходится контрольное число"],
        "kpp": ["КПП — 9 знаков: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры"],
    }
    response = api.post(
        "/api/v1/organizations/", ORGANIZATION | {"is_default": True}, format="json"
    )
    assert response.status_code == 201
    new_id = response.json()["id"]
    assert list(Organization.objects.filter(is_default=True).values_list("id", flat=True)) == [
        new_id
    ]
    response = api.patch(f"/api/v1/organizations/{new_id}/", {"is_default": False}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "is_default": [
            "Одна организация должна быть по умолчанию: отметьте «по умолчанию» у другой "
            "организации"
        ]
    }
    response = api.patch(f"/api/v1/organizations/{new_id}/", {"phone": "+7 900"}, format="json")
    assert response.status_code == 200
    assert response.json()["inn"] == "7707083893"


def test_bank_accounts_api(api, manager, administrator):
    organization = OrganizationFactory(bank_account=False)
    payload = {
        "organization": organization.pk,
        "bik": "044525225",
        "bank_name": "ПАО Сбербанк",
        "account": "40702810038000000001",
    }
    api.force_authenticate(manager)
    assert api.post("/api/v1/organization-bank-accounts/", payload).status_code == 403
    api.force_authenticate(administrator)
    response = api.post("/api/v1/organization-bank-accounts/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "account": ["Расчётный счёт не соответствует БИК: не сходится контрольный ключ"]
    }
    response = api.post(
        "/api/v1/organization-bank-accounts/",
        payload | {"account": "40702810938000000001"},
        format="json",
    )
    assert response.status_code == 201
    account_id = response.json()["id"]
    assert response.json()["is_main"] is True
    response = api.patch(
        f"/api/v1/organization-bank-accounts/{account_id}/", {"bik": "123"}, format="json"
    )
    assert response.json()["error"]["fields"] == {"bik": ["БИК — 9 цифр"]}
    response = api.delete(f"/api/v1/organization-bank-accounts/{account_id}/")
    assert response.status_code == 204
    assert not OrganizationBankAccount.objects.exists()

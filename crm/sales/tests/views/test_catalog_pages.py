import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from crm.core.models import AuditEntry
from crm.sales.models import Organization, OrganizationBankAccount, Product, ProductGroup, Unit
from crm.sales.tests.factories import OrganizationFactory, ProductFactory, unit

pytestmark = pytest.mark.django_db


def product_form(**overrides):
    data = {
        "name": "Дрель ударная",
        "kind": "goods",
        "article": "DR-1",
        "unit": unit("796").pk,
        "price": "4 990,50",
        "currency": "RUB",
        "vat_kind": "general",
        "group": "",
        "description": "",
        "is_active": "on",
    }
    return data | overrides


def test_list_search_filters_and_pagination(client, manager):
    tools = ProductGroup.objects.create(name="Инструмент")
    for number in range(55):
        ProductFactory(name=f"Болт {number:02d}", article=f"B-{number:02d}")
    ProductFactory(name="Дрель", article="DR-1", group=tools)
    ProductFactory(name="Дрель старая", article="DR-0", is_active=False)
    client.force_login(manager)
    response = client.get(reverse("sales:catalog"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 56
    assert len(response.context["page"].object_list) == 50
    assert "Номенклатура" in response.content.decode()
    assert reverse("sales:product_create") not in response.content.decode()  # not an admin
    response = client.get(reverse("sales:catalog"), {"q": "dr-1"})
    assert [p.name for p in response.context["page"]] == ["Дрель"]
    response = client.get(reverse("sales:catalog"), {"group": tools.pk})
    assert [p.name for p in response.context["page"]] == ["Дрель"]
    response = client.get(reverse("sales:catalog"), {"q": "дрель", "active": "all"})
    assert [p.name for p in response.context["page"]] == ["Дрель", "Дрель старая"]
    response = client.get(reverse("sales:catalog"), {"q": "дрель", "active": "0"})
    assert [p.name for p in response.context["page"]] == ["Дрель старая"]
    response = client.get(reverse("sales:catalog"), {"page": 2})
    assert len(response.context["page"].object_list) == 6
    # htmx asks for the rows only
    response = client.get(reverse("sales:catalog"), {"q": "дрель"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "Дрель" in response.content.decode()


def test_section_in_navigation(client, manager):
    client.force_login(manager)
    response = client.get(reverse("sales:catalog"))
    sections = {item["code"]: item for item in response.context["nav_sections"]}
    assert sections["catalog"]["title"] == "Номенклатура"
    assert sections["catalog"]["icon"] == "box-seam"
    assert sections["catalog"]["active"] is True


def test_search_json(client, manager):
    product = ProductFactory(name="Дрель", article="DR-1", price=Decimal("10.5"))
    client.force_login(manager)
    response = client.get(reverse("sales:product_search"), {"q": "дрель"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": product.pk,
            "name": "Дрель",
            "article": "DR-1",
            "unit_name": "шт",
            "okei_code": "796",
            "price": "10.50",
            "currency": "RUB",
            "vat_kind": "general",
            "kind": "goods",
        }
    ]
    client.logout()
    assert client.get(reverse("sales:product_search"), {"q": "дрель"}).status_code == 302


def test_administrator_creates_and_edits(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("sales:product_create")).status_code == 200
    response = client.post(reverse("sales:product_create"), product_form())
    assert response.status_code == 302
    product = Product.objects.get()
    assert product.price == Decimal("4990.50")
    response = client.get(reverse("sales:product_edit", args=[product.pk]))
    assert response.context["form"].initial["price"] == "4990,50"
    response = client.post(
        reverse("sales:product_edit", args=[product.pk]), product_form(price="5000")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.price == Decimal("5000.00")
    assert AuditEntry.objects.filter(content_type__model="product").count() == 2


def test_bad_product_form_shows_russian_messages(client, administrator):
    ProductFactory(name="Перфоратор", article="DR-1")
    client.force_login(administrator)
    response = client.post(
        reverse("sales:product_create"), product_form(name="", price="12,3,4", unit="", article="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "name": ["Укажите наименование"],
        "unit": ["Укажите единицу измерения"],
        "price": ["Цена «12,3,4» — не число"],
    }
    response = client.post(reverse("sales:product_create"), product_form())
    assert response.context["form"].errors == {
        "article": ["Артикул «DR-1» уже есть у «Перфоратор»"]
    }
    assert Product.objects.count() == 1


def test_non_administrator_reads_only(client, manager):
    product = ProductFactory(name="Дрель")
    group = ProductGroup.objects.create(name="Инструмент")
    client.force_login(manager)
    response = client.get(reverse("sales:product_edit", args=[product.pk]))
    assert response.status_code == 200
    assert 'method="post" novalidate' not in response.content.decode()
    forbidden = [
        ("get", reverse("sales:product_create")),
        ("post", reverse("sales:product_create")),
        ("post", reverse("sales:product_edit", args=[product.pk])),
        ("get", reverse("sales:product_import")),
        ("get", reverse("sales:product_group_create")),
        ("get", reverse("sales:product_group_edit", args=[group.pk])),
        ("post", reverse("sales:product_group_delete", args=[group.pk])),
        ("get", reverse("sales:unit_create")),
        ("post", reverse("sales:unit_delete", args=[unit().pk])),
        ("get", reverse("sales:organizations")),
        ("get", reverse("sales:organization_create")),
    ]
    for method, url in forbidden:
        response = getattr(client, method)(url, product_form() if method == "post" else None)
        assert response.status_code == 403, url
    assert client.get(reverse("sales:product_groups")).status_code == 200
    assert client.get(reverse("sales:units")).status_code == 200
    assert Product.objects.get().name == "Дрель"
    assert ProductGroup.objects.count() == 1


def test_groups_and_units_pages(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("sales:product_group_create"), {"name": "Инструмент", "order": 1}
    )
    assert response.status_code == 302
    tools = ProductGroup.objects.get()
    response = client.post(
        reverse("sales:product_group_create"), {"name": "Дрели", "parent": tools.pk, "order": 1}
    )
    assert response.status_code == 302
    response = client.get(reverse("sales:product_groups"))
    assert [(g.name, depth) for g, depth, _count in response.context["rows"]] == [
        ("Инструмент", 0),
        ("Дрели", 1),
    ]
    response = client.post(reverse("sales:product_group_delete", args=[tools.pk]), follow=True)
    assert (
        "В группе есть подгруппы — сначала перенесите или удалите их" in response.content.decode()
    )
    response = client.post(reverse("sales:unit_create"), {"okei_code": "796", "name": "штука"})
    assert response.context["form"].errors == {"okei_code": ["Код ОКЕИ 796 уже есть: «шт»"]}
    response = client.post(
        reverse("sales:unit_create"), {"okei_code": "812", "name": "ящ", "full_name": "Ящик"}
    )
    assert response.status_code == 302
    assert Unit.objects.filter(okei_code="812", name="ящ").exists()


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Наименование", "Артикул", "Единица", "Цена"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "price.xlsx"
    return buffer


def test_import_preview_then_apply(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("sales:product_import"), {"file": _xlsx([["Болт", "B-1", "шт", "10"]])}
    )
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [line.action for line in plan.lines] == ["create"]
    assert "Будут созданы" in response.content.decode()
    assert not Product.objects.exists()
    response = client.post(reverse("sales:product_import"), {"step": "apply"})
    assert response.status_code == 302
    assert Product.objects.get().name == "Болт"
    # The stored file is gone after apply.
    response = client.post(reverse("sales:product_import"), {"step": "apply"}, follow=True)
    assert "Файл не найден — загрузите его снова." in response.content.decode()


def test_import_with_errors_writes_nothing(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("sales:product_import"),
        {"file": _xlsx([["Болт", "B-1", "шт", "12,3,4"], ["Гайка", "G-1", "шт", "1"]])},
    )
    assert response.context["plan"].errors == ["Строка 2: цена «12,3,4» — не число"]
    assert "Строка 2: цена «12,3,4» — не число" in response.content.decode()
    response = client.post(reverse("sales:product_import"), {"step": "apply"})
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_import_wrong_file(client, administrator):
    client.force_login(administrator)
    upload = io.BytesIO(b"hello")
    upload.name = "price.txt"
    response = client.post(reverse("sales:product_import"), {"file": upload})
    assert response.context["form"].errors == {
        "file": ["Загрузите файл CSV или XLSX: «price.txt» — файл другого типа"]
    }


def organization_form(**overrides):
    data = {
        "name": "ООО «Ромашка»",
        "full_name": "Общество с ограниченной ответственностью «Ромашка»",
        "inn": "7707083893",
        "kpp": "770701001",
        "ogrn": "1027700132195",
        "legal_address": "г. Москва",
        "director_position": "Генеральный директор",
        "is_vat_payer": "on",
        "is_active": "on",
    }
    return data | overrides


def test_organizations_settings_tab(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("sales:organizations"))
    assert response.status_code == 200
    assert "Наши организации" in response.content.decode()
    response = client.post(
        reverse("sales:organization_create"), organization_form(inn="7707083894")
    )
    assert response.context["form"].errors == {
        "inn": ["Неверный ИНН: не сходится контрольное число"]
    }
    assert not Organization.objects.exists()
    response = client.post(reverse("sales:organization_create"), organization_form())
    organization = Organization.objects.get()
    assert response.status_code == 302
    assert organization.is_default
    url = reverse("sales:organization_account_create", args=[organization.pk])
    bank = {
        "bik": "044525225",
        "bank_name": "ПАО Сбербанк",
        "correspondent_account": "30101810400000000225",
        "account": "40702810038000000001",
        "currency": "RUB",
    }
    response = client.post(url, bank)
    assert response.context["form"].errors == {
        "account": ["Расчётный счёт не соответствует БИК: не сходится контрольный ключ"]
    }
    response = client.post(url, bank | {"account": "40702810938000000001"})
    assert response.status_code == 302
    account = OrganizationBankAccount.objects.get()
    assert account.is_main
    response = client.get(reverse("sales:organization_edit", args=[organization.pk]))
    assert "40702810938000000001" in response.content.decode()
    second = OrganizationFactory(name="ИП Петров", is_default=False, bank_account=False)
    client.post(reverse("sales:organization_make_default", args=[second.pk]))
    assert list(Organization.objects.filter(is_default=True)) == [second]
    client.post(reverse("sales:organization_account_delete", args=[organization.pk, account.pk]))
    assert not OrganizationBankAccount.objects.exists()


def test_list_queries_do_not_grow(client, manager, django_assert_max_num_queries):
    group = ProductGroup.objects.create(name="Инструмент")
    for number in range(60):
        ProductFactory(name=f"Болт {number:02d}", group=group)
    client.force_login(manager)
    client.get(reverse("sales:catalog"))
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("sales:catalog"))
    few = len(captured.captured_queries)
    for number in range(60, 200):
        ProductFactory(name=f"Болт {number:03d}", group=group)
    with django_assert_max_num_queries(few):
        client.get(reverse("sales:catalog"))

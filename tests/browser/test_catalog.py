"""The catalog and our organizations in a real browser, as an administrator keeps them: the
list with live search, a new product (a bad price first), an import with a preview, the
settings tab «Наши организации»; a manager only reads."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import UserFactory
from crm.sales.models import Product
from crm.sales.tests.factories import OrganizationFactory, ProductFactory
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def admin_user():
    return UserFactory(
        username="adm", first_name="Анна", last_name="Админова", role=Role.ADMINISTRATOR
    )


def test_administrator_keeps_catalog(page, admin_user, tmp_path):
    ProductFactory(name="Перфоратор Makita", article="MK-1")
    ProductFactory(name="Болт М8", article="B-8")
    login(page, "adm")
    page.locator("#sidebar").get_by_role("link", name="Номенклатура").click()
    expect(page.get_by_role("heading", name="Номенклатура")).to_be_visible()
    page.locator("#f-q").fill("mk-1")
    expect(page.locator("#product-rows tbody tr")).to_have_count(1)
    expect(page.locator("#product-rows")).to_contain_text("Перфоратор Makita")
    assert_fits_laptop(page)
    screenshot(page, "catalog-list")

    page.get_by_role("link", name="Новая позиция").click()
    page.get_by_label("Наименование").fill("Дрель ударная")
    page.get_by_label("Артикул").fill("DR-1")
    page.get_by_label("Цена").fill("12,3,4")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Цена «12,3,4» — не число")).to_be_visible()
    screenshot(page, "catalog-product-form-error")
    page.get_by_label("Цена").fill("4 990,50")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Сохранено: «Дрель ударная».")).to_be_visible()
    assert str(Product.objects.get(article="DR-1").price) == "4990.50"

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Наименование", "Артикул", "Единица", "Цена", "Группа"])
    sheet.append(["Сверло 6 мм", "SV-6", "шт", 120, "Оснастка"])
    sheet.append(["Дрель ударная", "DR-1", "шт", 5100, ""])
    path = tmp_path / "price.xlsx"
    workbook.save(path)
    page.get_by_role("link", name="Импорт").click()
    page.get_by_label("Файл CSV или XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator("#stat-create")).to_have_text("1")
    expect(page.locator("#stat-update")).to_have_text("1")
    screenshot(page, "catalog-import-preview")
    page.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_text("Загружено: создано 1, изменено 1, без изменений 0.")).to_be_visible()
    assert Product.objects.get(article="SV-6").group.name == "Оснастка"


def test_organizations_tab(page, admin_user):
    OrganizationFactory()
    login(page, "adm")
    page.goto("/deals/catalog/organizations/")
    expect(page.get_by_role("link", name="Наши организации")).to_be_visible()
    page.get_by_role("link", name="ООО «Свод»").click()
    expect(page.locator("#bank-accounts")).to_contain_text("40702810938000000001")
    page.get_by_label("ИНН").fill("7707083894")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Неверный ИНН: не сходится контрольное число")).to_be_visible()
    assert_fits_laptop(page)
    screenshot(page, "catalog-organization-form")


def test_manager_reads_only(page):
    UserFactory(username="mgr", role=Role.MANAGER)
    product = ProductFactory(name="Перфоратор Makita", article="MK-1")
    login(page, "mgr")
    page.goto("/deals/catalog/")
    expect(page.get_by_role("link", name="Новая позиция")).to_have_count(0)
    page.get_by_role("link", name="Перфоратор Makita").click()
    expect(page.get_by_text("MK-1")).to_be_visible()
    expect(page.get_by_role("button", name="Сохранить")).to_have_count(0)
    response = page.request.get("/deals/catalog/new/")
    assert response.status == 403
    assert product.pk
    screenshot(page, "catalog-product-readonly")

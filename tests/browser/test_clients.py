"""The client pages in a real browser, as a manager uses them: the list with live search, the
card with its tabs, creating a client (a wrong ИНН first), archiving, and someone else's card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.clients import services
from crm.clients.domain.requisites import inn_control_digits
from crm.clients.models import Client, ClientStatus
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data. Each test's flush also empties what the data
    # migrations created (roles, catalogs); serialized_rollback loads it again before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MY_CLIENTS = ["АО «Вектор»", "ООО «Альфа-Снаб»", "ООО «Альфа-Трейд»"]  # as the list sorts them
STRANGERS_CLIENT = "ООО «Альфа-Регион»"


@pytest.fixture
def manager():
    return UserFactory(
        username="kotova",
        first_name="Мария",
        last_name="Котова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Москва»"),
    )


@pytest.fixture
def stranger():
    """A manager of another department."""
    return UserFactory(
        username="sidorova",
        first_name="Елена",
        last_name="Сидорова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Регионы»"),
    )


@pytest.fixture
def clients(manager, stranger):
    mine = [ClientFactory(name=name, owner=manager) for name in MY_CLIENTS]
    theirs = ClientFactory(name=STRANGERS_CLIENT, owner=stranger)
    return mine, theirs


def client_rows(page):
    return page.locator("#client-rows tbody tr")


def client_names(page):
    """The name of a client is the one link in its row."""
    return client_rows(page).get_by_role("link")


def test_list_shows_own_clients_and_filters_as_you_type(page, clients):
    login(page, "kotova")
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Клиенты").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Клиенты")
    expect(client_rows(page)).to_have_count(3)
    expect(client_names(page)).to_have_text(MY_CLIENTS)
    expect(page.locator("#client-rows")).not_to_contain_text(STRANGERS_CLIENT)
    expect(client_rows(page).first).to_contain_text("Котова М.")
    assert_fits_laptop(page)
    screenshot(page, "client_list")

    search = page.get_by_placeholder("название, ИНН, телефон, e-mail")
    search.press_sequentially("альфа", delay=30)
    expect(client_rows(page)).to_have_count(2)
    expect(client_names(page)).to_have_text(["ООО «Альфа-Снаб»", "ООО «Альфа-Трейд»"])
    expect(page).to_have_url(re.compile(r"[?&]q=%D0%B0%D0%BB%D1%8C%D1%84%D0%B0"))  # q=альфа

    search.fill("")
    search.press_sequentially("трейд", delay=30)
    expect(client_rows(page)).to_have_count(1)
    expect(client_names(page)).to_have_text(["ООО «Альфа-Трейд»"])

    search.fill("")
    search.press_sequentially("нет такого", delay=30)
    expect(client_rows(page)).to_have_count(1)
    expect(client_rows(page)).to_have_text("Клиентов не найдено.")


def test_card_tabs_load_requisites_contacts_and_history(page, manager):
    client = services.client_create(
        by=manager,
        name="ООО «Ромашка»",
        full_name="Общество с ограниченной ответственностью «Ромашка»",
        inn="7707083893",
        kpp="770701001",
        region="Москва",
        source=LeadSourceFactory(name="Сайт"),
    )
    services.contact_add(
        by=manager,
        client=client,
        last_name="Петров",
        first_name="Игорь",
        position="Директор по закупкам",
        is_main=True,
    )
    services.client_update(by=manager, client=client, region="Московская область")
    login(page, "kotova")
    page.goto("/clients/")
    page.get_by_role("link", name="ООО «Ромашка»").click()

    expect(page).to_have_url(re.compile(rf"/clients/{client.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ООО «Ромашка»")
    tab = page.locator("#client-tab")
    # Реквизиты is the tab open by default.
    expect(tab).to_contain_text("Общество с ограниченной ответственностью «Ромашка»")
    expect(tab).to_contain_text("7707083893")
    expect(tab).to_contain_text("Банковские счета")
    expect(tab).to_contain_text("Счетов нет.")
    assert_fits_laptop(page)
    screenshot(page, "client_card")

    tabs = page.get_by_role("tablist")
    tabs.get_by_role("link", name="Контакты").click()
    expect(tab.locator("tbody tr")).to_have_count(1)
    expect(tab.locator("tbody tr")).to_contain_text("Петров Игорь")
    expect(tab.locator("tbody tr")).to_contain_text("Директор по закупкам")
    expect(tabs.get_by_role("link", name="Контакты")).to_have_class(re.compile(r"\bactive\b"))

    tabs.get_by_role("link", name="Реквизиты").click()
    expect(tab).to_contain_text("Банковские счета")

    tabs.get_by_role("link", name="История").click()
    history = tab.locator("tbody tr")
    expect(history).to_have_count(3)  # newest first
    expect(history.nth(0)).to_contain_text("Изменение")
    expect(history.nth(0)).to_contain_text("Регион: Москва → Московская область")
    expect(history.nth(1)).to_contain_text("Добавлено контактное лицо")
    expect(history.nth(1)).to_contain_text("Петров Игорь, Директор по закупкам")
    expect(history.nth(2)).to_contain_text("Создание")
    expect(history.nth(2)).to_contain_text("Котова М.")
    screenshot(page, "client_card_history")

    tabs.get_by_role("link", name="Сделки").click()
    expect(tab).to_contain_text("У клиента пока нет сделок.")


def test_new_client_wrong_inn_then_valid_then_archive(page, manager):
    login(page, "kotova")
    page.goto("/clients/")
    page.get_by_role("link", name="Новый клиент").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Новый клиент")

    page.get_by_role("textbox", name="Наименование", exact=True).fill("ООО «Новые горизонты»")
    page.get_by_role("textbox", name="ИНН", exact=True).fill("7707083894")
    page.get_by_label("Источник").select_option(label="Рекомендация")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_text("Неверный ИНН: не сходится контрольное число")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Новый клиент")
    assert Client.objects.count() == 0
    assert_fits_laptop(page)
    screenshot(page, "client_form_error")

    valid_inn = "502901234" + inn_control_digits("502901234")
    page.get_by_role("textbox", name="ИНН", exact=True).fill(valid_inn)
    page.get_by_role("button", name="Сохранить").click()

    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ООО «Новые горизонты»")
    expect(page.get_by_role("alert")).to_contain_text("Клиент «ООО «Новые горизонты»» создан.")
    created = Client.objects.get()
    assert (created.name, created.inn) == ("ООО «Новые горизонты»", valid_inn)
    assert created.owner == manager

    page.get_by_role("button", name="В архив").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading.locator(".badge")).to_have_text("в архиве")
    expect(page.get_by_role("alert")).to_contain_text("Клиент перенесён в архив.")
    expect(page.get_by_role("button", name="Восстановить")).to_be_visible()
    created.refresh_from_db()
    assert created.status == ClientStatus.ARCHIVED


def test_someone_elses_client_card_is_not_found(page, clients):
    _, theirs = clients
    login(page, "kotova")
    response = page.goto(f"/clients/{theirs.pk}/")

    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(STRANGERS_CLIENT)
    screenshot(page, "client_not_found")

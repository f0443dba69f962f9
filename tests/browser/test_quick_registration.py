"""Quick registration in a real browser, as a manager takes a call: the form opens with the
cursor in the first field, duplicates appear while typing (a colleague's card without a link,
an own card with one), Enter saves and the new card opens with its completeness."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.clients.models import Client, ClientKind
from crm.clients.tests.factories import ClientFactory
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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
    return UserFactory(
        username="sidorova",
        first_name="Елена",
        last_name="Сидорова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Регионы»"),
    )


def test_quick_registration_warns_of_duplicates_and_opens_the_card(page, manager, stranger):
    own = ClientFactory(owner=manager, name="АО «Вектор»", phone="+74957001020")
    ClientFactory(owner=stranger, name="ООО «Северный ветер»", phone="")
    login(page, "kotova")
    page.goto("/clients/")
    page.get_by_role("link", name="Быстрая регистрация").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Быстрая регистрация")
    expect(page.get_by_label("Название или ИНН")).to_be_focused()

    page.keyboard.type("Северный ветер", delay=20)
    duplicates = page.locator("#duplicate-list li")
    expect(duplicates).to_have_count(1)
    expect(duplicates.first).to_contain_text("ООО «Северный ветер»")
    expect(duplicates.first).to_contain_text("ведёт Сидорова Е.")
    expect(duplicates.first.get_by_role("link")).to_have_count(0)

    page.keyboard.press("Tab")
    expect(page.get_by_label("Телефон")).to_be_focused()
    page.keyboard.type("8 495 700-10-20", delay=20)
    expect(duplicates).to_have_count(2)
    own_row = duplicates.filter(has_text="АО «Вектор»")
    expect(own_row).to_contain_text("Совпадает телефон +74957001020")
    expect(own_row.get_by_role("link", name="Открыть карточку")).to_have_attribute(
        "href", f"/clients/{own.pk}/"
    )
    expect(page.get_by_text("Похожие клиенты уже есть.")).to_be_visible()
    assert_fits_laptop(page)
    screenshot(page, "client_quick_duplicates")

    # A new caller after all: another name, the source, Enter.
    name = page.get_by_label("Название или ИНН")
    name.fill("")
    name.press_sequentially("ООО «Южный ветер»", delay=10)
    page.get_by_label("Телефон").fill("+7 495 700-99-88")
    page.get_by_label("Контактное лицо").fill("Орлов Павел")
    page.get_by_label("Источник").select_option(label="Холодный звонок")
    page.get_by_label("Контактное лицо").press("Enter")

    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ООО «Южный ветер»")
    expect(page.get_by_role("alert").first).to_contain_text(
        "Клиент «ООО «Южный ветер»» зарегистрирован."
    )
    panel = page.locator("#completeness-panel")
    expect(panel).to_contain_text("20 %")
    expect(panel).to_contain_text("Перед первым счётом не хватает: ИНН, КПП, Юридический адрес")
    created = Client.objects.get(name="ООО «Южный ветер»")
    assert (created.phone, created.owner, created.source.name) == (
        "+74957009988",
        manager,
        "Холодный звонок",
    )
    assert created.contacts.get().full_name == "Орлов Павел"
    screenshot(page, "client_quick_card")


def test_twelve_digit_inn_switches_to_entrepreneur_and_source_is_required(page, manager):
    login(page, "kotova")
    page.goto("/clients/quick/")
    # Type only once the page is ready: the field has its autofocus and the script its handlers.
    expect(page.get_by_label("Название или ИНН")).to_be_focused()
    page.wait_for_load_state("load")
    page.keyboard.type("500100732259", delay=10)
    expect(page.get_by_label("Вид")).to_have_value(ClientKind.ENTREPRENEUR)
    page.get_by_label("E-mail").fill("ip@example.ru")
    page.get_by_role("button", name="Зарегистрировать").click()

    expect(page.get_by_text("Укажите источник")).to_be_visible()
    assert Client.objects.count() == 0
    page.get_by_label("Источник").select_option(label="Сайт")
    page.get_by_role("button", name="Зарегистрировать").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Клиент ИНН 500100732259")
    assert Client.objects.get().kind == ClientKind.ENTREPRENEUR

"""Duplicates in a real browser, as a manager uses them: start the full scan from the client
list, watch it finish, merge two cards of one company side by side, undo the merge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.clients.models import Client, ClientContact, ClientStatus, Merge
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.jobs import run_pending
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
def twins(manager):
    kept = ClientFactory(
        owner=manager, name="ООО «Ромашка Плюс»", phone="+74951234567", email="", region="Москва"
    )
    copy = ClientFactory(
        owner=manager,
        name="Ромашка Плюс ООО",
        inn="",
        kpp="",
        phone="+74957654321",
        email="info@romashka.ru",
        region="Москва",
    )
    ClientFactory(owner=manager, name="АО «Василёк»")
    person = ContactPersonFactory(last_name="Петрова", first_name="Анна")
    ClientContact.objects.create(client=copy, contact=person, is_main=True)
    return kept, copy, person


def test_scan_merge_and_undo(page, twins):
    kept, copy, person = twins
    login(page, "kotova")
    page.goto("/clients/")
    page.get_by_role("link", name="Дубли").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Дубли")
    expect(page.locator("#duplicate-rows")).to_contain_text("Возможных дублей не найдено")

    page.get_by_role("button", name="Найти дубли").click()
    expect(page.locator("#duplicate-scan")).to_contain_text("Поиск дублей в очереди")
    run_pending(worker_id="browser-test")  # what the worker does
    # The progress panel polls, sees the scan done and the list reloads by itself.
    rows = page.locator("#duplicate-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("ООО «Ромашка Плюс»")
    expect(rows.first).to_contain_text("Ромашка Плюс ООО")
    expect(rows.first).to_contain_text("Похожее название (100 %)")
    assert_fits_laptop(page)
    screenshot(page, "duplicates_list")

    rows.first.get_by_role("link", name="Объединить").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Объединение карточек клиента")
    expect(page.locator("#merge-fields")).to_contain_text("+7 495 765-43-21")
    page.locator("#c-phone-merged").check()
    screenshot(page, "duplicates_merge")
    page.locator("main form button[type=submit]", has_text="Объединить").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Объединение №")
    expect(page.locator("main")).to_contain_text("Контакты клиента: 1")
    kept.refresh_from_db()
    copy.refresh_from_db()
    assert (kept.phone, kept.email) == ("+74957654321", "info@romashka.ru")
    assert (copy.status, copy.merged_into_id) == (ClientStatus.MERGED, kept.pk)
    assert ClientContact.objects.get(contact=person).client_id == kept.pk

    page.get_by_role("button", name="Отменить объединение").click()
    expect(page.locator(".alert-success")).to_contain_text("Объединение отменено")
    expect(page.get_by_role("heading", level=1)).to_contain_text("отменено")
    kept.refresh_from_db()
    copy.refresh_from_db()
    assert (kept.phone, kept.email, copy.status) == ("+74951234567", "", ClientStatus.ACTIVE)
    assert ClientContact.objects.get(contact=person).client_id == copy.pk
    assert Merge.objects.get().undone_at is not None
    assert re.search(r"/clients/merges/\d+/$", page.url)
    assert Client.objects.filter(status=ClientStatus.MERGED).count() == 0

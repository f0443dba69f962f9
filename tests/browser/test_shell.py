"""The shell in a real browser: logging in and out, the sidebar, the global search, the bell and
the laptop layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.clients import services as client_services
from crm.clients.models import LeadSource
from crm.clients.tests.factories import ClientFactory
from crm.core import registry
from crm.core.models import Notification
from crm.core.services import notification_create
from crm.demo.seed import DEMO_PASSWORD, seed
from tests.browser.helpers import SIDEBAR_COLOR, assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data. Each test's flush also empties what the data
    # migrations created (roles, catalogs); serialized_rollback loads it again before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The sidebar, in order: section code, link title and the heading of the page once the section
# is built. A section not built yet opens a placeholder headed by its title; whether it is built
# is read from the registry, so a section that lands does not break this test.
SECTIONS = [
    ("dashboard", "Рабочий стол", "Добрый день, Мария"),
    ("clients", "Клиенты", "Клиенты"),
    ("activities", "События", "Мои дела"),
    ("calendar", "Календарь", "Календарь"),
    ("deals", "Сделки", "Сделки"),
    ("catalog", "Номенклатура", "Номенклатура"),
    ("contracts", "Договоры и счета", "Договоры и счета"),
    ("payments", "Оплаты", "Оплаты"),
    ("onec", "Обмен с 1С", "Обмен с 1С"),
    ("analytics", "Аналитика", "Аналитика"),
]


def is_built(code: str) -> bool:
    return registry.section(code).url_name is not None


@pytest.fixture
def manager():
    return UserFactory(
        username="kotova",
        first_name="Мария",
        last_name="Котова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Москва»"),
    )


def sidebar(page):
    return page.get_by_role("navigation", name="Разделы")


def test_manager_logs_in_and_opens_every_section(page, manager):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("button", name="Войти")).to_be_visible()
    screenshot(page, "login")

    page.get_by_label("Имя пользователя").fill("kotova")
    page.get_by_label("Пароль").fill("secret-pass-123")
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Добрый день, Мария")
    expect(page.locator("#user-menu")).to_contain_text("Котова М.")
    expect(page.locator("#user-menu")).to_contain_text("Менеджер")
    # The stylesheets are served: svod.css makes the sidebar dark and 232 px wide.
    expect(page.locator("#sidebar")).to_have_css("background-color", SIDEBAR_COLOR)
    expect(page.locator("#sidebar")).to_have_css("width", "232px")
    assert_fits_laptop(page)
    screenshot(page, "dashboard")

    links = sidebar(page).get_by_role("link")
    expect(links.locator("span:first-of-type")).to_have_text([title for _, title, _ in SECTIONS])
    for code, title, _ in SECTIONS:
        soon_mark = links.filter(has_text=title).locator(".app-nav-soon")
        expect(soon_mark).to_have_count(0 if is_built(code) else 1)
    expect(sidebar(page).get_by_role("link", name="Настройки")).to_have_count(0)

    placeholder_shot = False
    for code, title, heading in SECTIONS:
        link = sidebar(page).get_by_role("link", name=title)
        with page.expect_navigation() as navigation:
            link.click()
        assert navigation.value.status == 200, f"{title}: {navigation.value.status}"
        expect(link).to_have_class(re.compile(r"\bactive\b"))
        soon = page.get_by_text("Раздел скоро появится")
        if is_built(code):
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            expect(soon).to_have_count(0)
        else:
            expect(page).to_have_title(f"{title} · Свод CRM")
            expect(page.get_by_role("heading", level=1)).to_have_text(title)
            expect(soon).to_be_visible()
            expect(
                page.get_by_text("Этот раздел ещё в разработке. Остальные разделы уже работают.")
            ).to_be_visible()
            if not placeholder_shot:
                screenshot(page, "section_soon")
                placeholder_shot = True
        assert_fits_laptop(page)

    # Typing the address of the settings does not help either.
    assert page.goto("/accounts/settings/users/").status == 403


def test_administrator_sees_settings_with_users_and_the_audit_log(page):
    seed("small")
    ivanova = User.objects.get(username="ivanova")
    client = client_services.client_create(
        by=ivanova,
        name="ООО «Журнальный тест»",
        inn="7707083893",
        kpp="770701001",
        source=LeadSource.objects.get(name="Сайт"),
    )
    client_services.client_update(by=ivanova, client=client, region="Москва")

    login(page, "admin", DEMO_PASSWORD)
    settings = sidebar(page).get_by_role("link", name="Настройки")
    expect(settings).to_be_visible()
    settings.click()

    expect(page).to_have_url(re.compile(r"/accounts/settings/users/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Настройки")
    rows = page.locator("#user-rows tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.filter(has_text="ivanova")).to_contain_text("Иванова Анна Павловна")
    expect(rows.filter(has_text="ivanova")).to_contain_text("Менеджер")
    expect(rows.filter(has_text="buh")).to_contain_text("Бухгалтер")
    expect(rows.filter(has_text="admin")).to_contain_text("Администратор")
    assert_fits_laptop(page)
    screenshot(page, "settings_users")

    page.get_by_role("link", name="Журнал изменений").click()
    expect(page).to_have_url(re.compile(r"/settings/audit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Настройки")
    entries = page.locator("#audit-rows tbody tr")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Изменение")
    expect(entries.nth(0)).to_contain_text("ООО «Журнальный тест»")
    expect(entries.nth(0)).to_contain_text("Москва")
    expect(entries.nth(1)).to_contain_text("Создание")
    expect(entries.nth(1)).to_contain_text("Иванова А. П.")
    assert_fits_laptop(page)
    screenshot(page, "audit_log")


def test_global_search_finds_a_client_and_opens_its_card(page, manager):
    ClientFactory(name="ООО «Ромашка-Трейд»", owner=manager)
    ClientFactory(name="АО «Вектор»", owner=manager)
    stranger = UserFactory(
        role=Role.MANAGER, department=DepartmentFactory(name="Отдел продаж «Регионы»")
    )
    ClientFactory(name="ООО «Ромашка-Север»", owner=stranger)
    login(page, "kotova")

    page.get_by_role("searchbox", name="Поиск").press_sequentially("ромаш", delay=30)

    hits = page.locator("#search-dropdown .list-group-item")
    expect(hits).to_have_count(1)
    expect(hits).to_contain_text("ООО «Ромашка-Трейд»")
    expect(hits).to_contain_text("Клиент")
    screenshot(page, "search_dropdown")
    hits.click()

    expect(page).to_have_url(re.compile(r"/clients/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ООО «Ромашка-Трейд»")


def test_global_search_says_when_nothing_is_found(page, manager):
    login(page, "kotova")
    page.get_by_role("searchbox", name="Поиск").press_sequentially("щщщ", delay=30)
    expect(page.locator("#search-dropdown")).to_have_text("Ничего не найдено.")


def test_bell_counts_unread_notifications_and_marks_them_read(page, manager):
    login(page, "kotova")
    expect(page.locator("#bell-toggle")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_count(0)

    notification_create(
        user=manager,
        title="Счёт № 15 оплачен",
        body="ООО «Ромашка» оплатило 120 000 ₽",
        email=False,
    )
    page.reload()

    expect(page.locator("#bell-count")).to_have_text("1")
    page.locator("#bell-toggle").click()
    menu = page.locator("#bell .dropdown-menu")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text("Счёт № 15 оплачен")
    expect(menu).to_contain_text("ООО «Ромашка» оплатило 120 000 ₽")
    screenshot(page, "bell_dropdown")

    menu.get_by_role("button", name="Прочитать все").click()
    expect(page.locator("#bell-count")).to_have_count(0)
    assert Notification.objects.get().read_at is not None
    page.reload()
    expect(page.locator("#bell-toggle")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_count(0)


def test_logout_from_the_user_menu_returns_to_the_login_page(page, manager):
    login(page, "kotova")
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Выйти").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Войти")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_wrong_password_is_refused(page, manager):
    page.goto("/accounts/login/")
    page.get_by_label("Имя пользователя").fill("kotova")
    page.get_by_label("Пароль").fill("not-the-password")
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_role("alert")).to_have_text("Неверное имя пользователя или пароль.")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("Имя пользователя")).to_have_value("kotova")

"""The administrator's settings tabs «Производственный календарь» and «Воронки продаж» in a
real browser: a correction of the calendar (a date twice first), a stage moved up, a new stage
with a bad probability first."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import UserFactory
from crm.core import workdays
from crm.core.models import WorkdayCorrection
from crm.sales.models import Stage
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def admin_user():
    workdays.clear_cache()
    yield UserFactory(
        username="adm", first_name="Анна", last_name="Админова", role=Role.ADMINISTRATOR
    )
    workdays.clear_cache()


def test_production_calendar_tab(page, admin_user):
    login(page, "adm")
    page.goto("/settings/calendar/?year=2026")
    expect(page.get_by_role("link", name="Производственный календарь")).to_be_visible()
    expect(page.locator("#special-days")).to_contain_text("09.01.2026")
    assert_fits_laptop(page)
    page.get_by_label("Дата").fill("2026-06-11")
    page.get_by_label("День", exact=True).select_option("day_off")
    page.get_by_label("Основание").fill("Приказ № 5")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("Поправка на 11.06.2026 сохранена.")).to_be_visible()
    expect(page.locator("#corrections")).to_contain_text("Приказ № 5")
    screenshot(page, "settings-production-calendar")
    page.get_by_label("Дата").fill("2026-06-11")
    page.get_by_label("День", exact=True).select_option("working")
    page.get_by_role("button", name="Добавить").click()
    expect(
        page.get_by_text("На 11.06.2026 поправка уже есть — удалите её, чтобы задать другую")
    ).to_be_visible()
    screenshot(page, "settings-production-calendar-error")
    assert WorkdayCorrection.objects.get().date == dt.date(2026, 6, 11)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#corrections").get_by_role("button", name="Удалить").click()
    expect(page.get_by_text("Поправка на 11.06.2026 удалена")).to_be_visible()
    assert not WorkdayCorrection.objects.exists()


def test_pipelines_tab(page, admin_user):
    login(page, "adm")
    page.goto("/deals/settings/")
    expect(page.get_by_role("link", name="Воронки продаж")).to_be_visible()
    assert_fits_laptop(page)
    screenshot(page, "settings-pipelines")
    decision = Stage.objects.get(pipeline__code="sale", code="decision")
    row = page.locator("tr", has_text="Ожидание решения")
    row.get_by_role("button", name="Выше").click()
    expect(page.locator(".stage-table tbody tr").nth(1)).to_contain_text("Ожидание решения")
    decision.refresh_from_db()
    assert decision.order == 20

    page.get_by_role("link", name="Добавить этап").click()
    page.get_by_label("Название").fill("Демонстрация")
    page.get_by_label("Код").fill("demo")
    page.get_by_label("Вероятность, %").fill("150")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Вероятность — целое число от 0 до 100")).to_be_visible()
    screenshot(page, "settings-stage-form-error")
    page.get_by_label("Вероятность, %").fill("40")
    page.get_by_label("Контактное лицо").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Этап «Демонстрация» сохранён.")).to_be_visible()
    demo = Stage.objects.get(pipeline__code="sale", code="demo")
    assert (demo.probability, demo.required_fields) == (40, ["contact"])

    page.get_by_role("link", name="Автоматические шаги").click()
    expect(page.locator("#rules")).to_contain_text("Звонок через 3 рабочих дня")
    screenshot(page, "settings-rules")

"""Activities in a real browser, as a manager works: plan a call from the client card, find it
in "Мои дела", complete it with a result and plan the next step in the same dialog; pick a
client by typing in the form; tick rows and move them a day."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.activities.models import Activity, ActivityStatus
from crm.activities.tests.factories import ActivityFactory
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
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
def romashka(manager):
    client = ClientFactory(name="ООО «Ромашка»", owner=manager)
    person = ContactPersonFactory(last_name="Петрова", first_name="Ольга")
    ClientContact.objects.create(client=client, contact=person, is_main=True)
    return client


def tomorrow_at(hour: int) -> dt.datetime:
    local = timezone.localtime() + dt.timedelta(days=1)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_plan_a_call_from_the_client_card_and_complete_it_with_the_next_step(
    page, manager, romashka
):
    login(page, "kotova")
    page.goto(f"/clients/{romashka.pk}/")
    page.get_by_role("link", name="Запланировать звонок").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Новое событие")
    expect(page.locator("[data-client-name]")).to_have_value("ООО «Ромашка»")
    expect(page.locator("#id_subject")).to_have_value("Звонок: ООО «Ромашка»")
    expect(page.locator("#id_contact option:checked")).to_have_text("Петрова Ольга")
    start = tomorrow_at(11)
    page.locator("#id_start_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_goal").fill("Узнать решение по КП")
    assert_fits_laptop(page)
    screenshot(page, "activity_form")
    page.get_by_role("button", name="Запланировать").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Звонок: ООО «Ромашка»")
    expect(page.locator("#activity-reminders")).to_contain_text("за 15 минут")
    call = Activity.objects.get()
    assert (call.start_at, call.client, call.responsible) == (start, romashka, manager)

    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="События").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Мои дела")
    page.locator("[data-work-tab=upcoming]").click()
    row = page.locator(f"#activity-{call.pk}")
    expect(row).to_contain_text("Звонок: ООО «Ромашка»")
    row.get_by_role("button", name="Завершить").click()

    dialog = page.locator("#activity-modal")
    expect(dialog).to_be_visible()
    dialog.get_by_text("Дозвонился", exact=True).click()
    dialog.locator("#id_result").fill("Решение примут в пятницу")
    dialog.get_by_text("Запланировать следующее").click()
    expect(dialog.locator("#next-step")).to_be_visible()
    dialog.locator("#id_next_subject").fill("Перезвонить по решению")
    dialog.get_by_role("button", name="через неделю").click()
    screenshot(page, "activity_complete_dialog")
    dialog.get_by_role("button", name="Завершить").click()

    expect(page.get_by_role("alert")).to_contain_text("Событие выполнено. Следующее запланировано")
    call.refresh_from_db()
    assert (call.status, call.outcome.code, call.result) == (
        ActivityStatus.DONE,
        "reached",
        "Решение примут в пятницу",
    )
    follow = Activity.objects.get(previous=call)
    assert (follow.subject, follow.client, follow.kind.code) == (
        "Перезвонить по решению",
        romashka,
        "call",
    )
    assert timezone.localtime(follow.start_at).date() == timezone.localdate() + dt.timedelta(days=7)

    page.goto(f"/clients/{romashka.pk}/")
    page.locator("[data-tab]", has_text="События").click()
    history = page.locator(".activity-history")
    expect(history.locator(".activity-history-item")).to_have_count(2)
    expect(history.locator(".activity-history-item").first).to_contain_text(
        "Перезвонить по решению"
    )
    expect(history).to_contain_text("Решение примут в пятницу")
    screenshot(page, "client_card_activities")


def test_pick_a_client_by_typing_and_its_contact_follows(page, manager, romashka):
    ClientFactory(name="ООО «Василёк»", owner=manager)
    login(page, "kotova")
    page.goto("/activities/new/")
    page.locator("[data-client-name]").fill("ромаш")
    option = page.locator("[data-pick-client]")
    expect(option).to_have_count(1)
    option.click()
    expect(page.locator("#id_contact option:checked")).to_have_text(re.compile("Петрова Ольга"))
    expect(page.locator("#id_subject")).to_have_value("Звонок: ООО «Ромашка»")
    page.locator("#id_start_at").fill(tomorrow_at(15).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Запланировать").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Звонок: ООО «Ромашка»")
    activity = Activity.objects.get()
    assert activity.client == romashka
    assert activity.contact.last_name == "Петрова"


def test_tick_rows_and_move_them_a_day(page, manager):
    start = tomorrow_at(10)
    first = ActivityFactory(responsible=manager, subject="Первый звонок", start_at=start)
    second = ActivityFactory(
        responsible=manager, subject="Второй звонок", start_at=start + dt.timedelta(hours=1)
    )
    login(page, "kotova")
    page.goto("/activities/?tab=upcoming")
    page.locator(f"#activity-{first.pk} [data-act-select-row]").check()
    page.locator(f"#activity-{second.pk} [data-act-select-row]").check()
    expect(page.locator("[data-act-selected-count]")).to_have_text("2")
    page.locator("select[name=shift_days]").select_option("1")
    page.get_by_role("button", name="Перенести").click()
    expect(page.get_by_role("alert")).to_contain_text("Перенесено событий: 2.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.start_at == start + dt.timedelta(days=1)
    assert second.start_at == start + dt.timedelta(days=1, hours=1)

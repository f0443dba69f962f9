"""The whole path of a call in one browser session, as issue 4 asks: a manager plans a call from
the client card, finds it in the calendar, gets its reminder in the bell, and completes it with
a result and the next step.

The reminder is made due without moving any clock: between two browser steps the test runs the
worker's delivery function itself — `deliver_due_reminders(now=<the reminder's time>)`, what the
periodic job `activities.send_reminders` calls every 30 seconds — and then reloads the page. The
browser and the live server keep the real time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.activities.models import Activity, ActivityStatus, ReminderStatus
from crm.activities.services.delivery import deliver_due_reminders
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.models import Notification
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


def test_plan_a_call_see_it_in_the_calendar_get_its_reminder_and_complete_it(
    page, manager, romashka
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(11, 0)))

    # 1. Plan a call from the client card.
    login(page, "kotova")
    page.goto(f"/clients/{romashka.pk}/")
    page.get_by_role("link", name="Запланировать звонок").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Новое событие")
    expect(page.locator("#id_subject")).to_have_value("Звонок: ООО «Ромашка»")
    page.locator("#id_start_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_goal").fill("Узнать решение по КП")
    page.get_by_role("button", name="Запланировать").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Звонок: ООО «Ромашка»")
    expect(page.locator("#activity-reminders")).to_contain_text("за 15 минут (")
    call = Activity.objects.get()
    reminder = call.reminders.get()
    assert (call.start_at, call.client, call.responsible, call.goal) == (
        start,
        romashka,
        manager,
        "Узнать решение по КП",
    )
    assert (reminder.user, reminder.remind_at, reminder.status) == (
        manager,
        start - dt.timedelta(minutes=15),
        ReminderStatus.PENDING,
    )
    screenshot(page, "path-1-activity-planned")

    # 2. See it in the calendar: the day view of tomorrow, opened from the navigation.
    page.get_by_role("navigation", name="Разделы").get_by_role("link", name="Календарь").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Календарь")
    page.get_by_role("button", name="День").click()
    page.locator(".fc-next-button").click()
    day = page.locator(f'.fc-timegrid-col[data-date="{tomorrow.isoformat()}"]')
    event = day.locator(".fc-timegrid-event", has_text="Звонок: ООО «Ромашка»")
    expect(event).to_be_visible()
    expect(event.locator(".fc-event-time")).to_have_text("11:00 - 11:15")
    expect(event.locator(".fc-event-title")).to_have_text("Звонок: ООО «Ромашка»")
    assert_fits_laptop(page)
    screenshot(page, "path-2-calendar-day")

    # Nothing is due yet: the bell is empty.
    expect(page.locator("#bell .app-bell")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_count(0)

    # 3. The reminder falls due: the worker's delivery runs at the reminder's time.
    assert deliver_due_reminders(now=reminder.remind_at) == {
        "sent": 1,
        "skipped": 0,
        "failed": 0,
        "cancelled": 0,
    }
    notification = Notification.objects.get(user=manager)
    assert (notification.title, notification.body, notification.url) == (
        "Звонок: ООО «Ромашка»",
        f"Когда: {start:%d.%m.%Y} 11:00\nКлиент: ООО «Ромашка»\nЦель: Узнать решение по КП",
        f"/activities/reminders/{reminder.pk}/open/",
    )

    page.reload()
    expect(page.locator("#bell-count")).to_have_text("1")
    page.locator("#bell-toggle").click()
    bell = page.locator("#bell .dropdown-menu")
    expect(bell).to_be_visible()
    item = bell.locator(".list-group-item").first
    expect(item.locator("a > div").first).to_have_text("Звонок: ООО «Ромашка»")
    expect(item.locator("a > div").nth(1)).to_contain_text(f"Когда: {start:%d.%m.%Y} 11:00")
    expect(item.get_by_role("button", name="15 мин")).to_be_visible()
    screenshot(page, "path-3-bell")

    # Open the reminder from the bell: it is marked seen, the activity page opens.
    item.get_by_role("link", name=re.compile("Звонок: ООО «Ромашка»")).click()
    page.wait_for_url(f"**/activities/{call.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Звонок: ООО «Ромашка»")
    expect(page.locator("#bell-count")).to_have_count(0)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT and reminder.seen_at is not None

    # 4. Complete it with a result and plan the next step in the same dialog.
    page.locator("main").get_by_role("button", name="Завершить").click()
    dialog = page.locator("#activity-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Цель: Узнать решение по КП")
    dialog.get_by_text("Дозвонился", exact=True).click()
    dialog.locator("#id_result").fill("Решение примут в пятницу")
    dialog.get_by_text("Запланировать следующее").click()
    expect(dialog.locator("#next-step")).to_be_visible()
    dialog.locator("#id_next_subject").fill("Перезвонить по решению")
    dialog.get_by_role("button", name="через неделю").click()
    screenshot(page, "path-4-complete-dialog")
    dialog.get_by_role("button", name="Завершить").click()

    expect(page.get_by_role("alert")).to_contain_text("Событие выполнено. Следующее запланировано")
    call.refresh_from_db()
    assert (call.status, call.outcome.code, call.outcome.name, call.result) == (
        ActivityStatus.DONE,
        "reached",
        "Дозвонился",
        "Решение примут в пятницу",
    )
    follow = Activity.objects.get(previous=call)
    assert (
        follow.subject,
        follow.status,
        follow.client,
        follow.responsible,
        follow.kind.code,
    ) == ("Перезвонить по решению", ActivityStatus.PLANNED, romashka, manager, "call")
    assert timezone.localtime(follow.start_at).date() == timezone.localdate() + dt.timedelta(days=7)

    page.goto(f"/activities/{call.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Выполнено")
    expect(page.locator(".activity-facts")).to_contain_text("Дозвонился")
    expect(page.locator(".activity-facts")).to_contain_text("Решение примут в пятницу")
    expect(page.locator(".activity-facts")).to_contain_text("Звонок: Перезвонить по решению")
    screenshot(page, "path-5-activity-done")

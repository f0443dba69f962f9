"""The calendar in a real browser: a manager opens the week, sees a planned activity by its
title, drags it to the next day and the new time is stored (the reschedule service)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.activities.tests.factories import ActivityFactory
from tests.browser.helpers import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture
def manager():
    return UserFactory(
        username="kotova",
        first_name="Мария",
        last_name="Котова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Москва»"),
    )


def test_week_view_shows_an_activity_and_drag_moves_it(page, manager):
    today = dt.datetime.now(MOSCOW).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)  # next week
    tuesday, wednesday = monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)
    start = dt.datetime.combine(tuesday, dt.time(10, 0), tzinfo=MOSCOW)
    activity = ActivityFactory(
        responsible=manager,
        subject="Звонок в «Вектор»",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
    )
    login(page, "kotova")
    page.goto(f"/activities/calendar/?view=timeGridWeek&date={monday.isoformat()}")
    event = page.locator(".fc-timegrid-event", has_text="Звонок в «Вектор»")
    expect(event).to_be_visible()
    expect(page.locator(".fc-toolbar-title")).not_to_be_empty()
    screenshot(page, "calendar-week")

    source = event.bounding_box()
    target = page.locator(f'.fc-timegrid-col[data-date="{wednesday.isoformat()}"]').bounding_box()
    assert source is not None and target is not None
    x, y = source["x"] + source["width"] / 2, source["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, y, steps=20)
    page.mouse.up()

    expect(page.locator("#calendar-status")).to_have_text("Событие перенесено.")
    activity.refresh_from_db()
    moved = dt.datetime.combine(wednesday, dt.time(10, 0), tzinfo=MOSCOW)
    assert (activity.start_at, activity.end_at) == (moved, moved + dt.timedelta(hours=1))
    expect(
        page.locator(f'.fc-timegrid-col[data-date="{wednesday.isoformat()}"] .fc-timegrid-event')
    ).to_contain_text("Звонок в «Вектор»")

    page.get_by_role("button", name="Месяц").click()
    expect(page.locator(".fc-daygrid-event", has_text="Звонок в «Вектор»")).to_be_visible()
    screenshot(page, "calendar-month")
    page.get_by_role("button", name="День").click()
    expect(page.locator(".fc-timeGridDay-view")).to_be_visible()

"""The secret calendar feed: parsed with the icalendar library, its window, alarms, access by
token, rotation; the profile block and the API."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from crm.accounts.models import Absence
from crm.activities.models import ActivityStatus, CalendarFeed, ReminderStatus
from crm.activities.services.feed import (
    calendar_feed_get_or_create,
    calendar_feed_rotate,
    feed_render,
)
from crm.activities.tests.factories import ActivityFactory, ReminderFactory, kind
from crm.activities.tests.reminder_fixtures import T0
from crm.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone", "at_t0")]


def feed_url(user) -> str:
    return reverse("calendar_feed:ics", args=[calendar_feed_get_or_create(user=user).token])


def events(content: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def get_feed(client, user) -> dict[str, icalendar.Event]:
    response = client.get(feed_url(user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return events(response.content)


@pytest.fixture
def call(manager, romashka):
    activity = ActivityFactory(
        responsible=manager,
        kind=kind("call"),
        subject="Обсудить поставку",
        goal="Согласовать объём",
        client=romashka,
        start_at=T0 + dt.timedelta(days=1),
        end_at=T0 + dt.timedelta(days=1, minutes=45),
    )
    ReminderFactory(
        activity=activity, user=manager, remind_at=activity.start_at - dt.timedelta(minutes=15)
    )
    ReminderFactory(
        activity=activity, user=manager, remind_at=activity.start_at - dt.timedelta(days=1)
    )
    ReminderFactory(
        activity=activity,
        user=manager,
        remind_at=activity.start_at - dt.timedelta(hours=2),
        status=ReminderStatus.SENT,  # already sent: no alarm
    )
    return activity


def test_the_feed_needs_no_login_and_holds_the_planned_activity_with_alarms(client, manager, call):
    found = get_feed(client, manager)

    event = found[f"activity-{call.pk}@svod"]
    assert str(event["SUMMARY"]) == "Звонок: Обсудить поставку"
    assert event.decoded("DTSTART") == dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 11, 27, 10, 45, tzinfo=dt.UTC)
    assert event["DTSTART"].to_ical() == b"20261127T100000Z"  # UTC
    assert str(event["DESCRIPTION"]) == "Клиент: ООО «Ромашка»\nЦель: Согласовать объём"
    assert str(event["URL"]) == f"http://testserver/activities/{call.pk}/"
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))
    assert triggers == [-dt.timedelta(days=1), -dt.timedelta(minutes=15)]
    assert {str(alarm["ACTION"]) for alarm in event.walk("VALARM")} == {"DISPLAY"}


def test_an_event_without_end_lasts_the_kinds_default_duration(client, manager):
    meeting = ActivityFactory(
        responsible=manager, kind=kind("meeting"), start_at=T0 + dt.timedelta(hours=3)
    )
    event = get_feed(client, manager)[f"activity-{meeting.pk}@svod"]
    minutes = kind("meeting").default_duration_minutes
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=minutes)


def test_an_all_day_activity_is_a_whole_day(client, manager):
    task = ActivityFactory(
        responsible=manager,
        kind=kind("task"),
        all_day=True,
        start_at=dt.datetime(2026, 11, 30, 21, 0, tzinfo=dt.UTC),  # 1 December in Moscow
    )
    event = get_feed(client, manager)[f"activity-{task.pk}@svod"]
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 2),
    )


def test_the_window_is_30_days_back_to_180_days_ahead_planned_only(client, manager):
    def at(days: float, **fields):
        return ActivityFactory(responsible=manager, start_at=T0 + dt.timedelta(days=days), **fields)

    inside = [at(-30), at(-1), at(0), at(180)]
    at(-30.01)
    at(180.01)
    at(-1, status=ActivityStatus.DONE)
    at(2, status=ActivityStatus.CANCELLED)

    assert set(get_feed(client, manager)) == {f"activity-{a.pk}@svod" for a in inside}


def test_the_uid_is_stable_and_a_moved_activity_keeps_it(client, manager, call):
    before = get_feed(client, manager)
    call.start_at += dt.timedelta(hours=2)
    call.end_at += dt.timedelta(hours=2)
    call.save()
    after = get_feed(client, manager)
    uid = f"activity-{call.pk}@svod"
    assert set(before) == set(after) == {uid}
    assert after[uid].decoded("DTSTART") == dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def test_each_token_shows_only_its_users_events(client, manager, colleague, call):
    theirs = ActivityFactory(responsible=colleague, subject="Чужой звонок")
    helping = ActivityFactory(responsible=colleague, co_executors=[manager])

    mine = get_feed(client, manager)
    assert set(mine) == {f"activity-{call.pk}@svod", f"activity-{helping.pk}@svod"}
    assert set(get_feed(client, colleague)) == {
        f"activity-{theirs.pk}@svod",
        f"activity-{helping.pk}@svod",
    }


def test_a_co_executor_gets_only_their_own_reminders_as_alarms(client, manager, colleague, call):
    call.co_executors.add(colleague)
    ReminderFactory(activity=call, user=colleague, remind_at=call.start_at)
    event = get_feed(client, colleague)[f"activity-{call.pk}@svod"]
    assert [alarm.decoded("TRIGGER") for alarm in event.walk("VALARM")] == [dt.timedelta(0)]
    assert str(event["DESCRIPTION"]).endswith(f"Ответственный: {manager.full_name}")


def test_while_substituting_the_absent_colleagues_events_are_in_the_feed(
    client, manager, colleague, call, time_machine
):
    Absence.objects.create(
        user=manager,
        substitute=colleague,
        date_from=dt.date(2026, 11, 26),
        date_to=dt.date(2026, 11, 27),
    )
    assert set(get_feed(client, colleague)) == {f"activity-{call.pk}@svod"}
    time_machine.move_to(dt.datetime(2026, 11, 27, 21, 0, tzinfo=dt.UTC), tick=False)  # the 28th
    assert set(get_feed(client, colleague)) == set()


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "x" * 80])
def test_a_wrong_token_is_404(client, manager, call, token):
    calendar_feed_get_or_create(user=manager)
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_rotating_gives_a_new_url_and_the_old_one_is_404(client, manager, call):
    old = feed_url(manager)
    feed = calendar_feed_rotate(user=manager)
    assert client.get(old).status_code == 404
    assert client.get(reverse("calendar_feed:ics", args=[feed.token])).status_code == 200
    assert len(feed.token) == 43
    entry = AuditEntry.objects.get(content_type__model="calendarfeed")
    assert feed.token not in str(entry.changes) + entry.comment  # the secret is not logged


def test_a_user_who_left_has_no_feed(client, manager, call):
    url = feed_url(manager)
    manager.is_active = False
    manager.save()
    assert client.get(url).status_code == 404


def test_the_feed_costs_a_fixed_number_of_queries(manager, django_assert_num_queries):
    for day in range(1, 11):
        activity = ActivityFactory(responsible=manager, start_at=T0 + dt.timedelta(days=day))
        ReminderFactory(activity=activity, user=manager)
    with django_assert_num_queries(3):  # who is substituted, the activities, their reminders
        content = feed_render(user=manager, base_url="https://crm.example.ru")
    assert len(events(content)) == 10


# --- the profile and the API ------------------------------------------------------------------


def test_the_profile_shows_the_url_with_copy_and_change(client, manager):
    client.force_login(manager)
    html = client.get(reverse("accounts:profile")).content.decode()
    token = CalendarFeed.objects.get(user=manager).token
    assert "Календарь для телефона" in html
    assert f'value="http://testserver/calendar/feed/{token}.ics"' in html
    assert 'data-svod-copy="#calendar-feed-url"' in html
    assert "Сменить ссылку" in html


def test_change_the_url_from_the_profile(client, manager):
    client.force_login(manager)
    old = calendar_feed_get_or_create(user=manager).token

    response = client.post(reverse("activities:calendar_feed_rotate"), HTTP_HX_REQUEST="true")

    new = CalendarFeed.objects.get(user=manager).token
    assert new != old
    html = response.content.decode()
    assert f"/calendar/feed/{new}.ics" in html
    assert "Ссылка заменена: старая больше не работает." in html


def test_the_api_gives_the_url_and_rotates_it(client, manager):
    client.force_login(manager)
    first = client.get("/api/v1/calendar-feed/").json()
    token = CalendarFeed.objects.get(user=manager).token
    assert first["url"] == f"http://testserver/calendar/feed/{token}.ics"
    assert client.get("/api/v1/calendar-feed/").json()["url"] == first["url"]  # stable

    rotated = client.post("/api/v1/calendar-feed/rotate/").json()

    assert rotated["url"] != first["url"]
    assert client.get(first["url"]).status_code == 404
    assert client.get(rotated["url"]).status_code == 200


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/calendar-feed/").status_code == 401
    assert client.post("/api/v1/calendar-feed/rotate/").status_code == 401

"""The personal calendar: its page, the events of a range as JSON (scoping, colleagues, query
count) and the move by drag and drop (the reschedule service, audited)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.activities.models import ActivityStatus
from crm.activities.tests.factories import ActivityFactory, kind
from crm.clients.tests.factories import ClientFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)  # Tuesday
WEEK = {"start": "2026-03-09T00:00:00", "end": "2026-03-16T00:00:00"}
EVENTS = reverse("activities:calendar_events")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MOSCOW)


def move_url(activity) -> str:
    return reverse("activities:calendar_move", args=[activity.pk])


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def titles(response) -> list[str]:
    return [event["title"] for event in response.json()]


# --- the page --------------------------------------------------------------------------------


def test_calendar_page_has_fullcalendar_and_its_config(client, manager):
    client.force_login(manager)
    response = client.get(reverse("activities:calendar"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/fullcalendar/index.global.min.js" in html
    assert "vendor/fullcalendar-locales/ru.global.min.js" in html
    config = response.context["config"]
    assert config["timeZone"] == "Europe/Moscow"
    assert config["people"] == [manager.pk]
    assert config["now"] == "2026-03-10T12:00:00"
    assert 'id="calendar-people"' not in html  # a manager has no colleagues to show


def test_head_gets_the_department_to_choose_from(client, head, manager, colleague, other_manager):
    client.force_login(head)
    response = client.get(reverse("activities:calendar"))
    shown = [person.pk for person, _color in response.context["colleagues"]]
    assert shown[0] == head.pk
    assert sorted(shown) == sorted([head.pk, manager.pk, colleague.pk])


def test_calendar_section_links_to_the_page(client, manager):
    client.force_login(manager)
    response = client.get(reverse("activities:calendar"))
    assert f'href="{reverse("activities:calendar")}"' in response.content.decode()


# --- events ----------------------------------------------------------------------------------


def test_events_of_a_week_are_exactly_the_own_and_co_executed(client, manager, colleague):
    acme = ClientFactory(name="ООО «Акме»", owner=manager)
    planned = ActivityFactory(
        responsible=manager,
        subject="Звонок",
        client=acme,
        start_at=at(11, 10),
        end_at=at(11, 10, 30),
    )
    done = ActivityFactory(
        responsible=manager,
        subject="Встреча",
        kind=kind("meeting"),
        start_at=at(9, 15),
        status=ActivityStatus.DONE,
    )
    overdue = ActivityFactory(responsible=manager, subject="Просрочено", start_at=at(10, 9))
    helped = ActivityFactory(responsible=colleague, subject="Помогаю", start_at=at(12, 14))
    helped.co_executors.set([manager])
    ActivityFactory(responsible=colleague, subject="Чужое", start_at=at(12, 11))
    ActivityFactory(responsible=manager, subject="Отменено", start_at=at(12, 9), status="cancelled")
    ActivityFactory(responsible=manager, subject="След. неделя", start_at=at(16, 0))
    ActivityFactory(responsible=manager, subject="Прошлая неделя", start_at=at(8, 23))
    client.force_login(manager)

    response = client.get(EVENTS, WEEK)

    assert response.status_code == 200
    events = {event["title"]: event for event in response.json()}
    assert list(events) == ["Встреча", "Просрочено", "Звонок · ООО «Акме»", "Помогаю"]
    call = events["Звонок · ООО «Акме»"]
    assert call == {
        "id": str(planned.pk),
        "title": "Звонок · ООО «Акме»",
        "start": "2026-03-11T10:00:00",
        "end": "2026-03-11T10:30:00",
        "allDay": False,
        "backgroundColor": kind("call").color,
        "borderColor": kind("call").color,
        "textColor": "#ffffff",
        "classNames": ["svod-event"],
        "editable": True,
        "extendedProps": {
            "url": f"/activities/{planned.pk}/",
            "kind": "Звонок",
            "status": "planned",
            "responsible": manager.short_name,
            "responsibleId": manager.pk,
            "overdue": False,
        },
    }
    assert events["Встреча"]["classNames"] == ["svod-event", "is-done"]
    assert events["Встреча"]["backgroundColor"] == "#adb5bd"
    assert events["Встреча"]["editable"] is False
    assert events["Встреча"]["id"] == str(done.pk)
    # No end: the kind's default duration (a meeting: 60 minutes).
    assert (
        events["Встреча"]["end"]
        == f"2026-03-09T{15 + kind('meeting').default_duration_minutes // 60}:00:00"
    )
    assert events["Просрочено"]["classNames"] == ["svod-event", "is-overdue"]
    assert events["Просрочено"]["borderColor"] == "#dc3545"
    assert events["Просрочено"]["id"] == str(overdue.pk)


def test_a_subject_naming_the_client_does_not_repeat_it(client, manager):
    acme = ClientFactory(name="ООО «Акме»", owner=manager)
    ActivityFactory(
        responsible=manager, subject="Звонок: ООО «Акме»", client=acme, start_at=at(11, 10)
    )
    ActivityFactory(responsible=manager, subject="Встреча", client=acme, start_at=at(11, 12))
    client.force_login(manager)

    assert titles(client.get(EVENTS, WEEK)) == ["Звонок: ООО «Акме»", "Встреча · ООО «Акме»"]


def test_an_activity_running_into_the_range_is_shown(client, manager):
    ActivityFactory(responsible=manager, subject="Выставка", start_at=at(7, 10), end_at=at(10, 18))
    ActivityFactory(
        responsible=manager, subject="Закончилась", start_at=at(7, 10), end_at=at(8, 18)
    )
    client.force_login(manager)
    assert titles(client.get(EVENTS, WEEK)) == ["Выставка"]


def test_all_day_activity_is_a_date_with_an_exclusive_end(client, manager):
    ActivityFactory(responsible=manager, subject="Весь день", start_at=at(12, 0), all_day=True)
    client.force_login(manager)
    (event,) = client.get(EVENTS, WEEK).json()
    assert (event["start"], event["end"], event["allDay"]) == ("2026-03-12", "2026-03-13", True)


def test_a_manager_asking_for_a_colleague_gets_only_own(client, manager, colleague):
    ActivityFactory(responsible=manager, subject="Моё", start_at=at(11, 10))
    ActivityFactory(responsible=colleague, subject="Коллеги", start_at=at(11, 11))
    client.force_login(manager)
    response = client.get(EVENTS, {**WEEK, "users": f"{manager.pk},{colleague.pk}"})
    assert titles(response) == ["Моё"]
    response = client.get(EVENTS, {**WEEK, "users": str(colleague.pk)})
    assert titles(response) == ["Моё"]


def test_head_sees_department_colleagues_when_asked(client, head, manager, other_manager):
    ActivityFactory(responsible=head, subject="Руководителя", start_at=at(11, 9))
    ActivityFactory(responsible=manager, subject="Менеджера", start_at=at(11, 10))
    ActivityFactory(responsible=other_manager, subject="Другого отдела", start_at=at(11, 11))
    client.force_login(head)

    assert titles(client.get(EVENTS, WEEK)) == ["Руководителя"]
    response = client.get(EVENTS, {**WEEK, "users": f"{head.pk},{manager.pk},{other_manager.pk}"})
    events = response.json()
    assert [event["title"] for event in events] == ["Руководителя", "Менеджера"]
    # Side by side: coloured by person, the head's first colour, the manager's the second.
    assert [event["backgroundColor"] for event in events] == ["#2f6fed", "#d9480f"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"end": "2026-03-16"}, "start", "Укажите начало периода: дата в формате ГГГГ-ММ-ДД"),
        (
            {"start": "вчера", "end": "2026-03-16"},
            "start",
            "Укажите начало периода: дата в формате ГГГГ-ММ-ДД",
        ),
        (
            {"start": "2026-03-16", "end": "2026-03-09"},
            "end",
            "Конец периода должен быть позже начала",
        ),
        (
            {"start": "2026-01-01", "end": "2026-06-01"},
            "end",
            "Период календаря — не больше 100 дней",
        ),
    ],
)
def test_events_bad_range_is_a_russian_400(client, manager, params, field, message):
    client.force_login(manager)
    response = client.get(EVENTS, params)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]


def test_events_range_with_an_offset_is_read_as_that_moment(client, manager):
    ActivityFactory(responsible=manager, subject="Утро", start_at=at(11, 9))
    client.force_login(manager)
    # 06:00 UTC = 09:00 Moscow: the activity starts exactly then.
    response = client.get(EVENTS, {"start": "2026-03-11T06:00:00+00:00", "end": "2026-03-12"})
    assert titles(response) == ["Утро"]


def test_events_query_count_does_not_grow(client, manager, colleague):
    def count(n: int) -> int:
        for i in range(n):
            activity = ActivityFactory(
                responsible=manager,
                client=ClientFactory(owner=manager),
                start_at=at(9 + i % 7, 9) + dt.timedelta(minutes=i),
            )
            if i % 3 == 0:
                helped = ActivityFactory(responsible=colleague, start_at=at(9 + i % 7, 10))
                helped.co_executors.set([manager])
                activity.co_executors.set([colleague])
        client.force_login(manager)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(EVENTS, WEEK)
        assert response.status_code == 200
        return len(queries)

    few = count(3)
    assert count(27) == few


# --- move ------------------------------------------------------------------------------------


def test_move_reschedules_and_audits(client, manager):
    activity = ActivityFactory(
        responsible=manager, subject="Звонок", start_at=at(11, 10), end_at=at(11, 10, 30)
    )
    client.force_login(manager)
    response = client.post(
        move_url(activity), {"start": "2026-03-12T15:00:00", "end": "2026-03-12T16:00:00"}
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Событие перенесено."
    assert response.json()["event"]["start"] == "2026-03-12T15:00:00"
    activity.refresh_from_db()
    assert (activity.start_at, activity.end_at) == (at(12, 15), at(12, 16))
    entry = AuditEntry.objects.get(object_id=str(activity.pk))
    assert entry.actor == manager
    assert entry.comment == "Событие перенесено"
    assert entry.changes["start_at"][1].startswith("2026-03-12T12:00")


def test_move_without_end_keeps_the_duration(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(11, 10), end_at=at(11, 10, 45))
    client.force_login(manager)
    response = client.post(move_url(activity), {"start": "2026-03-13T09:00"})
    assert response.status_code == 200
    activity.refresh_from_db()
    assert (activity.start_at, activity.end_at) == (at(13, 9), at(13, 9, 45))


def test_move_of_an_all_day_activity_keeps_it_a_day(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(11, 0), all_day=True)
    client.force_login(manager)
    response = client.post(move_url(activity), {"start": "2026-03-13", "end": "2026-03-14"})
    assert response.status_code == 200
    activity.refresh_from_db()
    assert (activity.start_at, activity.end_at) == (at(13, 0), at(13, 0))


def test_move_of_anothers_activity_is_404_and_changes_nothing(client, manager, other_manager):
    activity = ActivityFactory(responsible=other_manager, start_at=at(11, 10))
    client.force_login(manager)
    response = client.post(move_url(activity), {"start": "2026-03-12T15:00"})
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.start_at == at(11, 10)
    assert not AuditEntry.objects.filter(object_id=str(activity.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"start": "завтра"},
            "start_at",
            "Начало: укажите дату и время в формате ГГГГ-ММ-ДДTЧЧ:ММ",
        ),
        ({}, "start_at", "Начало: укажите дату и время в формате ГГГГ-ММ-ДДTЧЧ:ММ"),
        (
            {"start": "2026-03-12T15:00", "end": "потом"},
            "end_at",
            "Окончание: укажите дату и время в формате ГГГГ-ММ-ДДTЧЧ:ММ",
        ),
        (
            {"start": "2026-03-12T15:00", "end": "2026-03-12T14:00"},
            "end_at",
            "Окончание раньше начала",
        ),
    ],
)
def test_move_with_bad_dates_is_a_russian_400(client, manager, data, field, message):
    activity = ActivityFactory(responsible=manager, start_at=at(11, 10))
    client.force_login(manager)
    response = client.post(move_url(activity), data)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    activity.refresh_from_db()
    assert activity.start_at == at(11, 10)


def test_move_of_a_done_activity_is_refused(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(9, 10), status=ActivityStatus.DONE)
    client.force_login(manager)
    response = client.post(move_url(activity), {"start": "2026-03-12T15:00"})
    assert response.status_code == 400
    assert response.json()["errors"]["status"] == ["Событие уже выполнено или отменено"]


def test_move_needs_post(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(11, 10))
    client.force_login(manager)
    assert client.get(move_url(activity)).status_code == 405


def test_head_does_not_see_what_a_colleague_co_executes_elsewhere(
    client, head, manager, other_manager
):
    elsewhere = ActivityFactory(
        responsible=other_manager, subject="Чужой отдел", start_at=at(11, 9)
    )
    elsewhere.co_executors.set([manager])
    client.force_login(manager)
    assert titles(client.get(EVENTS, WEEK)) == ["Чужой отдел"]  # the co-executor sees it
    client.force_login(head)
    assert titles(client.get(EVENTS, {**WEEK, "users": str(manager.pk)})) == []

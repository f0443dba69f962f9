"""/api/v1/activities/ and /api/v1/activity-kinds/: CRUD, complete, reschedule, cancel, counts;
scoping (404 for others) and Russian 400s naming the field."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from crm.accounts.models import User
from crm.activities.models import Activity, ActivityOutcome, ActivityStatus, Reminder
from crm.activities.tests.factories import ActivityFactory, kind
from crm.clients.tests.factories import ClientFactory
from crm.core.models import Notification

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api():
    return APIClient()


def invalid(fields, message="Проверьте данные: есть ошибки в полях."):
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


def test_list_is_scoped_and_filtered_by_tab(api, manager, other_manager):
    ActivityFactory(subject="Сегодня", responsible=manager, start_at=at(10, 15))
    ActivityFactory(subject="Вчера", responsible=manager, start_at=at(9, 15))
    ActivityFactory(subject="Чужое", responsible=other_manager, start_at=at(10, 15))
    api.force_authenticate(manager)
    body = api.get("/api/v1/activities/").json()
    assert body["count"] == 2
    assert [row["subject"] for row in body["results"]] == ["Сегодня", "Вчера"]
    today = api.get("/api/v1/activities/", {"tab": "today"}).json()["results"]
    assert [(row["subject"], row["kind"], row["is_overdue"]) for row in today] == [
        ("Сегодня", "call", False)
    ]
    overdue = api.get("/api/v1/activities/", {"tab": "overdue", "kind": "call"}).json()
    assert [row["subject"] for row in overdue["results"]] == ["Вчера"]
    assert overdue["results"][0]["is_overdue"] is True


def test_list_query_count_does_not_grow(api, manager):
    def count():
        api.force_authenticate(User.objects.get(pk=manager.pk))  # nothing cached on the user
        with CaptureQueriesContext(connection) as captured:
            body = api.get("/api/v1/activities/").json()
        return len(captured), len(body["results"])

    for n in range(3):
        activity = ActivityFactory(responsible=manager, start_at=at(10, 13, n))
        Reminder.objects.create(activity=activity, user=manager, remind_at=at(10, 12, 50))
    few, rows = count()
    for n in range(27):
        activity = ActivityFactory(responsible=manager, start_at=at(11, 13, n))
        Reminder.objects.create(activity=activity, user=manager, remind_at=at(11, 12, 50))
    many, more_rows = count()
    assert (rows, more_rows) == (3, 30)
    assert many == few


def test_another_managers_activity_is_404(api, manager, other_manager):
    foreign = ActivityFactory(responsible=other_manager, subject="Чужое")
    api.force_authenticate(manager)
    for method, url, data in (
        ("get", f"/api/v1/activities/{foreign.pk}/", None),
        ("patch", f"/api/v1/activities/{foreign.pk}/", {"subject": "Взлом"}),
        ("delete", f"/api/v1/activities/{foreign.pk}/", None),
        ("post", f"/api/v1/activities/{foreign.pk}/complete/", {"result": "x"}),
        ("post", f"/api/v1/activities/{foreign.pk}/reschedule/", {"start_at": "2026-03-20T10:00"}),
        ("post", f"/api/v1/activities/{foreign.pk}/cancel/", {}),
    ):
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "not_found"
    foreign.refresh_from_db()
    assert (foreign.subject, foreign.status) == ("Чужое", ActivityStatus.PLANNED)


def test_create_with_reminders_and_a_co_executor(api, manager, other_manager):
    client = ClientFactory(owner=manager, name="ООО «Ромашка»")
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/activities/",
        {
            "kind": "meeting",
            "subject": "Переговоры",
            "start_at": "2026-03-12T10:00:00+03:00",
            "end_at": "2026-03-12T11:00:00+03:00",
            "client": client.pk,
            "co_executors": [other_manager.pk],
            "reminders": [{"offset_minutes": 60}, {"at": "2026-03-11T18:00:00+03:00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["client_name"], body["responsible"], body["status"]) == (
        "meeting",
        "ООО «Ромашка»",
        manager.pk,
        "planned",
    )
    assert body["co_executors"] == [other_manager.pk]
    assert [(r["offset_minutes"], r["remind_at"]) for r in body["reminders"]] == [
        (None, "2026-03-11T18:00:00+03:00"),
        (60, "2026-03-12T09:00:00+03:00"),
    ]
    assert Notification.objects.get().title == "Вы соисполнитель события: Переговоры"


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (
            {"kind": "call", "subject": "", "start_at": "2026-03-12T10:00:00+03:00"},
            {"subject": ["Укажите тему события"]},
        ),
        (
            {"kind": "call", "subject": "Звонок"},
            {"start_at": ["Укажите дату и время начала"]},
        ),
        (
            {"kind": "fax", "subject": "Звонок", "start_at": "2026-03-12T10:00:00+03:00"},
            {"kind": ["Неизвестный вид события: «fax»"]},
        ),
        (
            {
                "kind": "call",
                "subject": "Звонок",
                "start_at": "2026-03-12T10:00:00+03:00",
                "end_at": "2026-03-12T09:00:00+03:00",
            },
            {"end_at": ["Окончание раньше начала"]},
        ),
        (
            {
                "kind": "call",
                "subject": "Звонок",
                "start_at": "2026-03-12T10:00:00+03:00",
                "client": 999999,
            },
            {"client": ["Клиент не найден"]},
        ),
    ],
)
def test_create_bad_input_is_a_russian_400_naming_the_field(api, manager, data, fields):
    api.force_authenticate(manager)
    response = api.post("/api/v1/activities/", data, format="json")
    assert response.status_code == 400
    assert response.json() == invalid(fields)
    assert Activity.objects.count() == 0


def test_an_invisible_client_gets_the_same_answer_as_a_missing_one(api, manager, other_manager):
    foreign = ClientFactory(owner=other_manager)
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/activities/",
        {
            "kind": "call",
            "subject": "Звонок",
            "start_at": "2026-03-12T10:00:00+03:00",
            "client": foreign.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == invalid({"client": ["Клиент не найден"]})


def test_patch_changes_only_the_given_fields(api, manager):
    activity = ActivityFactory(responsible=manager, subject="Старая", start_at=at(12, 10))
    api.force_authenticate(manager)
    response = api.patch(f"/api/v1/activities/{activity.pk}/", {"subject": "Новая"}, format="json")
    assert response.status_code == 200
    assert response.json()["subject"] == "Новая"
    activity.refresh_from_db()
    assert (activity.subject, activity.start_at) == ("Новая", at(12, 10))


def test_complete_with_the_next_step(api, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(10, 10))
    reached = ActivityOutcome.objects.get(kind__code="call", code="reached")
    api.force_authenticate(manager)
    response = api.post(
        f"/api/v1/activities/{activity.pk}/complete/",
        {
            "result": "Договорились о встрече",
            "outcome": reached.pk,
            "next": {
                "kind": "meeting",
                "subject": "Встреча",
                "start_at": "2026-03-13T11:00:00+03:00",
                "reminders": [{"offset_minutes": 60}],
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["outcome"], body["outcome_name"], body["result"]) == (
        "done",
        reached.pk,
        "Дозвонился",
        "Договорились о встрече",
    )
    follow = body["next_activity"]
    assert (follow["kind"], follow["subject"], follow["previous"], follow["start_at"]) == (
        "meeting",
        "Встреча",
        activity.pk,
        "2026-03-13T11:00:00+03:00",
    )


def test_complete_errors(api, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(10, 10))
    held = ActivityOutcome.objects.get(kind__code="meeting", code="held")
    api.force_authenticate(manager)
    url = f"/api/v1/activities/{activity.pk}/complete/"
    assert api.post(url, {}, format="json").json() == invalid({"result": ["Опишите итог"]})
    assert api.post(url, {"result": "ok", "outcome": held.pk}, format="json").json() == invalid(
        {"outcome": ["Результат «Состоялась» не относится к виду «Звонок»"]}
    )
    response = api.post(
        url,
        {"result": "ok", "next": {"kind": "call", "subject": "", "start_at": None}},
        format="json",
    )
    assert response.json() == invalid({"next": {"start_at": ["Укажите дату и время начала"]}})
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_reschedule_and_cancel(api, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(10, 10), end_at=at(10, 10, 30))
    api.force_authenticate(manager)
    response = api.post(
        f"/api/v1/activities/{activity.pk}/reschedule/",
        {"start_at": "2026-03-16T15:00:00+03:00"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["start_at"], response.json()["end_at"]) == (
        "2026-03-16T15:00:00+03:00",
        "2026-03-16T15:30:00+03:00",
    )
    bad = api.post(
        f"/api/v1/activities/{activity.pk}/reschedule/",
        {"start_at": "2026-03-16T15:00:00+03:00", "end_at": "2026-03-16T14:00:00+03:00"},
        format="json",
    )
    assert bad.json() == invalid({"end_at": ["Окончание раньше начала"]})
    response = api.post(
        f"/api/v1/activities/{activity.pk}/cancel/", {"reason": "Неактуально"}, format="json"
    )
    assert (response.json()["status"], response.json()["result"]) == ("cancelled", "Неактуально")
    again = api.post(f"/api/v1/activities/{activity.pk}/cancel/", {}, format="json")
    assert again.json() == invalid({"status": ["Событие уже выполнено или отменено"]})


def test_delete_a_planned_activity_but_not_a_done_one(api, manager):
    planned = ActivityFactory(responsible=manager)
    done = ActivityFactory(responsible=manager, status=ActivityStatus.DONE, result="ok")
    api.force_authenticate(manager)
    assert api.delete(f"/api/v1/activities/{planned.pk}/").status_code == 204
    response = api.delete(f"/api/v1/activities/{done.pk}/")
    assert response.status_code == 400
    assert Activity.objects.filter(pk=done.pk).exists()


def test_counts(api, manager):
    ActivityFactory(responsible=manager, start_at=at(9, 10))
    ActivityFactory(responsible=manager, start_at=at(10, 15))
    ActivityFactory(responsible=manager, start_at=at(10, 16))
    ActivityFactory(responsible=manager, start_at=at(12, 10))
    ActivityFactory(responsible=manager, start_at=at(8, 10), status=ActivityStatus.DONE)
    api.force_authenticate(manager)
    assert api.get("/api/v1/activities/counts/").json() == {
        "overdue": 1,
        "today": 2,
        "upcoming": 1,
        "done": 1,
    }


def test_kinds_with_outcomes(api, manager):
    api.force_authenticate(manager)
    kinds = api.get("/api/v1/activity-kinds/").json()
    assert [k["code"] for k in kinds] == [
        "call",
        "meeting",
        "letter",
        "email",
        "request",
        "complaint",
        "service_visit",
        "task",
        "other",
    ]
    call = kinds[0]
    assert call["name"] == "Звонок"
    assert [(o["code"], o["name"], o["is_success"]) for o in call["outcomes"]] == [
        ("reached", "Дозвонился", True),
        ("not_reached", "Не дозвонился", False),
        ("call_back", "Просили перезвонить", False),
    ]
    assert kind("call").pk == call["id"]


def test_the_schema_describes_the_endpoints(api, manager):
    api.force_authenticate(manager)
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/activities/",
        "/api/v1/activities/{id}/complete/",
        "/api/v1/activities/{id}/reschedule/",
        "/api/v1/activities/{id}/cancel/",
        "/api/v1/activities/counts/",
        "/api/v1/activity-kinds/",
    ):
        assert path in schema["paths"], path

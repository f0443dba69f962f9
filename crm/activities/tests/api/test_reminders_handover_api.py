"""The API of reminders, handover and absences: same services, same rules, Russian errors."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.accounts.models import Absence
from crm.activities.models import Handover, Reminder, ReminderStatus
from crm.activities.services.delivery import deliver_due_reminders
from crm.activities.tests.factories import ActivityFactory, ReminderFactory
from crm.activities.tests.reminder_fixtures import T0, due_reminder
from crm.clients.models import Client
from crm.clients.tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone", "at_t0")]


@pytest.fixture
def api(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def sent(manager, romashka):
    reminder = due_reminder(manager, client=romashka)
    deliver_due_reminders()
    reminder.refresh_from_db()
    return reminder


# --- reminders ----------------------------------------------------------------------------------


def test_list_own_reminders_by_status(api, manager, colleague, sent):
    pending = due_reminder(manager, minutes_ago=-60)
    due_reminder(colleague, minutes_ago=-60)

    everything = api.get("/api/v1/reminders/").json()
    assert [r["id"] for r in everything["results"]] == [sent.pk, pending.pk]
    only_sent = api.get("/api/v1/reminders/?status=sent").json()["results"]
    assert only_sent == [
        {
            "id": sent.pk,
            "activity": sent.activity_id,
            "activity_subject": "Обсудить поставку",
            "activity_start_at": "2026-11-26T13:14:00+03:00",
            "client": sent.activity.client_id,
            "client_name": "ООО «Ромашка»",
            "user": manager.pk,
            "remind_at": "2026-11-26T12:59:00+03:00",
            "offset_minutes": 15,
            "status": "sent",
            "sent_at": "2026-11-26T13:00:00+03:00",
            "seen_at": None,
            "snooze_count": 0,
        }
    ]
    missed = api.get("/api/v1/reminders/?missed=1").json()
    assert [r["id"] for r in missed["results"]] == [sent.pk]


def test_snooze_over_the_api(api, sent):
    response = api.post(f"/api/v1/reminders/{sent.pk}/snooze/", {"delta": "1h"})
    assert response.status_code == 200
    assert (
        response.json()["status"],
        response.json()["remind_at"],
        response.json()["snooze_count"],
    ) == (
        "pending",
        "2026-11-26T14:00:00+03:00",
        1,
    )


def test_snooze_with_a_bad_delta_is_400_in_russian(api, sent):
    response = api.post(f"/api/v1/reminders/{sent.pk}/snooze/", {"delta": "2m"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "delta": ["Выберите, на сколько отложить: 5 минут, 15 минут, 1 час, 1 день или 1 неделю"]
    }
    assert Reminder.objects.get(pk=sent.pk).status == ReminderStatus.SENT


def test_someone_elses_reminder_is_404(client, colleague, sent):
    client.force_login(colleague)
    assert client.get(f"/api/v1/reminders/{sent.pk}/").status_code == 404
    assert client.post(f"/api/v1/reminders/{sent.pk}/snooze/", {"delta": "5m"}).status_code == 404
    assert client.post(f"/api/v1/reminders/{sent.pk}/seen/").status_code == 404
    assert client.delete(f"/api/v1/reminders/{sent.pk}/").status_code == 404


def test_mark_seen_over_the_api(api, sent):
    assert api.post(f"/api/v1/reminders/{sent.pk}/seen/").json() == {"marked": 1}
    assert Reminder.objects.get(pk=sent.pk).seen_at == T0


def test_add_and_remove_a_reminder(api, manager):
    activity = ActivityFactory(responsible=manager, start_at=T0 + dt.timedelta(hours=3))
    response = api.post(
        "/api/v1/reminders/",
        {"activity": activity.pk, "offset_minutes": 60},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["remind_at"], created["offset_minutes"], created["user"]) == (
        "2026-11-26T15:00:00+03:00",
        60,
        manager.pk,
    )
    assert api.delete(f"/api/v1/reminders/{created['id']}/").status_code == 204
    assert not Reminder.objects.filter(pk=created["id"]).exists()


def test_a_reminder_on_an_activity_one_cannot_see_is_refused(api, colleague):
    theirs = ActivityFactory(responsible=colleague)
    response = api.post(
        "/api/v1/reminders/",
        {"activity": theirs.pk, "offset_minutes": 5},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"activity": ["Событие не найдено"]}
    assert Reminder.objects.count() == 0


def test_the_reminder_list_costs_the_same_queries(api, manager, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    due_reminder(manager, minutes_ago=-10)
    api.get("/api/v1/reminders/")
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/reminders/")
    for _ in range(6):
        due_reminder(manager, minutes_ago=-10)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api.get("/api/v1/reminders/").json()["count"] == 7


# --- handover ------------------------------------------------------------------------------------


@pytest.fixture
def book(manager):
    clients = [ClientFactory(owner=manager, region=region) for region in ("Москва", "Тула", "Тула")]
    activity = ActivityFactory(responsible=manager, client=clients[1])
    ReminderFactory(activity=activity, user=manager)
    return clients


def test_handover_preview_and_apply_over_the_api(client, head, manager, colleague, book):
    client.force_login(head)
    body = {"from_user": manager.pk, "to_user": colleague.pk, "filter": {"region": "Тула"}}

    preview = client.post("/api/v1/handover/preview/", body, content_type="application/json")
    assert preview.json() == {
        "clients": 2,
        "parts": {"clients": 2, "activities": 1, "reminders": 1, "deals": 0},
    }
    assert Client.objects.filter(owner=colleague).count() == 0

    applied = client.post("/api/v1/handover/", body, content_type="application/json")
    assert applied.status_code == 201
    assert applied.json()["moved"] == {"clients": 2, "activities": 1, "reminders": 1, "deals": 0}
    assert applied.json()["client_ids"] == [book[1].pk, book[2].pk]
    assert client.get("/api/v1/handover/").json()["count"] == 1


def test_handover_with_ids_and_a_query_string_filter(
    client, administrator, manager, colleague, book
):
    client.force_login(administrator)
    by_ids = client.post(
        "/api/v1/handover/preview/",
        {"from_user": manager.pk, "client_ids": [book[0].pk]},
        content_type="application/json",
    )
    assert by_ids.json()["clients"] == 1
    by_query = client.post(
        "/api/v1/handover/preview/",
        {"from_user": manager.pk, "filter": "?region=Москва"},
        content_type="application/json",
    )
    assert by_query.json()["clients"] == 1


def test_a_manager_may_not_hand_over(api, manager, colleague, book):
    response = api.post(
        "/api/v1/handover/",
        {"from_user": manager.pk, "to_user": colleague.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Передавать дела могут руководитель отдела (в своём отделе) и администратор"
    )
    assert Handover.objects.count() == 0


def test_handover_errors_name_the_field(client, head, manager, other_manager, book):
    client.force_login(head)
    response = client.post(
        "/api/v1/handover/",
        {"from_user": manager.pk, "to_user": other_manager.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "to_user": ["Выберите работающего сотрудника из доступных вам"]
    }


# --- absences ------------------------------------------------------------------------------------


def test_absences_over_the_api(api, manager, colleague):
    created = api.post(
        "/api/v1/absences/",
        {
            "user": manager.pk,
            "substitute": colleague.pk,
            "date_from": "2026-11-30",
            "date_to": "2026-12-02",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json() == {
        "id": Absence.objects.get().pk,
        "user": manager.pk,
        "substitute": colleague.pk,
        "date_from": "2026-11-30",
        "date_to": "2026-12-02",
        "reason": "",
        "created_by": manager.pk,
    }
    assert [a["id"] for a in api.get("/api/v1/absences/").json()["results"]] == [
        created.json()["id"]
    ]
    assert api.delete(f"/api/v1/absences/{created.json()['id']}/").status_code == 204
    assert Absence.objects.count() == 0


def test_absence_errors_name_the_field(api, manager):
    response = api.post(
        "/api/v1/absences/",
        {
            "user": manager.pk,
            "substitute": manager.pk,
            "date_from": "2026-11-30",
            "date_to": "2026-11-29",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "substitute": ["Сотрудник не может замещать сам себя"],
        "date_to": ["Дата окончания не может быть раньше даты начала"],
    }


def test_an_absence_one_cannot_manage_is_404_to_cancel(client, manager, colleague, other_manager):
    absence = Absence.objects.create(
        user=manager,
        substitute=colleague,
        date_from=dt.date(2026, 12, 1),
        date_to=dt.date(2026, 12, 2),
    )
    client.force_login(other_manager)
    assert client.get(f"/api/v1/absences/{absence.pk}/").status_code == 404
    assert client.delete(f"/api/v1/absences/{absence.pk}/").status_code == 404
    client.force_login(colleague)  # stands in: sees it, may not cancel it
    assert client.get(f"/api/v1/absences/{absence.pk}/").status_code == 200
    assert client.delete(f"/api/v1/absences/{absence.pk}/").status_code == 404
    assert Absence.objects.count() == 1

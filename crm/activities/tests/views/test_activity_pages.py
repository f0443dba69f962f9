"""Pages of activities: "Мои дела", htmx fragments, the activity page and form, the dialogs,
bulk actions, attachments, the client card's "События" tab; access and query counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.activities.models import (
    Activity,
    ActivityAttachment,
    ActivityOutcome,
    ActivityStatus,
    Reminder,
)
from crm.activities.services.activities import attachment_add
from crm.activities.tests.factories import ActivityFactory, kind
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.models import AuditEntry, Notification

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
def romashka(manager):
    client = ClientFactory(name="ООО «Ромашка»", owner=manager)
    person = ContactPersonFactory(last_name="Петрова", first_name="Ольга")
    ClientContact.objects.create(client=client, contact=person, is_main=True)
    return client


def subjects(response):
    return [activity.subject for activity in response.context["page"].object_list]


# --- "Мои дела" ------------------------------------------------------------------------------


def test_my_work_shows_todays_list_with_counts(client, manager, other_manager):
    ActivityFactory(subject="Просроченный звонок", responsible=manager, start_at=at(9, 10))
    ActivityFactory(subject="Звонок сегодня", responsible=manager, start_at=at(10, 15))
    ActivityFactory(subject="Звонок завтра", responsible=manager, start_at=at(11, 10))
    ActivityFactory(subject="Чужой", responsible=other_manager, start_at=at(10, 16))
    client.force_login(manager)
    response = client.get(reverse("activities:list"))
    assert response.status_code == 200
    assert subjects(response) == ["Звонок сегодня"]
    assert response.context["counts"] == {"overdue": 1, "today": 1, "upcoming": 1, "done": 0}
    content = response.content.decode()
    assert "Мои дела" in content
    assert "Просрочено" in content
    # the navigation badge: overdue + today
    assert 'data-section="activities"' in content
    assert '<span class="badge rounded-pill text-bg-danger ms-auto">2</span>' in content
    assert subjects(client.get(reverse("activities:list"), {"tab": "overdue"})) == [
        "Просроченный звонок"
    ]


def test_htmx_filters_return_the_fragment(client, manager):
    ActivityFactory(subject="Звонок", responsible=manager, start_at=at(10, 15))
    ActivityFactory(
        subject="Встреча", kind=kind("meeting"), responsible=manager, start_at=at(10, 16)
    )
    client.force_login(manager)
    response = client.get(
        reverse("activities:list"),
        {"tab": "today", "kind": kind("meeting").pk},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert "<aside" not in content
    assert "<table" in content
    assert subjects(response) == ["Встреча"]
    assert response["HX-Push-Url"].startswith("/activities/?tab=today")


def test_a_head_switches_to_the_department(client, head, manager, other_manager):
    ActivityFactory(subject="Менеджера", responsible=manager, start_at=at(10, 15))
    ActivityFactory(subject="Другого отдела", responsible=other_manager, start_at=at(10, 15))
    client.force_login(head)
    assert subjects(client.get(reverse("activities:list"))) == []
    response = client.get(reverse("activities:list"), {"scope": "department"})
    assert subjects(response) == ["Менеджера"]
    assert "Дела отдела" in response.content.decode()
    filtered = client.get(
        reverse("activities:list"), {"scope": "department", "employee": manager.pk}
    )
    assert subjects(filtered) == ["Менеджера"]


def test_a_manager_cannot_switch_to_the_department(client, manager, colleague):
    ActivityFactory(subject="Коллеги", responsible=colleague, start_at=at(10, 15))
    client.force_login(manager)
    response = client.get(reverse("activities:list"), {"scope": "department"})
    assert subjects(response) == []
    assert "Мой отдел" not in response.content.decode()


@pytest.mark.parametrize("tab", ["today", "all"])
def test_list_query_count_does_not_grow_with_rows(client, head, manager, colleague, tab):
    def build(count):
        for n in range(count):
            client_row = ClientFactory(owner=manager)
            person = ContactPersonFactory()
            ClientContact.objects.create(client=client_row, contact=person)
            ActivityFactory(
                responsible=manager if n % 2 else colleague,
                start_at=at(10, 13) + dt.timedelta(minutes=n),
                client=client_row,
                contact=person,
                co_executors=[head],
            )

    def count_queries():
        client.force_login(head)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("activities:list"), {"tab": tab, "scope": "department"})
        assert response.status_code == 200
        return len(captured), len(response.context["page"].object_list)

    build(3)
    few, rows = count_queries()
    assert rows == 3
    build(27)
    many, rows = count_queries()
    assert rows == 30
    assert many == few


# --- one activity ----------------------------------------------------------------------------


def test_activity_page_shows_details_reminders_and_files(client, manager, romashka, colleague):
    activity = ActivityFactory(
        subject="Обсудить поставку",
        responsible=manager,
        client=romashka,
        start_at=at(11, 10),
        goal="Получить заявку",
        co_executors=[colleague],
    )
    Reminder.objects.create(
        activity=activity, user=manager, remind_at=at(11, 9, 45), offset_minutes=15
    )
    client.force_login(manager)
    content = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    for text in ("Обсудить поставку", "ООО «Ромашка»", "Получить заявку", "за 15 минут"):
        assert text in content
    assert colleague.full_name in content


def test_another_managers_activity_is_404_everywhere(client, manager, other_manager):
    foreign = ActivityFactory(responsible=other_manager)
    client.force_login(manager)
    for name in ("detail", "edit", "complete", "cancel", "reschedule"):
        assert client.get(reverse(f"activities:{name}", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("activities:complete", args=[foreign.pk]), {"result": "x"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == ActivityStatus.PLANNED


def test_create_from_the_client_card_is_prefilled(client, manager, romashka):
    client.force_login(manager)
    response = client.get(reverse("activities:create"), {"client": romashka.pk, "kind": "call"})
    form = response.context["form"]
    assert form.initial["subject"] == "Звонок: ООО «Ромашка»"
    assert form.initial["kind"] == kind("call").pk
    assert form.initial["contact"] == romashka.contact_links.get().contact_id
    assert response.context["client"] == romashka
    content = response.content.decode()
    assert 'value="ООО «Ромашка»"' in content
    assert "Петрова Ольга" in content


def test_another_managers_client_is_not_prefilled(client, manager, other_manager):
    foreign = ClientFactory(name="ООО «Чужая»", owner=other_manager)
    client.force_login(manager)
    response = client.get(reverse("activities:create"), {"client": foreign.pk})
    assert response.context["client"] is None
    assert "ООО «Чужая»" not in response.content.decode()


def test_create_plans_with_reminders(client, manager, romashka):
    client.force_login(manager)
    response = client.post(
        reverse("activities:create"),
        {
            "kind": kind("call").pk,
            "direction": "outgoing",
            "subject": "Позвонить по КП",
            "start_at": "2026-03-12T10:00",
            "end_at": "2026-03-12T10:15",
            "client": romashka.pk,
            "contact": romashka.contact_links.get().contact_id,
            "responsible": manager.pk,
            "reminder_offsets": ["15", "1440"],
            "reminder_at": "2026-03-11T18:00",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert (activity.subject, activity.start_at, activity.client) == (
        "Позвонить по КП",
        at(12, 10),
        romashka,
    )
    assert sorted(Reminder.objects.values_list("remind_at", flat=True)) == [
        at(11, 10),
        at(11, 18),
        at(12, 9, 45),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": ""}, "subject", "Укажите тему события"),
        ({"end_at": "2026-03-12T09:00"}, "end_at", "Окончание раньше начала"),
    ],
)
def test_create_errors_are_shown_and_nothing_is_saved(client, manager, changes, field, message):
    data = {
        "kind": kind("call").pk,
        "direction": "outgoing",
        "subject": "Позвонить",
        "start_at": "2026-03-12T10:00",
        "responsible": manager.pk,
        **changes,
    }
    client.force_login(manager)
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Activity.objects.count() == 0


def test_create_for_a_client_of_another_manager_is_refused(client, manager, other_manager):
    foreign = ClientFactory(owner=other_manager)
    client.force_login(manager)
    response = client.post(
        reverse("activities:create"),
        {
            "kind": kind("call").pk,
            "direction": "outgoing",
            "subject": "Позвонить",
            "start_at": "2026-03-12T10:00",
            "responsible": manager.pk,
            "client": foreign.pk,
        },
    )
    assert response.context["form"].errors["client"] == ["Клиент не найден"]
    assert Activity.objects.count() == 0


def test_edit_saves_and_audits(client, manager, romashka):
    activity = ActivityFactory(responsible=manager, subject="Старая тема", start_at=at(12, 10))
    client.force_login(manager)
    page = client.get(reverse("activities:edit", args=[activity.pk]))
    assert page.context["form"].initial["subject"] == "Старая тема"
    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        {
            "kind": activity.kind_id,
            "direction": "outgoing",
            "subject": "Новая тема",
            "start_at": "2026-03-12T10:00",
            "responsible": manager.pk,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.subject == "Новая тема"
    entry = AuditEntry.objects.get(object_id=str(activity.pk))
    assert entry.changes["subject"] == ["Старая тема", "Новая тема"]


def test_changing_the_responsible_in_the_form_notifies_the_new_one_only(
    client, head, manager, colleague, romashka
):
    activity = ActivityFactory(
        responsible=manager,
        subject="Звонок: ООО «Ромашка»",
        goal="Узнать решение",
        client=romashka,
        start_at=at(12, 10),
    )
    client.force_login(head)
    url = f"/activities/{activity.pk}/"
    form = {
        "kind": activity.kind_id,
        "direction": "outgoing",
        "subject": "Звонок: ООО «Ромашка»",
        "goal": "Узнать решение",
        "client": romashka.pk,
        "start_at": "2026-03-12T10:00",
    }

    def notices():
        return list(Notification.objects.values_list("user__username", "title", "body", "url"))

    response = client.post(
        reverse("activities:edit", args=[activity.pk]), {**form, "responsible": manager.pk}
    )
    assert response.status_code == 302
    assert notices() == []  # saved without changing the responsible

    response = client.post(
        reverse("activities:edit", args=[activity.pk]), {**form, "responsible": colleague.pk}
    )
    assert response.status_code == 302
    assert notices() == [
        (
            "colleague",
            "Вам поручено событие: Звонок: ООО «Ромашка»",
            f"Поручил: {head.full_name}\n"
            "Звонок, 12.03.2026 10:00\n"
            "Клиент: ООО «Ромашка»\n"
            "Цель: Узнать решение\n"
            f"Открыть: {url}",
            url,
        )
    ]

    response = client.post(
        reverse("activities:edit", args=[activity.pk]), {**form, "responsible": head.pk}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.responsible == head
    assert len(notices()) == 1  # the head took it themselves


def test_history_shows_moments_in_local_time(client, manager, romashka):
    activity = ActivityFactory(responsible=manager, subject="Звонок", start_at=at(12, 10))
    client.force_login(manager)
    client.post(
        reverse("activities:edit", args=[activity.pk]),
        {
            "kind": activity.kind_id,
            "direction": "outgoing",
            "subject": "Звонок",
            "start_at": "2026-03-13T11:30",
            "responsible": manager.pk,
        },
    )

    html = client.get(reverse("core:history", args=["activities.activity", activity.pk]))

    assert AuditEntry.objects.get(object_id=str(activity.pk)).changes["start_at"] == [
        "2026-03-12T07:00:00+00:00",
        "2026-03-13T08:30:00+00:00",
    ]
    assert "<del>12.03.2026 10:00</del> → <ins>13.03.2026 11:30</ins>" in html.content.decode()


# --- dialogs ---------------------------------------------------------------------------------


def test_complete_dialog_is_a_fragment_with_the_next_step_prefilled(client, manager, romashka):
    activity = ActivityFactory(responsible=manager, client=romashka, start_at=at(10, 10))
    client.force_login(manager)
    response = client.get(
        reverse("activities:complete", args=[activity.pk]), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "<aside" not in content
    assert "Запланировать следующее" in content
    assert "Дозвонился" in content
    assert 'value="Звонок: ООО «Ромашка»"' in content
    assert 'value="2026-03-13T10:00"' in content  # a call in three days


def test_complete_without_a_result_shows_the_error(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(10, 10))
    client.force_login(manager)
    response = client.post(
        reverse("activities:complete", args=[activity.pk]), {"result": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Опишите итог" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_complete_and_plan_the_next_from_the_dialog(client, manager, romashka):
    activity = ActivityFactory(responsible=manager, client=romashka, start_at=at(10, 10))
    reached = ActivityOutcome.objects.get(kind__code="call", code="reached")
    client.force_login(manager)
    response = client.post(
        reverse("activities:complete", args=[activity.pk]),
        {
            "outcome": reached.pk,
            "result": "Договорились о встрече",
            "plan_next": "on",
            "next_kind": kind("meeting").pk,
            "next_subject": "Встреча в офисе",
            "next_start_at": "2026-03-13T11:00",
            "next_reminder": "60",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    activity.refresh_from_db()
    assert (activity.status, activity.outcome, activity.result) == (
        ActivityStatus.DONE,
        reached,
        "Договорились о встрече",
    )
    follow = Activity.objects.get(previous=activity)
    assert (follow.kind.code, follow.subject, follow.start_at, follow.client) == (
        "meeting",
        "Встреча в офисе",
        at(13, 11),
        romashka,
    )
    assert list(follow.reminders.values_list("offset_minutes", flat=True)) == [60]


def test_complete_goes_back_to_the_list_it_came_from(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(10, 10))
    client.force_login(manager)
    response = client.post(
        reverse("activities:complete", args=[activity.pk]),
        {"result": "ok", "next": "/activities/?tab=overdue"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == "/activities/?tab=overdue"
    evil = client.post(
        reverse("activities:complete", args=[ActivityFactory(responsible=manager).pk]),
        {"result": "ok", "next": "https://evil.example/"},
        HTTP_HX_REQUEST="true",
    )
    assert "HX-Redirect" not in evil


def test_cancel_and_reschedule_dialogs(client, manager):
    moved = ActivityFactory(responsible=manager, start_at=at(10, 10), end_at=at(10, 10, 30))
    dropped = ActivityFactory(responsible=manager, start_at=at(10, 11))
    client.force_login(manager)
    response = client.post(
        reverse("activities:reschedule", args=[moved.pk]),
        {"start_at": "2026-03-16T15:00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    moved.refresh_from_db()
    assert (moved.start_at, moved.end_at) == (at(16, 15), at(16, 15, 30))
    client.post(
        reverse("activities:cancel", args=[dropped.pk]),
        {"reason": "Неактуально"},
        HTTP_HX_REQUEST="true",
    )
    dropped.refresh_from_db()
    assert (dropped.status, dropped.result) == (ActivityStatus.CANCELLED, "Неактуально")


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_complete_and_reschedule(client, manager, other_manager):
    first = ActivityFactory(responsible=manager, start_at=at(9, 10))
    second = ActivityFactory(responsible=manager, start_at=at(9, 11))
    foreign = ActivityFactory(responsible=other_manager, start_at=at(9, 12))
    client.force_login(manager)
    response = client.post(
        reverse("activities:bulk"),
        {
            "action": "reschedule",
            "ids": [first.pk, foreign.pk],
            "shift_days": "2",
            "next": "/activities/?tab=overdue",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/activities/?tab=overdue"
    first.refresh_from_db()
    foreign.refresh_from_db()
    assert first.start_at == at(11, 10)
    assert foreign.start_at == at(9, 12)
    client.post(
        reverse("activities:bulk"),
        {"action": "complete", "ids": [first.pk, second.pk], "result": "Обзвонил"},
    )
    assert set(
        Activity.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {ActivityStatus.DONE}


def test_bulk_complete_without_a_result_says_so(client, manager):
    activity = ActivityFactory(responsible=manager, start_at=at(9, 10))
    client.force_login(manager)
    response = client.post(
        reverse("activities:bulk"),
        {"action": "complete", "ids": [activity.pk], "result": ""},
        follow=True,
    )
    assert "Опишите итог" in [str(m) for m in response.context["messages"]]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


# --- attachments -----------------------------------------------------------------------------


def test_attachments_upload_and_download_only_with_access(client, manager, other_manager):
    activity = ActivityFactory(responsible=manager)
    client.force_login(manager)
    response = client.post(
        reverse("activities:attachment_upload", args=[activity.pk]),
        {"file": SimpleUploadedFile("договор.pdf", b"%PDF-1.4 demo")},
    )
    assert response.status_code == 302
    attachment = ActivityAttachment.objects.get()
    url = reverse("activities:attachment_download", args=[activity.pk, attachment.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    # an attachment id of another activity through one's own activity: 404 too
    own = ActivityFactory(responsible=other_manager)
    assert (
        client.get(
            reverse("activities:attachment_download", args=[own.pk, attachment.pk])
        ).status_code
        == 404
    )


def test_a_too_large_upload_is_refused_with_a_message(client, manager):
    activity = ActivityFactory(responsible=manager)
    client.force_login(manager)
    response = client.post(
        reverse("activities:attachment_upload", args=[activity.pk]),
        {"file": SimpleUploadedFile("видео.mp4", b"0" * (10 * 1024 * 1024 + 1))},
        follow=True,
    )
    assert "Файл больше 10 МБ — загрузите файл поменьше" in [
        str(m) for m in response.context["messages"]
    ]
    assert ActivityAttachment.objects.count() == 0


def test_download_by_another_manager_of_an_existing_file_is_404(client, manager, other_manager):
    activity = ActivityFactory(responsible=manager)
    attachment = attachment_add(
        by=manager, activity=activity, file=SimpleUploadedFile("a.txt", b"secret")
    )
    client.force_login(other_manager)
    url = reverse("activities:attachment_download", args=[activity.pk, attachment.pk])
    assert client.get(url).status_code == 404


# --- pickers ---------------------------------------------------------------------------------


def test_client_search_returns_only_the_users_clients(client, manager, other_manager):
    ClientFactory(name="ООО «Ромашка»", owner=manager)
    ClientFactory(name="ООО «Ромашка Юг»", owner=other_manager)
    client.force_login(manager)
    response = client.get(reverse("activities:client_search"), {"client_q": "ромаш"})
    assert [c.name for c in response.context["clients"]] == ["ООО «Ромашка»"]
    assert "Ромашка Юг" not in response.content.decode()


def test_contact_options_of_a_client(client, manager, romashka, other_manager):
    client.force_login(manager)
    content = client.get(reverse("activities:contacts"), {"client": romashka.pk}).content.decode()
    assert "Петрова Ольга" in content
    foreign = ClientFactory(owner=other_manager)
    assert client.get(reverse("activities:contacts"), {"client": foreign.pk}).status_code == 404


# --- the client card -------------------------------------------------------------------------


def test_client_card_offers_to_plan_a_call(client, manager, romashka):
    client.force_login(manager)
    content = client.get(reverse("clients:detail", args=[romashka.pk])).content.decode()
    assert "Запланировать звонок" in content
    assert f"/activities/new/?client={romashka.pk}&amp;kind=call" in content


def test_client_card_events_tab_shows_the_whole_history(client, manager, colleague, romashka):
    ActivityFactory(
        subject="Старый звонок", responsible=manager, client=romashka, start_at=at(1, 10)
    )
    ActivityFactory(
        subject="Звонок коллеги", responsible=colleague, client=romashka, start_at=at(5, 10)
    )
    ActivityFactory(subject="Другой клиент", responsible=manager, start_at=at(6, 10))
    client.force_login(manager)
    response = client.get(reverse("clients:tab", args=[romashka.pk, "activities"]))
    assert response.status_code == 200
    assert subjects(response) == ["Звонок коллеги", "Старый звонок"]
    content = response.content.decode()
    assert "Новое событие" in content
    assert f"/activities/new/?client={romashka.pk}" in content


def test_client_card_tab_of_another_managers_client_is_404(client, manager, other_manager):
    foreign = ClientFactory(owner=other_manager)
    client.force_login(manager)
    assert client.get(reverse("clients:tab", args=[foreign.pk, "activities"])).status_code == 404


def test_client_card_tab_query_count_does_not_grow(client, manager, romashka):
    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("clients:tab", args=[romashka.pk, "activities"]))
        return len(captured), len(response.context["page"].object_list)

    client.force_login(manager)
    for n in range(3):
        ActivityFactory(responsible=manager, client=romashka, start_at=at(1, 10 + n))
    few, rows = count()
    assert rows == 3
    for n in range(17):
        ActivityFactory(
            responsible=manager,
            client=romashka,
            start_at=at(2, 8) + dt.timedelta(minutes=n),
            status=ActivityStatus.DONE,
            outcome=ActivityOutcome.objects.get(kind__code="call", code="reached"),
            contact=romashka.contact_links.get().contact,
        )
    many, rows = count()
    assert rows == 20
    assert many == few

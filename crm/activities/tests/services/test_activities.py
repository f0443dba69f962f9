"""Writes on activities: every rule of crm.activities.services.activities with its exact message,
reminders, complete + next in one step, bulk operations, notifications on assignment, audit."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.accounts.tests.factories import UserFactory
from crm.activities.models import (
    Activity,
    ActivityAttachment,
    ActivityOutcome,
    ActivityStatus,
    Reminder,
    ReminderStatus,
)
from crm.activities.services import activities as services
from crm.activities.tests.factories import ActivityFactory, kind
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.models import AuditAction, AuditEntry, Job, Notification

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=MOSCOW)  # a Tuesday morning
START = dt.datetime(2026, 3, 12, 10, 0, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def client_of_manager(manager):
    return ClientFactory(name="ООО «Ромашка»", owner=manager)


@pytest.fixture
def contact(client_of_manager):
    person = ContactPersonFactory(last_name="Петрова", first_name="Ольга")
    ClientContact.objects.create(client=client_of_manager, contact=person, is_main=True)
    return person


def create(by, **fields):
    fields.setdefault("kind", kind("call"))
    fields.setdefault("subject", "Обсудить поставку")
    fields.setdefault("start_at", START)
    return services.activity_create(by=by, **fields)


def errors_of(excinfo):
    return {
        field: [str(m) for m in messages] for field, messages in excinfo.value.message_dict.items()
    }


def audit_entries(activity):
    return list(
        AuditEntry.objects.filter(object_id=str(activity.pk), content_type__model="activity")
        .order_by("id")
        .values_list("action", "comment")
    )


# --- create ----------------------------------------------------------------------------------


def test_create_defaults_to_the_author_and_copies_the_department(
    manager, client_of_manager, contact
):
    activity = create(
        manager,
        client=client_of_manager,
        contact=contact,
        goal="Договориться о встрече",
        end_at=START + dt.timedelta(minutes=15),
    )
    activity.refresh_from_db()
    assert activity.responsible == manager
    assert activity.department == manager.department
    assert activity.created_by == manager
    assert activity.status == ActivityStatus.PLANNED
    assert activity.direction == "outgoing"
    entry = AuditEntry.objects.get(object_id=str(activity.pk), content_type__model="activity")
    assert entry.action == AuditAction.CREATE
    assert entry.actor == manager
    assert entry.changes["subject"] == [None, "Обсудить поставку"]
    assert entry.changes["client"] == [None, "ООО «Ромашка»"]
    assert entry.changes["responsible"] == [None, str(manager)]
    assert Notification.objects.count() == 0  # own work: nobody to tell


def test_reminders_are_computed_for_the_responsible(manager):
    at = dt.datetime(2026, 3, 11, 18, 0, tzinfo=MOSCOW)
    activity = create(
        manager,
        reminders=[
            {"offset_minutes": 15},
            {"offset_minutes": 1440},
            {"offset_minutes": 15},  # a duplicate is dropped
            {"at": at},
        ],
    )
    rows = list(
        Reminder.objects.filter(activity=activity)
        .order_by("remind_at")
        .values_list("user_id", "remind_at", "offset_minutes", "status")
    )
    assert rows == [
        (manager.pk, START - dt.timedelta(days=1), 1440, ReminderStatus.PENDING),
        (manager.pk, at, None, ReminderStatus.PENDING),
        (manager.pk, START - dt.timedelta(minutes=15), 15, ReminderStatus.PENDING),
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"subject": "  "}, {"subject": ["Укажите тему события"]}),
        (
            {"end_at": START - dt.timedelta(minutes=1)},
            {"end_at": ["Окончание раньше начала"]},
        ),
        ({"kind": None}, {"kind": ["Выберите вид события"]}),
        ({"start_at": None}, {"start_at": ["Укажите дату и время начала"]}),
        (
            {"reminders": [{"offset_minutes": 50000}]},
            {"reminders": ["Напомнить можно не раньше чем за 30 дней до начала"]},
        ),
        (
            {"reminders": [{}]},
            {"reminders": ["Напоминание: укажите время или за сколько минут до начала напомнить"]},
        ),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(manager, fields, expected):
    with pytest.raises(ValidationError) as excinfo:
        create(manager, **fields)
    assert errors_of(excinfo) == expected
    assert Activity.objects.count() == 0
    assert Reminder.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_an_inactive_kind_is_refused(manager):
    letter = kind("letter")
    letter.is_active = False
    letter.save()
    with pytest.raises(ValidationError) as excinfo:
        create(manager, kind=letter)
    assert errors_of(excinfo) == {"kind": ["Этот вид событий больше не используется"]}


def test_a_client_the_author_may_not_see_is_not_found(manager, other_manager):
    foreign = ClientFactory(owner=other_manager)
    with pytest.raises(ValidationError) as excinfo:
        create(manager, client=foreign)
    assert errors_of(excinfo) == {"client": ["Клиент не найден"]}
    assert Activity.objects.count() == 0


def test_the_contact_must_be_a_contact_of_the_client(manager, client_of_manager):
    stranger = ContactPersonFactory(last_name="Чужой")
    with pytest.raises(ValidationError) as excinfo:
        create(manager, client=client_of_manager, contact=stranger)
    assert errors_of(excinfo) == {
        "contact": ["Это контактное лицо не относится к клиенту «ООО «Ромашка»»"]
    }
    with pytest.raises(ValidationError) as excinfo:
        create(manager, contact=stranger)
    assert errors_of(excinfo) == {"contact": ["Контактное лицо выбирается после клиента"]}


def test_a_manager_cannot_make_a_colleague_responsible(manager, colleague):
    with pytest.raises(ValidationError) as excinfo:
        create(manager, responsible=colleague)
    assert errors_of(excinfo) == {"responsible": ["Поручать события этому сотруднику вы не можете"]}


def test_an_inactive_responsible_is_refused(head, manager):
    manager.is_active = False
    manager.save()
    with pytest.raises(ValidationError) as excinfo:
        create(head, responsible=manager)
    assert errors_of(excinfo) == {"responsible": ["Сотрудник отключён — выберите работающего"]}


def test_a_head_of_another_department_cannot_assign(head, other_manager):
    with pytest.raises(ValidationError) as excinfo:
        create(head, responsible=other_manager)
    assert errors_of(excinfo) == {"responsible": ["Поручать события этому сотруднику вы не можете"]}


def test_assigning_to_a_colleague_notifies_with_goal_task_and_link(
    head, manager, client_of_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = create(
            head,
            responsible=manager,
            client=client_of_manager,
            goal="Получить ответ по КП",
            description="Позвонить главному инженеру",
            reminders=[{"offset_minutes": 15}],
        )
    assert activity.department == manager.department
    assert Reminder.objects.get().user == manager
    notification = Notification.objects.get()
    assert notification.user == manager
    assert notification.title == "Вам поручено событие: Обсудить поставку"
    assert notification.url == f"/activities/{activity.pk}/"
    assert notification.body == (
        f"Поручил: {head.full_name}\n"
        "Звонок, 12.03.2026 10:00\n"
        "Клиент: ООО «Ромашка»\n"
        "Цель: Получить ответ по КП\n"
        "Задача: Позвонить главному инженеру\n"
        f"Открыть: /activities/{activity.pk}/"
    )
    job = Job.objects.get(kind="core.send_email")
    assert job.payload["to"] == [manager.email]
    assert job.payload["subject"] == "Вам поручено событие: Обсудить поставку"


def test_co_executors_from_any_department_are_notified(manager, other_manager):
    activity = create(manager, co_executors=[other_manager, manager])
    assert list(activity.co_executors.all()) == [other_manager]
    notification = Notification.objects.get()
    assert notification.user == other_manager
    assert notification.title == "Вы соисполнитель события: Обсудить поставку"


def test_an_inactive_co_executor_is_refused(manager, other_manager):
    other_manager.is_active = False
    other_manager.save()
    with pytest.raises(ValidationError) as excinfo:
        create(manager, co_executors=[other_manager])
    assert errors_of(excinfo) == {
        "co_executors": [f"Соисполнитель «{other_manager.full_name}» отключён"]
    }


# --- update ----------------------------------------------------------------------------------


def test_update_audits_what_the_database_held_before(manager):
    activity = create(manager)
    activity.subject = "Подменено формой"  # a ModelForm mutates the instance it validates
    services.activity_update(by=manager, activity=activity, subject="Новая тема", goal="Цель")
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.changes == {
        "subject": ["Обсудить поставку", "Новая тема"],
        "goal": ["", "Цель"],
    }


def test_update_without_changes_writes_no_history(manager):
    activity = create(manager)
    services.activity_update(by=manager, activity=activity, subject="Обсудить поставку")
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_changing_the_responsible_moves_reminders_and_notifies(head, manager, colleague):
    activity = create(head, responsible=manager, reminders=[{"offset_minutes": 60}])
    Notification.objects.all().delete()
    services.activity_update(by=head, activity=activity, responsible=colleague)
    activity.refresh_from_db()
    assert activity.responsible == colleague
    assert Reminder.objects.get().user == colleague
    notification = Notification.objects.get()
    assert (notification.user, notification.title) == (
        colleague,
        "Вам поручено событие: Обсудить поставку",
    )


def test_taking_an_activity_oneself_or_keeping_the_responsible_notifies_nobody(head, manager):
    activity = create(head, responsible=manager)
    Notification.objects.all().delete()

    services.activity_update(by=head, activity=activity, responsible=manager, goal="Новая цель")
    services.activity_update(by=head, activity=activity, responsible=head)

    activity.refresh_from_db()
    assert (activity.responsible, activity.goal) == (head, "Новая цель")
    assert not Notification.objects.exists()


def test_adding_co_executors_notifies_only_the_new_ones(manager, colleague, other_manager):
    activity = create(manager, co_executors=[colleague])
    Notification.objects.all().delete()
    services.activity_update(by=manager, activity=activity, co_executors=[colleague, other_manager])
    assert list(Notification.objects.values_list("user__username", "title")) == [
        ("other", "Вы соисполнитель события: Обсудить поставку")
    ]


def test_moving_the_start_moves_relative_reminders_only(manager):
    at = dt.datetime(2026, 3, 11, 18, 0, tzinfo=MOSCOW)
    activity = create(manager, reminders=[{"offset_minutes": 15}, {"at": at}])
    later = START + dt.timedelta(days=2, hours=3)
    services.activity_update(by=manager, activity=activity, start_at=later)
    assert sorted(Reminder.objects.values_list("offset_minutes", "remind_at"), key=str) == sorted(
        [(15, later - dt.timedelta(minutes=15)), (None, at)], key=str
    )


def test_update_with_reminders_replaces_the_pending_ones(manager):
    activity = create(manager, reminders=[{"offset_minutes": 15}])
    services.activity_update(by=manager, activity=activity, reminders=[{"offset_minutes": 60}])
    assert list(Reminder.objects.values_list("offset_minutes", flat=True)) == [60]
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.changes == {"reminders": [["за 15 минут"], ["за 1 час"]]}


def test_update_refuses_an_end_before_the_stored_start(manager):
    activity = create(manager)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_update(
            by=manager, activity=activity, end_at=START - dt.timedelta(hours=1)
        )
    assert errors_of(excinfo) == {"end_at": ["Окончание раньше начала"]}
    activity.refresh_from_db()
    assert activity.end_at is None


# --- complete --------------------------------------------------------------------------------


def test_complete_records_the_result_and_cancels_pending_reminders(manager):
    activity = create(
        manager, end_at=START + dt.timedelta(minutes=20), reminders=[{"offset_minutes": 15}]
    )
    sent = Reminder.objects.create(
        activity=activity,
        user=manager,
        remind_at=NOW,
        status=ReminderStatus.SENT,
        sent_at=NOW,
    )
    reached = ActivityOutcome.objects.get(kind__code="call", code="reached")
    done = services.activity_complete(
        by=manager, activity=activity, result="  Договорились о встрече  ", outcome=reached
    )
    assert done.next_activity is None
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE
    assert activity.done_at == NOW
    assert activity.duration_minutes == 20  # the planned duration when none is given
    assert activity.outcome == reached
    assert activity.result == "Договорились о встрече"
    assert dict(Reminder.objects.values_list("pk", "status")) == {
        sent.pk: ReminderStatus.SENT,
        Reminder.objects.exclude(pk=sent.pk).get().pk: ReminderStatus.CANCELLED,
    }
    assert audit_entries(activity)[-1] == (AuditAction.UPDATE, "Событие выполнено")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"result": "  "}, {"result": ["Опишите итог"]}),
        (
            {"result": "ok", "duration_minutes": 2000},
            {"duration_minutes": ["Длительность — целое число минут от 0 до 1440"]},
        ),
        (
            {"result": "ok", "done_at": NOW + dt.timedelta(hours=1)},
            {"done_at": ["Время выполнения ещё не наступило"]},
        ),
    ],
)
def test_complete_bad_input_changes_nothing(manager, fields, expected):
    activity = create(manager, reminders=[{"offset_minutes": 15}])
    with pytest.raises(ValidationError) as excinfo:
        services.activity_complete(by=manager, activity=activity, **fields)
    assert errors_of(excinfo) == expected
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED
    assert Reminder.objects.get().status == ReminderStatus.PENDING


def test_the_outcome_must_belong_to_the_kind(manager):
    activity = create(manager)
    held = ActivityOutcome.objects.get(kind__code="meeting", code="held")
    with pytest.raises(ValidationError) as excinfo:
        services.activity_complete(by=manager, activity=activity, result="ok", outcome=held)
    assert errors_of(excinfo) == {
        "outcome": ["Результат «Состоялась» не относится к виду «Звонок»"]
    }


def test_complete_and_plan_the_next_in_one_step(manager, client_of_manager, contact):
    activity = create(manager, client=client_of_manager, contact=contact)
    in_three_days = dt.datetime(2026, 3, 13, 10, 0, tzinfo=MOSCOW)
    done = services.activity_complete(
        by=manager,
        activity=activity,
        result="Просили перезвонить",
        next={
            "kind": kind("meeting"),
            "subject": "Встреча в офисе клиента",
            "start_at": in_three_days,
            "goal": "Подписать договор",
            "reminders": [{"offset_minutes": 60}],
        },
    )
    follow = done.next_activity
    assert follow is not None
    follow.refresh_from_db()
    assert (follow.kind.code, follow.subject, follow.start_at, follow.goal) == (
        "meeting",
        "Встреча в офисе клиента",
        in_three_days,
        "Подписать договор",
    )
    assert follow.previous == activity
    assert (follow.client, follow.contact, follow.responsible) == (
        client_of_manager,
        contact,
        manager,
    )
    assert follow.status == ActivityStatus.PLANNED
    assert list(follow.reminders.values_list("offset_minutes", "remind_at")) == [
        (60, in_three_days - dt.timedelta(hours=1))
    ]


def test_a_bad_next_step_keeps_the_activity_planned(manager):
    activity = create(manager)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_complete(
            by=manager,
            activity=activity,
            result="",
            next={"kind": kind("call"), "subject": "", "start_at": None},
        )
    assert errors_of(excinfo) == {
        "result": ["Опишите итог"],
        "next_subject": ["Укажите тему события"],
        "next_start_at": ["Укажите дату и время начала"],
    }
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED
    assert Activity.objects.count() == 1


def test_a_done_activity_cannot_be_completed_again(manager):
    activity = create(manager)
    services.activity_complete(by=manager, activity=activity, result="ok")
    with pytest.raises(ValidationError) as excinfo:
        services.activity_complete(by=manager, activity=activity, result="ещё раз")
    assert errors_of(excinfo) == {"status": ["Событие уже выполнено или отменено"]}


# --- cancel, reschedule, delete --------------------------------------------------------------


def test_cancel_keeps_the_reason_and_cancels_reminders(manager):
    activity = create(manager, reminders=[{"offset_minutes": 15}])
    services.activity_cancel(by=manager, activity=activity, reason="Клиент закрылся")
    activity.refresh_from_db()
    assert (activity.status, activity.result) == (ActivityStatus.CANCELLED, "Клиент закрылся")
    assert Reminder.objects.get().status == ReminderStatus.CANCELLED
    assert audit_entries(activity)[-1] == (AuditAction.UPDATE, "Событие отменено")


def test_reschedule_keeps_the_duration_and_moves_relative_reminders(manager):
    at = dt.datetime(2026, 3, 11, 18, 0, tzinfo=MOSCOW)
    activity = create(
        manager,
        end_at=START + dt.timedelta(minutes=45),
        reminders=[{"offset_minutes": 15}, {"at": at}],
    )
    new_start = dt.datetime(2026, 3, 16, 14, 30, tzinfo=MOSCOW)
    services.activity_reschedule(by=manager, activity=activity, start_at=new_start)
    activity.refresh_from_db()
    assert (activity.start_at, activity.end_at) == (
        new_start,
        new_start + dt.timedelta(minutes=45),
    )
    assert set(Reminder.objects.values_list("offset_minutes", "remind_at")) == {
        (15, new_start - dt.timedelta(minutes=15)),
        (None, at),
    }
    entry = AuditEntry.objects.filter(comment="Событие перенесено").get()
    assert entry.changes["start_at"] == ["2026-03-12T07:00:00+00:00", "2026-03-16T11:30:00+00:00"]


def test_reschedule_refuses_an_end_before_the_start(manager):
    activity = create(manager)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_reschedule(
            by=manager, activity=activity, start_at=START, end_at=START - dt.timedelta(hours=1)
        )
    assert errors_of(excinfo) == {"end_at": ["Окончание раньше начала"]}


def test_a_done_activity_is_not_deleted(manager):
    activity = create(manager)
    services.activity_complete(by=manager, activity=activity, result="ok")
    with pytest.raises(ValidationError) as excinfo:
        services.activity_delete(by=manager, activity=activity)
    assert errors_of(excinfo) == {
        "status": ["Выполненное событие — часть истории работы с клиентом, удалить его нельзя"]
    }
    planned = create(manager)
    planned_id = planned.pk
    services.activity_delete(by=manager, activity=planned)
    assert not Activity.objects.filter(pk=planned_id).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert entry.object_id == str(planned_id)
    assert entry.changes["subject"] == ["Обсудить поставку", None]


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_complete_touches_only_visible_planned_activities(manager, other_manager):
    mine = [
        create(manager, subject=f"Звонок {n}", reminders=[{"offset_minutes": 15}]) for n in range(3)
    ]
    theirs = ActivityFactory(responsible=other_manager)
    count = services.activity_bulk_complete(
        by=manager, ids=[a.pk for a in mine] + [theirs.pk], result="Обзвонил всех"
    )
    assert count == 3
    assert set(
        Activity.objects.filter(pk__in=[a.pk for a in mine]).values_list(
            "status", "result", "done_at"
        )
    ) == {(ActivityStatus.DONE, "Обзвонил всех", NOW)}
    theirs.refresh_from_db()
    assert theirs.status == ActivityStatus.PLANNED
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    entries = AuditEntry.objects.filter(comment="Групповое завершение")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(a.pk) for a in mine)
    assert entries.first().changes["status"] == ["planned", "done"]


def test_bulk_complete_needs_a_result_and_a_selection(manager):
    activity = create(manager)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_bulk_complete(by=manager, ids=[activity.pk], result=" ")
    assert errors_of(excinfo) == {"result": ["Опишите итог"]}
    with pytest.raises(ValidationError) as excinfo:
        services.activity_bulk_complete(by=manager, ids=[], result="ok")
    assert errors_of(excinfo) == {"ids": ["Отметьте хотя бы одно событие"]}
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_bulk_reschedule_by_days_keeps_the_local_time(manager, other_manager):
    first = create(
        manager, end_at=START + dt.timedelta(minutes=30), reminders=[{"offset_minutes": 15}]
    )
    second = create(manager, start_at=dt.datetime(2026, 3, 12, 23, 30, tzinfo=MOSCOW))
    theirs = ActivityFactory(responsible=other_manager, start_at=START)
    count = services.activity_bulk_reschedule(
        by=manager, ids=[first.pk, second.pk, theirs.pk], shift_days=3
    )
    assert count == 2
    first.refresh_from_db()
    second.refresh_from_db()
    theirs.refresh_from_db()
    assert (first.start_at, first.end_at) == (
        dt.datetime(2026, 3, 15, 10, 0, tzinfo=MOSCOW),
        dt.datetime(2026, 3, 15, 10, 30, tzinfo=MOSCOW),
    )
    assert second.start_at == dt.datetime(2026, 3, 15, 23, 30, tzinfo=MOSCOW)
    assert theirs.start_at == START
    assert Reminder.objects.get().remind_at == dt.datetime(2026, 3, 15, 9, 45, tzinfo=MOSCOW)
    assert AuditEntry.objects.filter(comment="Групповой перенос").count() == 2


def test_bulk_reschedule_to_a_date(manager):
    activity = create(manager)
    services.activity_bulk_reschedule(by=manager, ids=[activity.pk], date=dt.date(2026, 4, 1))
    activity.refresh_from_db()
    assert activity.start_at == dt.datetime(2026, 4, 1, 10, 0, tzinfo=MOSCOW)


def test_bulk_reschedule_needs_a_shift_or_a_date(manager):
    activity = create(manager)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_bulk_reschedule(by=manager, ids=[activity.pk])
    assert errors_of(excinfo) == {
        "shift_days": ["Укажите, на сколько дней перенести, или новую дату"]
    }


def test_a_head_bulk_completes_the_department(head, manager, other_manager):
    ours = ActivityFactory(responsible=manager)
    theirs = ActivityFactory(responsible=other_manager)
    assert services.activity_bulk_complete(by=head, ids=[ours.pk, theirs.pk], result="ok") == 1


# --- attachments -----------------------------------------------------------------------------


def test_a_file_over_10_mb_is_refused(manager, settings):
    activity = create(manager)
    big = SimpleUploadedFile("скан.pdf", b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(by=manager, activity=activity, file=big)
    assert errors_of(excinfo) == {"file": ["Файл больше 10 МБ — загрузите файл поменьше"]}
    assert ActivityAttachment.objects.count() == 0


def test_an_attachment_is_stored_and_audited(manager):
    activity = create(manager)
    attachment = services.attachment_add(
        by=manager, activity=activity, file=SimpleUploadedFile("договор.pdf", b"%PDF-1.4")
    )
    assert (attachment.name, attachment.size, attachment.uploaded_by) == (
        "договор.pdf",
        8,
        manager,
    )
    assert attachment.file.read() == b"%PDF-1.4"
    entry = AuditEntry.objects.filter(comment="Добавлено вложение").get()
    assert entry.changes == {"attachments": [[], ["договор.pdf"]]}


def test_an_unknown_user_is_not_a_colleague(manager):
    stranger = UserFactory(department=None)
    with pytest.raises(ValidationError):
        create(manager, responsible=stranger)


def test_a_new_responsible_is_no_longer_a_co_executor(head, manager, colleague):
    activity = create(head, responsible=manager, co_executors=[colleague])
    services.activity_update(by=head, activity=activity, responsible=colleague)
    assert list(activity.co_executors.all()) == []


def test_the_kind_of_a_done_activity_keeps_its_outcome(manager):
    activity = create(manager)
    reached = ActivityOutcome.objects.get(kind__code="call", code="reached")
    services.activity_complete(by=manager, activity=activity, result="ok", outcome=reached)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_update(by=manager, activity=activity, kind=kind("meeting"))
    assert errors_of(excinfo) == {"kind": ["Результат «Дозвонился» не относится к виду «Встреча»"]}

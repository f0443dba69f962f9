"""Handover for good: preview counts, what moves and what stays, one transaction, audit,
notifications, who may, and the registry the higher apps add their parts to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.accounts.tests.factories import UserFactory
from crm.activities import handover_registry
from crm.activities.handover_registry import register_handover_part
from crm.activities.models import Activity, ActivityStatus, Handover, Reminder, ReminderStatus
from crm.activities.services import handover as handover_service
from crm.activities.services.handover import (
    ERROR_FROM_USER,
    ERROR_NO_CLIENTS,
    ERROR_SAME_USER,
    ERROR_TO_DEPARTMENT,
    ERROR_TO_USER,
    handover_apply,
    handover_preview,
)
from crm.activities.tests.factories import ActivityFactory, ReminderFactory
from crm.activities.tests.reminder_fixtures import T0
from crm.clients.models import Client, ClientStatus
from crm.clients.selectors import ClientFilter
from crm.clients.tests.factories import ClientFactory
from crm.core.models import AuditEntry, Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone", "at_t0")]


@pytest.fixture
def book(manager, colleague, other_manager):
    """The manager's clients and work, and some of others' that must not move."""
    moscow = ClientFactory(name="ООО «Москва»", owner=manager, region="Москва")
    tula = ClientFactory(name="ООО «Тула»", owner=manager, region="Тула")
    archived = ClientFactory(name="ООО «Архив»", owner=manager, status=ClientStatus.ARCHIVED)
    theirs = ClientFactory(name="ООО «Коллеги»", owner=colleague)
    soon = T0 + dt.timedelta(days=1)
    call = ActivityFactory(responsible=manager, client=moscow, start_at=soon)
    call_reminder = ReminderFactory(activity=call, user=manager)
    done = ActivityFactory(
        responsible=manager, client=moscow, status=ActivityStatus.DONE, start_at=T0
    )
    colleagues_call = ActivityFactory(responsible=colleague, client=moscow, start_at=soon)
    meeting = ActivityFactory(responsible=manager, client=tula, start_at=soon)
    meeting_reminder = ReminderFactory(activity=meeting, user=manager)
    sent_reminder = ReminderFactory(
        activity=meeting, user=manager, status=ReminderStatus.SENT, sent_at=T0
    )
    no_client = ActivityFactory(responsible=manager, client=None, start_at=soon)
    theirs_call = ActivityFactory(responsible=other_manager, client=theirs, start_at=soon)
    return {
        "clients": [moscow, tula, archived],
        "theirs": theirs,
        "moved_activities": [call, meeting],
        "kept_activities": [done, colleagues_call, no_client, theirs_call],
        "moved_reminders": [call_reminder, meeting_reminder],
        "sent_reminder": sent_reminder,
    }


def test_preview_counts_exactly_what_would_move_and_changes_nothing(head, manager, book):
    preview = handover_preview(by=head, from_user=manager)

    assert preview.client_ids == sorted(c.pk for c in book["clients"])
    assert preview.counts() == {"clients": 3, "activities": 2, "reminders": 2, "deals": 0}
    assert [str(part.title) for part in preview.parts] == [
        "Клиенты",
        "Открытые события",
        "Напоминания",
        "Открытые сделки",
    ]
    assert Client.objects.filter(owner=manager).count() == 3


def test_apply_moves_the_clients_with_their_open_activities_and_reminders(
    head, manager, colleague, department, book
):
    handover = handover_apply(by=head, from_user=manager, to_user=colleague, comment="Увольнение")

    assert handover.moved == {"clients": 3, "activities": 2, "reminders": 2, "deals": 0}
    assert (handover.from_user, handover.to_user, handover.by, handover.comment) == (
        manager,
        colleague,
        head,
        "Увольнение",
    )
    assert handover.client_ids == sorted(c.pk for c in book["clients"])
    for client in book["clients"]:
        client.refresh_from_db()
        assert (client.owner, client.department) == (colleague, department)
    assert Client.objects.get(pk=book["theirs"].pk).owner == colleague  # was already theirs
    for activity in book["moved_activities"]:
        activity.refresh_from_db()
        assert (activity.responsible, activity.department) == (colleague, department)
    assert [
        Activity.objects.get(pk=a.pk).responsible.username for a in book["kept_activities"]
    ] == ["manager", "colleague", "manager", "other"]
    assert {Reminder.objects.get(pk=r.pk).user for r in book["moved_reminders"]} == {colleague}
    assert Reminder.objects.get(pk=book["sent_reminder"].pk).user == manager


def test_apply_to_another_department(administrator, manager, other_manager, other_department, book):
    handover_apply(by=administrator, from_user=manager, to_user=other_manager)
    assert set(Client.objects.filter(owner=other_manager).values_list("department", flat=True)) == {
        other_department.pk
    }
    assert {Activity.objects.get(pk=a.pk).department for a in book["moved_activities"]} == {
        other_department
    }


def test_apply_with_an_explicit_department(
    administrator, manager, colleague, other_department, book
):
    handover = handover_apply(
        by=administrator, from_user=manager, to_user=colleague, to_department=other_department
    )
    moved = Client.objects.filter(pk__in=handover.client_ids)
    assert set(moved.values_list("owner", "department")) == {(colleague.pk, other_department.pk)}


def test_every_client_and_activity_has_a_history_row(head, manager, colleague, book):
    handover = handover_apply(by=head, from_user=manager, to_user=colleague)

    comment = f"Передача дел: {manager.short_name} → {colleague.short_name}"
    clients = AuditEntry.objects.filter(content_type__model="client", comment=comment)
    assert sorted(int(e.object_id) for e in clients) == handover.client_ids
    entry = clients.get(object_id=str(book["clients"][0].pk))
    assert (entry.actor, entry.action, entry.changes) == (
        head,
        "update",
        {"owner": [str(manager), str(colleague)]},
    )
    activities = AuditEntry.objects.filter(content_type__model="activity", comment=comment)
    assert sorted(int(e.object_id) for e in activities) == sorted(
        a.pk for a in book["moved_activities"]
    )
    handover_entry = AuditEntry.objects.get(content_type__model="handover")
    assert handover_entry.changes["moved"] == [
        None,
        {"clients": 3, "activities": 2, "reminders": 2, "deals": 0},
    ]


def test_both_employees_are_notified(head, manager, colleague, book):
    handover = handover_apply(by=head, from_user=manager, to_user=colleague)
    notes = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert set(notes) == {"manager", "colleague"}
    assert notes["colleague"].title == f"Вам переданы дела сотрудника {manager.short_name}"
    assert notes["manager"].title == f"Ваши дела переданы сотруднику {colleague.short_name}"
    assert notes["colleague"].body == (
        "Клиенты: 3; Открытые события: 2; Напоминания: 2; Открытые сделки: 0"
    )
    assert notes["colleague"].url == f"/activities/handover/{handover.pk}/"


def test_an_employee_who_left_is_handed_over_from_and_not_notified(head, manager, colleague, book):
    manager.is_active = False
    manager.save()
    handover_apply(by=head, from_user=manager, to_user=colleague)
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["colleague"]


def test_a_filter_moves_only_the_matching_clients(head, manager, colleague, book):
    filters = ClientFilter(region="Тула")
    preview = handover_preview(by=head, from_user=manager, filters=filters)
    assert preview.counts() == {"clients": 1, "activities": 1, "reminders": 1, "deals": 0}

    handover = handover_apply(by=head, from_user=manager, to_user=colleague, filters=filters)

    tula = book["clients"][1]
    assert handover.client_ids == [tula.pk]
    assert list(Client.objects.filter(owner=colleague).order_by("pk")) == [tula, book["theirs"]]


def test_the_filter_never_takes_someone_elses_clients(head, manager, colleague, book):
    filters = ClientFilter(owner_id=colleague.pk, status="")
    preview = handover_preview(by=head, from_user=manager, filters=filters)
    assert preview.client_ids == sorted(c.pk for c in book["clients"])


def test_explicit_ids_move_only_those_of_the_employee(head, manager, colleague, book):
    moscow = book["clients"][0]
    ids = [moscow.pk, book["theirs"].pk, 999_999, "junk"]
    preview = handover_preview(by=head, from_user=manager, client_ids=ids)
    assert preview.client_ids == [moscow.pk]
    assert preview.counts() == {"clients": 1, "activities": 1, "reminders": 1, "deals": 0}


# --- refused ----------------------------------------------------------------------------------


def nothing_moved(manager) -> None:
    assert Client.objects.filter(owner=manager).count() == 3
    assert Handover.objects.count() == 0
    assert Notification.objects.count() == 0
    assert not AuditEntry.objects.filter(content_type__model="client").exists()


@pytest.mark.parametrize("who", ["manager", "colleague", "accountant"])
def test_only_heads_and_administrators_may(request, manager, colleague, book, who):
    by = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        handover_preview(by=by, from_user=manager)
    with pytest.raises(PermissionDenied):
        handover_apply(by=by, from_user=manager, to_user=colleague)
    nothing_moved(manager)


def test_a_head_only_within_their_department(head, manager, other_manager, book):
    with pytest.raises(ValidationError) as error:
        handover_apply(by=head, from_user=manager, to_user=other_manager)
    assert error.value.message_dict == {"to_user": [str(ERROR_TO_USER)]}
    with pytest.raises(ValidationError) as error:
        handover_preview(by=head, from_user=other_manager)
    assert error.value.message_dict == {"from_user": [str(ERROR_FROM_USER)]}
    nothing_moved(manager)


def test_a_head_cannot_move_into_another_department(
    head, manager, colleague, other_department, book
):
    with pytest.raises(ValidationError) as error:
        handover_apply(
            by=head, from_user=manager, to_user=colleague, to_department=other_department
        )
    assert error.value.message_dict == {"to_department": [str(ERROR_TO_DEPARTMENT)]}
    nothing_moved(manager)


def test_not_to_the_same_employee_nor_to_one_who_left(head, manager, department, book):
    with pytest.raises(ValidationError) as error:
        handover_apply(by=head, from_user=manager, to_user=manager)
    assert error.value.message_dict == {"to_user": [str(ERROR_SAME_USER)]}
    gone = UserFactory(department=department, is_active=False)
    with pytest.raises(ValidationError) as error:
        handover_apply(by=head, from_user=manager, to_user=gone)
    assert error.value.message_dict == {"to_user": [str(ERROR_TO_USER)]}
    with pytest.raises(ValidationError) as error:
        handover_apply(by=head, from_user=manager, to_user=None)
    assert error.value.message_dict == {"to_user": [str(ERROR_TO_USER)]}
    nothing_moved(manager)


def test_an_employee_without_clients_has_nothing_to_hand_over(head, colleague, manager, book):
    with pytest.raises(ValidationError) as error:
        handover_apply(by=head, from_user=head, to_user=colleague)
    assert error.value.message_dict == {"client_ids": [str(ERROR_NO_CLIENTS)]}
    assert Handover.objects.count() == 0


# --- the registry ---------------------------------------------------------------------------------


@pytest.fixture
def deals_part():
    """A part like the one `sales` registers for deals."""
    calls: list[tuple] = []

    def preview(client_ids, from_user):
        return len(client_ids) * 10

    def apply(client_ids, from_user, to_user, to_department, by):
        calls.append((list(client_ids), from_user, to_user, to_department, by))
        return 7

    saved = dict(handover_registry._parts)
    register_handover_part("deals", "Сделки", preview, apply, order=40)
    yield calls
    handover_registry._parts.clear()
    handover_registry._parts.update(saved)


def test_a_higher_app_adds_its_part_to_preview_apply_and_the_counts(
    head, manager, colleague, book, deals_part
):
    preview = handover_preview(by=head, from_user=manager)
    assert preview.counts() == {"clients": 3, "activities": 2, "reminders": 2, "deals": 30}

    handover = handover_apply(by=head, from_user=manager, to_user=colleague)

    assert handover.moved == {"clients": 3, "activities": 2, "reminders": 2, "deals": 7}
    assert deals_part == [(handover.client_ids, manager, colleague, None, head)]
    assert Notification.objects.filter(user=colleague).get().body == (
        "Клиенты: 3; Открытые события: 2; Напоминания: 2; Сделки: 7"
    )


def test_a_part_that_fails_undoes_the_whole_handover(head, manager, colleague, book):
    saved = dict(handover_registry._parts)

    def refuse(client_ids, from_user, to_user, to_department, by):
        raise ValidationError({"deals": ["Есть сделка на согласовании"]})

    register_handover_part("deals", "Сделки", lambda ids, user: 0, refuse, order=40)
    try:
        with pytest.raises(ValidationError):
            handover_apply(by=head, from_user=manager, to_user=colleague)
    finally:
        handover_registry._parts.clear()
        handover_registry._parts.update(saved)
    nothing_moved(manager)
    assert {Reminder.objects.get(pk=r.pk).user for r in book["moved_reminders"]} == {manager}


def test_a_large_book_moves_in_chunks(head, manager, colleague, monkeypatch):
    real_chunks = handover_registry.chunks
    monkeypatch.setattr(handover_service, "chunks", lambda ids: real_chunks(ids, 3))
    clients = ClientFactory.create_batch(8, owner=manager)
    for client in clients:
        ActivityFactory(responsible=manager, client=client)
    handover = handover_apply(by=head, from_user=manager, to_user=colleague)
    assert handover.moved == {"clients": 8, "activities": 8, "reminders": 0, "deals": 0}
    assert Client.objects.filter(owner=colleague).count() == 8

"""Absences (substitution): who may record one, the checks, cancelling, and that it starts and
ends by itself — the substitute sees the absent one's clients only while it is in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.accounts.access import visible_to
from crm.accounts.models import Absence
from crm.accounts.selectors import absence_list
from crm.accounts.services import (
    ERROR_ABSENCE_DATES,
    ERROR_ABSENCE_OVER,
    ERROR_ABSENCE_OVERLAP,
    ERROR_ABSENCE_PAST,
    ERROR_ABSENCE_SELF,
    ERROR_ABSENCE_SUBSTITUTE,
    ERROR_ABSENCE_SUBSTITUTE_AWAY,
    ERROR_ABSENCE_USER,
    ERROR_ABSENCE_USER_SUBSTITUTES,
    absence_cancel,
    absence_create,
)
from crm.accounts.tests.factories import UserFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
NOON = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow


@pytest.fixture(autouse=True)
def thursday(time_machine):
    time_machine.move_to(NOON, tick=False)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def create(by, user, substitute, start=0, end=2, reason="Отпуск"):
    return absence_create(
        by=by,
        user=user,
        substitute=substitute,
        date_from=days(start),
        date_to=days(end),
        reason=reason,
    )


@pytest.mark.parametrize("who", ["manager", "head", "administrator"])
def test_the_employee_their_head_or_an_administrator_records_it(request, manager, colleague, who):
    by = request.getfixturevalue(who)

    absence = create(by, manager, colleague)

    absence.refresh_from_db()
    assert (
        absence.user,
        absence.substitute,
        absence.date_from,
        absence.date_to,
        absence.reason,
        absence.created_by,
    ) == (manager, colleague, TODAY, days(2), "Отпуск", by)
    entry = AuditEntry.objects.get(content_type__model="absence")
    assert (entry.action, entry.actor, entry.changes["date_to"]) == (
        "create",
        by,
        [None, "2026-11-28"],
    )


@pytest.mark.parametrize("who", ["colleague", "other_manager", "accountant"])
def test_nobody_else_records_it(request, manager, head, who):
    with pytest.raises(ValidationError) as error:
        create(request.getfixturevalue(who), manager, head)
    assert error.value.message_dict == {"user": [str(ERROR_ABSENCE_USER)]}
    assert Absence.objects.count() == 0


def test_a_head_of_another_department_does_not(manager, colleague, other_department):
    other_head = UserFactory(department=other_department, role="head_of_sales")
    with pytest.raises(ValidationError):
        create(other_head, manager, colleague)


@pytest.mark.parametrize(
    ("start", "end", "substitute", "errors"),
    [
        (3, 2, "colleague", {"date_to": [ERROR_ABSENCE_DATES]}),
        (-5, -1, "colleague", {"date_to": [ERROR_ABSENCE_PAST]}),
        (0, 2, "manager", {"substitute": [ERROR_ABSENCE_SELF]}),
        (0, 2, "other_manager", {"substitute": [ERROR_ABSENCE_SUBSTITUTE]}),
        (0, 2, None, {"substitute": [ERROR_ABSENCE_SUBSTITUTE]}),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    request, manager, head, start, end, substitute, errors
):
    person = request.getfixturevalue(substitute) if substitute else None
    with pytest.raises(ValidationError) as error:
        create(head, manager, person, start, end)
    assert error.value.message_dict == {f: [str(m) for m in msgs] for f, msgs in errors.items()}
    assert Absence.objects.count() == 0


def test_an_administrator_may_pick_a_substitute_from_another_department(
    administrator, manager, other_manager
):
    assert create(administrator, manager, other_manager).substitute == other_manager


def test_a_substitute_who_left_is_refused(head, manager, department):
    gone = UserFactory(department=department, is_active=False)
    with pytest.raises(ValidationError) as error:
        create(head, manager, gone)
    assert error.value.message_dict == {"substitute": [str(ERROR_ABSENCE_SUBSTITUTE)]}


def test_overlaps_are_refused(head, manager, colleague, department):
    create(head, manager, colleague, 0, 5)
    third = UserFactory(department=department)
    with pytest.raises(ValidationError) as error:
        create(head, manager, third, 5, 7)  # the manager is already away on the 5th
    assert error.value.message_dict == {"date_from": [str(ERROR_ABSENCE_OVERLAP)]}
    with pytest.raises(ValidationError) as error:
        create(head, third, manager, 3, 4)  # the substitute is away then
    assert error.value.message_dict == {"substitute": [str(ERROR_ABSENCE_SUBSTITUTE_AWAY)]}
    with pytest.raises(ValidationError) as error:
        create(head, colleague, third, 1, 1)  # the colleague stands in for the manager then
    assert error.value.message_dict == {"user": [str(ERROR_ABSENCE_USER_SUBSTITUTES)]}
    assert create(head, manager, third, 6, 7).date_from == days(6)  # after it: fine
    assert Absence.objects.count() == 2


def test_cancelling_one_to_come_deletes_it(manager, colleague):
    absence = create(manager, manager, colleague, 1, 3)
    assert absence_cancel(by=manager, absence=absence) is None
    assert Absence.objects.count() == 0
    assert AuditEntry.objects.filter(content_type__model="absence", action="delete").count() == 1


def test_cancelling_one_in_force_ends_it_yesterday(manager, colleague, time_machine):
    absence = create(manager, manager, colleague, 0, 5)
    time_machine.move_to(NOON + dt.timedelta(days=2), tick=False)

    ended = absence_cancel(by=manager, absence=absence)

    assert ended is not None
    absence.refresh_from_db()
    assert (absence.date_from, absence.date_to) == (TODAY, days(1))


def test_cancelling_one_that_started_today_deletes_it(manager, colleague):
    absence = create(manager, manager, colleague, 0, 5)
    assert absence_cancel(by=manager, absence=absence) is None
    assert Absence.objects.count() == 0


def test_one_already_over_cannot_be_cancelled(manager, colleague, time_machine):
    absence = create(manager, manager, colleague, 0, 1)
    time_machine.move_to(NOON + dt.timedelta(days=3), tick=False)
    with pytest.raises(ValidationError) as error:
        absence_cancel(by=manager, absence=absence)
    assert error.value.message_dict == {"date_to": [str(ERROR_ABSENCE_OVER)]}


def test_only_who_may_record_it_may_cancel_it(manager, colleague):
    absence = create(manager, manager, colleague)
    with pytest.raises(PermissionDenied):
        absence_cancel(by=colleague, absence=absence)
    assert Absence.objects.count() == 1


def test_the_list_each_one_sees(manager, colleague, head, other_manager, administrator):
    mine = create(manager, manager, colleague)
    other_head = UserFactory(department=other_manager.department, role="head_of_sales")
    theirs = create(other_head, other_manager, other_head)
    Absence.objects.create(
        user=colleague, substitute=head, date_from=days(-9), date_to=days(-8)
    )  # over

    def ids(user, **kwargs):
        return [a.pk for a in absence_list(user=user, **kwargs)]

    assert ids(manager) == [mine.pk]
    assert ids(colleague) == [mine.pk]  # stands in
    assert ids(head) == [mine.pk]
    assert ids(other_manager) == [theirs.pk]
    assert ids(administrator) == [mine.pk, theirs.pk]
    assert len(ids(administrator, current_only=False)) == 3


def test_the_substitute_sees_the_absent_ones_clients_only_while_it_is_in_force(
    manager, colleague, time_machine
):
    from crm.clients.models import Client
    from crm.clients.tests.factories import ClientFactory

    client = ClientFactory(owner=manager)
    create(manager, manager, colleague, 1, 2)  # Friday and Saturday

    def sees() -> bool:
        fresh = type(colleague).objects.get(pk=colleague.pk)  # acting_for is cached per request
        return visible_to(fresh, Client.objects.filter(pk=client.pk)).exists()

    assert sees() is False  # Thursday
    time_machine.move_to(dt.datetime(2026, 11, 26, 21, 0, tzinfo=dt.UTC), tick=False)  # Fri 00:00
    assert sees() is True
    time_machine.move_to(dt.datetime(2026, 11, 28, 20, 59, tzinfo=dt.UTC), tick=False)  # Sat 23:59
    assert sees() is True
    time_machine.move_to(dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC), tick=False)  # Sunday
    assert sees() is False
    assert Client.objects.get(pk=client.pk).owner == manager  # nothing was moved

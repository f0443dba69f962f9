"""Work lists at fixed times, in the user's time zone; their counts in one query; scope (own,
co-executor, department, substitution) and every filter."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from crm.accounts.access import acting_for
from crm.accounts.models import Absence
from crm.activities.models import ActivityStatus, Direction
from crm.activities.selectors.activities import (
    ActivityFilter,
    activity_badge,
    activity_counts,
    activity_get,
    activity_list,
    client_activities,
)
from crm.activities.tests.factories import ActivityFactory, kind
from crm.clients.tests.factories import ClientFactory

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
def plan(manager):
    def make(subject, start, status=ActivityStatus.PLANNED, **fields):
        fields.setdefault("responsible", manager)
        return ActivityFactory(subject=subject, start_at=start, status=status, **fields)

    make("вчера", at(9, 10))
    make("сегодня утром", at(10, 9))
    make("сегодня днём", at(10, 15))
    make("сегодня 23:30", at(10, 23, 30))
    make("весь день сегодня", at(10, 0), all_day=True)
    make("весь день вчера", at(9, 0), all_day=True)
    make("завтра", at(11, 10))
    make("через две недели", at(24, 10))
    make("через 15 дней", at(25, 10))
    make("выполнено 3 дня назад", at(7, 10), status=ActivityStatus.DONE)
    make("выполнено 40 дней назад", at(7, 10) - dt.timedelta(days=40), status=ActivityStatus.DONE)
    make("отменено вчера", at(9, 11), status=ActivityStatus.CANCELLED)
    return make


def subjects(user, **filters):
    return [a.subject for a in activity_list(user=user, filters=ActivityFilter(**filters))]


def test_work_lists_of_a_moscow_user(manager, plan):
    assert subjects(manager, tab="overdue") == ["весь день вчера", "вчера", "сегодня утром"]
    assert subjects(manager, tab="today") == [
        "весь день сегодня",
        "сегодня днём",
        "сегодня 23:30",
    ]
    assert subjects(manager, tab="upcoming") == ["завтра", "через две недели"]
    assert subjects(manager, tab="done") == ["выполнено 3 дня назад"]
    assert len(subjects(manager)) == 12  # no tab: everything, newest first
    assert subjects(manager)[0] == "через 15 дней"


def test_the_day_is_the_users_own(manager, plan):
    manager.time_zone = "Asia/Novosibirsk"  # 23:30 in Moscow is 03:30 tomorrow there
    manager.save()
    assert "сегодня 23:30" not in subjects(manager, tab="today")
    assert subjects(manager, tab="upcoming")[0] == "сегодня 23:30"


def test_counts_come_in_one_query(manager, plan, django_assert_num_queries):
    acting_for(manager)  # the user's substitutions and role are read once per request
    assert manager.role
    with django_assert_num_queries(1):
        counts = activity_counts(user=manager)
    assert counts == {"overdue": 3, "today": 3, "upcoming": 2, "done": 1}


def test_badge_is_overdue_plus_today_in_one_query(manager, plan, django_assert_num_queries):
    acting_for(manager)
    assert manager.role
    with django_assert_num_queries(1):
        assert activity_badge(manager) == 6


def test_the_badge_of_a_head_counts_own_work_only(head, manager, plan):
    ActivityFactory(responsible=head, start_at=at(10, 18))
    assert activity_badge(head) == 1


def test_a_co_executor_sees_the_activity_in_their_lists(manager, other_manager):
    shared = ActivityFactory(responsible=other_manager, start_at=at(10, 16), co_executors=[manager])
    assert [a.pk for a in activity_list(user=manager, filters=ActivityFilter(tab="today"))] == [
        shared.pk
    ]
    assert activity_counts(user=manager)["today"] == 1


def test_a_head_sees_the_department_on_request(head, manager, colleague, other_manager):
    ActivityFactory(subject="менеджер", responsible=manager, start_at=at(10, 16))
    ActivityFactory(subject="коллега", responsible=colleague, start_at=at(10, 17))
    ActivityFactory(subject="другой отдел", responsible=other_manager, start_at=at(10, 17))
    ActivityFactory(subject="сам", responsible=head, start_at=at(10, 18))
    assert subjects(head, tab="today") == ["сам"]
    assert subjects(head, tab="today", department=True) == ["менеджер", "коллега", "сам"]
    assert subjects(head, tab="today", department=True, employee_id=colleague.pk) == ["коллега"]
    assert activity_counts(user=head, filters=ActivityFilter(department=True))["today"] == 3


def test_a_manager_cannot_widen_to_the_department(manager, colleague):
    ActivityFactory(subject="коллега", responsible=colleague, start_at=at(10, 17))
    assert subjects(manager, tab="today", department=True) == []


def test_a_substitute_sees_the_absent_colleagues_work(manager, colleague):
    ActivityFactory(subject="коллега", responsible=colleague, start_at=at(9, 17))
    assert subjects(manager, tab="overdue") == []
    Absence.objects.create(
        user=colleague,
        substitute=manager,
        date_from=dt.date(2026, 3, 9),
        date_to=dt.date(2026, 3, 11),
    )
    manager.__dict__.pop("_acting_for", None)
    assert subjects(manager, tab="overdue") == ["коллега"]


def test_filters(manager):
    alpha = ClientFactory(name="ООО «Альфа»", owner=manager)
    beta = ClientFactory(name="ООО «Бета»", owner=manager)
    ActivityFactory(
        subject="Звонок по счёту", responsible=manager, client=alpha, start_at=at(3, 10)
    )
    ActivityFactory(
        subject="Встреча",
        kind=kind("meeting"),
        responsible=manager,
        client=beta,
        start_at=at(5, 23, 30),
        direction=Direction.INCOMING,
    )
    ActivityFactory(
        subject="Письмо",
        kind=kind("email"),
        responsible=manager,
        start_at=at(6, 10),
        status=ActivityStatus.DONE,
    )
    assert subjects(manager, kind_id=kind("meeting").pk) == ["Встреча"]
    assert subjects(manager, client_id=alpha.pk) == ["Звонок по счёту"]
    assert subjects(manager, status="done") == ["Письмо"]
    assert subjects(manager, direction="incoming") == ["Встреча"]
    # The period is in the user's days: 23:30 on the 5th in Moscow is the 5th.
    assert subjects(manager, date_from=dt.date(2026, 3, 4), date_to=dt.date(2026, 3, 5)) == [
        "Встреча"
    ]
    assert subjects(manager, text="звонок") == ["Звонок по счёту"]
    assert subjects(manager, text="бета") == ["Встреча"]


def test_another_managers_activity_is_not_found(manager, other_manager):
    foreign = ActivityFactory(responsible=other_manager)
    with pytest.raises(Exception) as excinfo:
        activity_get(user=manager, pk=foreign.pk)
    assert type(excinfo.value).__name__ == "Http404"


def test_the_owner_of_a_client_reads_every_contact_with_it(manager, other_manager):
    client = ClientFactory(owner=manager)
    by_other = ActivityFactory(responsible=other_manager, client=client)
    assert activity_get(user=manager, pk=by_other.pk) == by_other


def test_client_history_is_newest_first(manager):
    client = ClientFactory(owner=manager)
    old = ActivityFactory(responsible=manager, client=client, start_at=at(1, 10))
    new = ActivityFactory(responsible=manager, client=client, start_at=at(8, 10))
    ActivityFactory(responsible=manager, start_at=at(9, 10))  # another client's
    assert list(client_activities(client=client)) == [new, old]


@pytest.mark.parametrize("role", ["manager", "head", "accountant", "administrator"])
def test_the_department_view_holds_exactly_what_the_access_rules_allow(
    request, role, manager, colleague, other_manager, head
):
    """The lists are unions of disjoint parts; together they are visible_to, each row once."""
    from crm.accounts.access import visible_to
    from crm.activities.models import Activity

    user = request.getfixturevalue(role)
    ActivityFactory(responsible=manager, start_at=at(10, 15))
    ActivityFactory(responsible=colleague, start_at=at(10, 16), co_executors=[manager, head])
    ActivityFactory(responsible=other_manager, start_at=at(10, 17), co_executors=[manager])
    ActivityFactory(responsible=other_manager, start_at=at(10, 18), co_executors=[head])
    ActivityFactory(responsible=head, start_at=at(10, 19), department=None)
    ActivityFactory(responsible=other_manager, start_at=at(10, 20))
    expected = sorted(visible_to(user, Activity.objects.all()).values_list("pk", flat=True))
    listed = [a.pk for a in activity_list(user=user, filters=ActivityFilter(department=True))]
    assert sorted(listed) == expected
    assert len(listed) == len(set(listed))
    counted = activity_counts(user=user, filters=ActivityFilter(department=True))["today"]
    assert counted == len(expected)


def test_rows_slice_and_count_like_a_queryset(manager, colleague, monkeypatch):
    from crm.activities.selectors import activities as selectors

    made = [
        ActivityFactory(
            responsible=manager, subject=f"№{n}", start_at=at(1, 9) + dt.timedelta(hours=n)
        )
        for n in range(6)
    ]
    made.append(
        ActivityFactory(
            responsible=colleague, subject="№6", start_at=at(1, 20), co_executors=[manager]
        )
    )
    rows = activity_list(user=manager, filters=ActivityFilter())
    newest_first = [f"№{n}" for n in range(6, -1, -1)]
    assert [a.subject for a in rows] == newest_first
    assert [a.subject for a in rows[2:5]] == newest_first[2:5]
    assert [a.subject for a in rows[4:]] == newest_first[4:]
    assert rows[0].subject == "№6"
    assert rows.count() == len(rows) == 7
    with pytest.raises(IndexError):
        rows[7]
    monkeypatch.setattr(selectors, "ALL_COUNT_LIMIT", 5)
    capped = activity_list(user=manager, filters=ActivityFilter())
    assert (capped.count(), capped.capped) == (6, True)
    assert not activity_list(user=manager, filters=ActivityFilter(tab="overdue")).capped

"""Issue 4: the work lists, the calendar's events and the dashboard panels of activities cost a
fixed number of queries however many activities there are (the times are measured by the
benchmark, bench/README.md; here only the query counts are guarded)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from crm.accounts.access import acting_for
from crm.activities.models import ActivityStatus
from crm.activities.shell import work_panel
from crm.activities.shell_reminders import missed_reminders_panel
from crm.activities.tests.factories import ActivityFactory, ReminderFactory, kind
from crm.clients.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)  # Tuesday
MONTH = {"start": "2026-02-23T00:00:00", "end": "2026-04-06T00:00:00"}  # the grid of March

# Every logged-in page and JSON view: the session and the user.
LOGIN = 2


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MOSCOW)


def fill(manager, colleague, n: int) -> None:
    """n activities of the manager spread over every work list (overdue, today, upcoming, done;
    some with a client, some meetings, some all day), as many co-executed ones of a colleague,
    and a sent reminder of each not answered yet."""
    starts = [at(9, 10), at(10, 15), at(12, 10), at(8, 10)]  # overdue, today, upcoming, done
    for i in range(n):
        tab = i % 4
        own = ActivityFactory(
            responsible=manager,
            client=ClientFactory(owner=manager) if i % 2 else None,
            kind=kind("meeting") if i % 3 == 0 else kind("call"),
            start_at=starts[tab] + dt.timedelta(minutes=i),
            status=ActivityStatus.DONE if tab == 3 else ActivityStatus.PLANNED,
            all_day=tab == 2 and i % 8 == 2,
        )
        own.co_executors.set([colleague])
        helped = ActivityFactory(
            responsible=colleague,
            start_at=starts[tab] + dt.timedelta(minutes=i + 1),
            status=ActivityStatus.DONE if tab == 3 else ActivityStatus.PLANNED,
            co_executors=[manager],
        )
        ReminderFactory(
            activity=helped,
            user=manager,
            status="sent",
            sent_at=NOW - dt.timedelta(minutes=i + 1),
        )


@pytest.mark.parametrize("n", [4, 16])
def test_calendar_month_events_cost_a_fixed_number_of_queries(
    client, manager, colleague, django_assert_num_queries, n
):
    fill(manager, colleague, n)
    client.force_login(manager)
    # Login, who the user stands in for, own activities, co-executed ones, the kinds, the
    # responsibles' names.
    with django_assert_num_queries(LOGIN + 5):
        response = client.get(reverse("activities:calendar_events"), MONTH)
    assert response.status_code == 200
    assert len(response.json()) == 2 * n


@pytest.mark.parametrize("n", [4, 16])
def test_calendar_of_colleagues_costs_a_fixed_number_of_queries(
    client, head, manager, colleague, django_assert_num_queries, n
):
    fill(manager, colleague, n)
    client.force_login(head)
    # Login, the head's role, the colleagues asked for, who the head stands in for, own and
    # co-executed activities, the kinds, the names.
    with django_assert_num_queries(LOGIN + 7):
        response = client.get(
            reverse("activities:calendar_events"),
            {**MONTH, "users": f"{head.pk},{manager.pk},{colleague.pk}"},
        )
    assert response.status_code == 200
    assert len(response.json()) == 2 * n


@pytest.mark.parametrize("n", [4, 16])
def test_dashboard_panels_of_activities_cost_a_fixed_number_of_queries(
    manager, colleague, django_assert_num_queries, n
):
    fill(manager, colleague, n)
    acting_for(manager)  # read once per request, by whatever comes first
    assert manager.role
    with django_assert_num_queries(1):  # the three counts in one statement
        panel = work_panel(manager)
    assert panel is not None
    assert sum(panel.context["counts"].values()) > 0
    with django_assert_num_queries(2):  # the unanswered reminders, their read notifications
        panel = missed_reminders_panel(manager)
    assert panel is not None
    assert panel.context["missed_total"] == n


@pytest.mark.parametrize("n", [4, 16])
def test_dashboard_costs_the_same_with_more_activities(
    client, manager, colleague, django_assert_max_num_queries, n
):
    client.force_login(manager)
    with django_assert_max_num_queries(1000) as empty:
        assert client.get(reverse("core:dashboard")).status_code == 200
    fill(manager, colleague, n)
    with django_assert_max_num_queries(1000) as filled:
        assert client.get(reverse("core:dashboard")).status_code == 200
    assert len(filled) <= len(empty) + 1  # + the missed reminders' notifications


# The page of a work list: login, the role, who the user stands in for, the navigation badge,
# the four tab counts (one statement; a tab's list takes its count from there), the ids of the
# page, the rows, their co-executors, the kinds of the filter (the form counts, then lists them).
PAGE = LOGIN + 3 + 1 + 3 + 2
ALL = PAGE + 1  # "Все" counts its own list (up to 10 000)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, PAGE),
        ({"tab": "overdue"}, PAGE),
        ({"tab": "upcoming"}, PAGE),
        ({"tab": "done"}, PAGE),
        ({"tab": "all", "kind": "meeting"}, ALL + 1),  # + the kind chosen, checked by the form
        ({"tab": "all", "status": "done", "date_from": "2026-02-08"}, ALL),
        ({"tab": "all", "q": "Звонок"}, ALL),
    ],
)
@pytest.mark.parametrize("n", [4, 16])
def test_work_lists_cost_a_fixed_number_of_queries(
    client, manager, colleague, django_assert_num_queries, params, expected, n
):
    fill(manager, colleague, n)
    if "kind" in params:
        params = {**params, "kind": kind(params["kind"]).pk}
    client.force_login(manager)
    with django_assert_num_queries(expected):
        response = client.get(reverse("activities:list"), params)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) > 0


# The API list: login, the role, who the user stands in for, the count, the ids of the page,
# the rows, their co-executors and reminders.
API = LOGIN + 2 + 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, API),
        ({"tab": "today"}, API),
        ({"tab": "overdue", "kind": "call"}, API + 1),  # + the kind by its code
    ],
)
@pytest.mark.parametrize("n", [4, 16])
def test_api_list_costs_a_fixed_number_of_queries(
    client, manager, colleague, django_assert_num_queries, params, expected, n
):
    fill(manager, colleague, n)
    client.force_login(manager)
    with django_assert_num_queries(expected):
        response = client.get("/api/v1/activities/", params)
    assert response.status_code == 200
    assert len(response.json()["results"]) > 0

"""crm.sales.selectors.deals: scoping, filters, the board (counts, sums, cards per column) with a
fixed number of queries, the timeline and time in stage."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.http import Http404

from crm.clients.tests.factories import ClientFactory
from crm.sales.models import DealStatus
from crm.sales.selectors.deals import DealFilter, board, deal_for, deal_list, stage_time
from crm.sales.tests.factories import DealFactory, pipeline, stage

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def moscow(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=MOSCOW)


def warm(user) -> None:
    """Role and stand-ins are cached on the user object once per request."""
    list(deal_list(user=user, filters=DealFilter()))


def test_list_is_scoped(manager, colleague, head, other_manager, accountant):
    mine = DealFactory(manager=manager, title="Моя")
    shared = DealFactory(manager=colleague, title="Соисполнитель", co_executors=[manager])
    theirs = DealFactory(manager=colleague, title="Коллеги")
    other = DealFactory(manager=other_manager, title="Другой отдел")

    def titles(user):
        return sorted(deal.title for deal in deal_list(user=user))

    assert titles(manager) == sorted([mine.title, shared.title])
    assert titles(head) == sorted([mine.title, shared.title, theirs.title])
    assert titles(accountant) == sorted([mine.title, shared.title, theirs.title, other.title])
    with pytest.raises(Http404):
        deal_for(manager, theirs.pk)
    assert deal_for(manager, mine.pk) == mine


def test_filters(manager):
    client = ClientFactory(owner=manager, name="ООО «Ромашка»")
    with time_machine.travel(moscow(2026, 11, 2), tick=False):
        old = DealFactory(
            manager=manager,
            title="Трубы",
            stage=stage("proposal_sent"),
            stage_deadline=dt.date(2026, 11, 5),
        )
    with time_machine.travel(moscow(2026, 11, 20), tick=False):
        new = DealFactory(manager=manager, client=client, title="Кабель")
        won = DealFactory(manager=manager, stage=stage("won"), title="Выиграна")

    def titles(**fields):
        with time_machine.travel(moscow(2026, 11, 26), tick=False):
            return [deal.title for deal in deal_list(user=manager, filters=DealFilter(**fields))]

    assert titles() == [won.title, new.title, old.title]
    assert titles(stage_id=stage("proposal_sent").pk) == [old.title]
    assert titles(status=DealStatus.WON) == [won.title]
    assert titles(stuck=True) == [old.title]
    assert titles(stuck=False) == [won.title, new.title]
    assert titles(query="ромашка") == [new.title]
    assert titles(query=new.number) == [new.title]
    assert titles(client_id=client.pk) == [new.title]
    assert titles(created_from=dt.date(2026, 11, 10)) == [won.title, new.title]
    assert titles(created_to=dt.date(2026, 11, 10)) == [old.title]


def test_board_counts_sums_and_limits_cards(manager, other_manager):
    for amount in ("100.10", "200.20", "300.30"):
        DealFactory(manager=manager, stage=stage("decision"), amount=Decimal(amount))
    DealFactory(manager=manager, stage=stage("interest"), amount=Decimal("5"))
    DealFactory(manager=other_manager, stage=stage("decision"), amount=Decimal("999"))
    columns = board(user=manager, pipeline=pipeline(), per_column=2)
    assert [column.stage.code for column in columns] == [
        "interest",
        "proposal_sent",
        "decision",
        "invoice",
        "paid",
        "won",
        "lost",
    ]
    by_code = {column.stage.code: column for column in columns}
    decision = by_code["decision"]
    assert (decision.count, decision.total, len(decision.deals), decision.more) == (
        3,
        Decimal("600.60"),
        2,
        1,
    )
    assert [deal.amount for deal in decision.deals] == [Decimal("300.30"), Decimal("200.20")]
    assert (by_code["interest"].count, by_code["interest"].total) == (1, Decimal("5.00"))
    assert (by_code["won"].count, by_code["won"].total, by_code["won"].deals) == (
        0,
        Decimal("0.00"),
        [],
    )


@pytest.mark.parametrize("count", [3, 30])
def test_list_and_board_query_count_does_not_grow(count, manager, django_assert_num_queries):
    codes = ["interest", "proposal_sent", "decision", "won"]
    for number in range(count):
        DealFactory(manager=manager, stage=stage(codes[number % len(codes)]))
    warm(manager)
    sale = pipeline()
    with django_assert_num_queries(1):
        deals = list(deal_list(user=manager, filters=DealFilter(pipeline_id=sale.pk)))
        assert len(deals) == count
        [(deal.client.name, deal.stage.name, deal.manager.short_name) for deal in deals]
    with django_assert_num_queries(3):
        columns = board(user=manager, pipeline=sale, filters=DealFilter())
        assert sum(column.count for column in columns) == count
        [(deal.client.name, deal.manager.short_name) for c in columns for deal in c.deals]


def test_stage_time_counts_working_days_and_stuck(manager):
    with time_machine.travel(moscow(2026, 11, 3, 9), tick=False):
        deal = DealFactory(
            manager=manager, stage=stage("decision"), stage_deadline=dt.date(2026, 11, 6)
        )
    # Tue 3 → Mon 9 Nov: 6 days; Thu 5, Fri 6, Mon 9 are working (Wed 4 is a holiday).
    assert stage_time(deal, now=moscow(2026, 11, 9, 12)) == (6, 3, True)
    assert stage_time(deal, now=moscow(2026, 11, 6, 12)) == (3, 2, False)

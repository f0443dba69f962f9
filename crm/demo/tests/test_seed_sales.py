"""Demo sales: deals in every stage with stage histories that hang together, proposals whose
totals are the sums of their lines, numbers that go on where the demo stopped, bulk inserts."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.clients.tests.factories import ClientFactory
from crm.core.models import NumberSequence
from crm.demo.sales import seed_sales
from crm.demo.seed import seed
from crm.sales.models import (
    Deal,
    DealActivity,
    DealStageChange,
    DealStatus,
    Proposal,
    ProposalLine,
    StageKind,
)

pytestmark = pytest.mark.django_db


def test_deals_move_through_the_pipeline_with_consistent_histories():
    counts = seed("small")
    assert counts["deals"] == Deal.objects.count() > 40
    assert counts["stage_changes"] == DealStageChange.objects.count()
    assert counts["proposals"] == Proposal.objects.count() > 10
    statuses = dict(Deal.objects.values_list("status").annotate(n=Count("id")))
    assert statuses[DealStatus.OPEN] >= 10
    assert statuses[DealStatus.WON] >= 5
    assert statuses[DealStatus.LOST] >= 3
    open_stages = set(
        Deal.objects.filter(status=DealStatus.OPEN).values_list("stage__code", flat=True)
    )
    assert len(open_stages) >= 3
    assert DealStageChange.objects.exclude(skipped=[]).exists()
    now = timezone.now()
    for deal in Deal.objects.select_related("stage", "client").prefetch_related("stage_changes"):
        changes = list(deal.stage_changes.all())
        assert changes[0].from_stage_id is None
        assert changes[-1].to_stage_id == deal.stage_id
        assert changes[-1].changed_at == deal.stage_entered_at
        for before, after in itertools.pairwise(changes):
            assert after.from_stage_id == before.to_stage_id
            assert after.changed_at >= before.changed_at
            assert after.seconds_in_stage == int(
                (after.changed_at - before.changed_at).total_seconds()
            )
        assert deal.stage_entered_at <= now
        assert deal.manager_id == deal.client.owner_id
        if deal.status == DealStatus.LOST:
            assert deal.stage.kind == StageKind.LOST
            assert deal.lost_reason_id is not None
        elif deal.status == DealStatus.WON:
            assert deal.stage.kind == StageKind.WON
            assert deal.closed_at == deal.stage_entered_at
        else:
            assert deal.stage.kind == StageKind.OPEN
            assert deal.closed_at is None
            assert deal.stage_deadline is not None
    assert Deal.objects.filter(
        status=DealStatus.OPEN, stage_deadline__lt=timezone.localdate()
    ).exists(), "some deals are stuck"
    first = Deal.objects.order_by("created_at").first()
    assert first.created_at < now - dt.timedelta(days=60), "a year of history, not today"
    for deal in Deal.objects.prefetch_related("stage_changes"):
        assert deal.created_at == deal.stage_changes.all()[0].changed_at


def test_proposal_totals_are_the_sums_of_their_lines_and_numbers_go_on():
    seed("small")
    for proposal in Proposal.objects.select_related("client").annotate(
        lines_total=Sum("lines__total"), lines_vat=Sum("lines__vat_amount")
    ):
        assert proposal.total == proposal.lines_total
        assert proposal.vat_amount == proposal.lines_vat
        assert proposal.total == proposal.amount_without_vat + proposal.vat_amount
        assert proposal.seller["inn"] == "7725012341"
        assert proposal.buyer["inn"] == proposal.client.inn
        assert proposal.created_at == proposal.sent_at
        email = DealActivity.objects.select_related("activity__kind").get(
            deal=proposal.deal_id, activity__start_at=proposal.sent_at
        )
        assert email.activity.kind.code == "email"
        assert email.activity.subject == f"Коммерческое предложение № {proposal.number}"
    line = ProposalLine.objects.filter(vat_rate="22").first()
    assert line is not None
    assert line.vat_amount == (line.total * 22 / Decimal(122)).quantize(Decimal("0.01"))
    year = timezone.localdate().year
    last = Proposal.objects.filter(date__year=year).order_by("-number").first()
    sequence = NumberSequence.objects.get(kind="proposal", year=year)
    assert last.number == f"КП-{year}-{sequence.last_number:04d}"
    deals = NumberSequence.objects.get(kind="deal", year=0)
    assert deals.last_number == Deal.objects.count()


def test_sales_are_inserted_in_bulk():
    seed("small")
    Proposal.objects.all().delete()
    Deal.objects.all().delete()
    with CaptureQueriesContext(connection) as few:
        seed_sales(managers=[])
    ClientFactory.create_batch(40)
    Proposal.objects.all().delete()
    Deal.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        seed_sales(managers=[])
    deals = Deal.objects.count()
    assert deals > 60
    # A fixed set of statements (catalog, bulk batches, a sequence row per year of proposals):
    # far fewer than one per deal, and about the same for 40 more clients.
    assert len(many) < deals
    assert abs(len(many) - len(few)) <= 8

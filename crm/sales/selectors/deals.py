"""Reads of deals, scoped to what the user may see (crm.accounts.access): the filtered list,
the kanban board, one deal, its stage history and its time in the current stage.

The board costs a fixed number of queries whatever the number of deals: the stages, one
aggregate (count and sum per stage) and one query for the cards of every column (per stage
the newest ones by an ORDER BY … LIMIT, the stages glued with UNION ALL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from crm.accounts.access import access_object, visible_to
from crm.clients.domain.normalize import searchable
from crm.core.workdays import working_days_between
from crm.sales.models import Deal, DealStageChange, DealStatus, Pipeline, Stage

CARD_RELATED = ("client", "stage", "pipeline", "manager", "source", "contact")


@dataclass
class DealFilter:
    pipeline_id: int | None = None
    stage_id: int | None = None
    manager_id: int | None = None
    source_id: int | None = None
    client_id: int | None = None
    status: str | None = None
    stuck: bool | None = None
    query: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal("0.00")
    deals: list[Deal] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many deals of the stage are not shown as cards."""
        return max(self.count - len(self.deals), 0)


def _stuck_condition(today: dt.date) -> models.Q:
    return models.Q(status=DealStatus.OPEN, stage_deadline__lt=today)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def apply_filters(queryset: models.QuerySet[Deal], filters: DealFilter) -> models.QuerySet[Deal]:
    if filters.pipeline_id:
        queryset = queryset.filter(pipeline_id=filters.pipeline_id)
    if filters.stage_id:
        queryset = queryset.filter(stage_id=filters.stage_id)
    if filters.manager_id:
        queryset = queryset.filter(manager_id=filters.manager_id)
    if filters.source_id:
        queryset = queryset.filter(source_id=filters.source_id)
    if filters.client_id:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.stuck is not None:
        stuck = _stuck_condition(timezone.localdate())
        queryset = queryset.filter(stuck) if filters.stuck else queryset.exclude(stuck)
    query = (filters.query or "").strip()
    if query:
        queryset = queryset.filter(
            models.Q(number__icontains=query)
            | models.Q(title__icontains=query)
            | models.Q(client__name_search__contains=searchable(query))
        )
    if filters.created_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        next_day = filters.created_to + dt.timedelta(days=1)
        queryset = queryset.filter(created_at__lt=_day_start(next_day))
    return queryset


def deal_list(*, user: Any, filters: DealFilter | None = None) -> models.QuerySet[Deal]:
    """The deals `user` may see, filtered, newest first; the views paginate."""
    queryset = visible_to(user, Deal.objects.all()).select_related(*CARD_RELATED)
    return apply_filters(queryset, filters or DealFilter()).order_by("-created_at", "-id")


def board(
    *, user: Any, pipeline: Pipeline, filters: DealFilter | None = None, per_column: int = 50
) -> list[BoardColumn]:
    """One column per stage of the pipeline with the count and sum of the visible deals and
    the first `per_column` cards (newest first). Three queries."""
    filters = filters or DealFilter()
    stages = list(pipeline.stages.order_by("order", "id"))
    columns = {stage.pk: BoardColumn(stage=stage) for stage in stages}
    visible = apply_filters(visible_to(user, Deal.objects.all()), filters).filter(pipeline=pipeline)
    for row in (
        visible.order_by()
        .values("stage_id")
        .annotate(count=models.Count("id"), total=models.Sum("amount"))
    ):
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count = row["count"]
            column.total = row["total"] or Decimal("0.00")
    filled = [column.stage.pk for column in columns.values() if column.count]
    if not filled:
        return list(columns.values())
    # The newest cards of each stage: per stage an ORDER BY … LIMIT (an index range of that
    # stage), the stages glued with UNION ALL into one subquery. Numbering every visible deal
    # with a window function instead sorts the whole pipeline: seconds at 100 000 deals.
    parts = [
        Deal.objects.filter(
            pk__in=visible.filter(stage_id=stage_id)
            .order_by("-created_at", "-id")
            .values("pk")[:per_column]
        )
        .order_by()
        .values("pk")
        for stage_id in filled
    ]
    ids = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    cards = (
        Deal.objects.filter(pk__in=ids)
        .select_related("client", "manager")  # what a card shows
        .order_by("stage_id", "-created_at", "-id")
    )
    for deal in cards:
        column = columns.get(deal.stage_id)
        if column is not None:
            deal.stage = column.stage
            deal.pipeline = pipeline
            column.deals.append(deal)
    return list(columns.values())


def deal_for(user: Any, pk: Any) -> Deal:
    """One deal `user` may see, else Http404."""
    return access_object(user, Deal.objects.select_related(*CARD_RELATED, "department"), pk)


def deal_timeline(deal: Deal) -> list[DealStageChange]:
    """The deal's stage changes, oldest first, with who made them."""
    return list(
        deal.stage_changes.select_related("from_stage", "to_stage", "changed_by").order_by(
            "changed_at", "id"
        )
    )


def stage_time(deal: Deal, *, now: dt.datetime | None = None) -> tuple[int, int, bool]:
    """(calendar days, working days in the current stage, stuck: the stage's deadline passed
    while the deal is open). Days count from the local date the deal entered the stage."""
    now = now or timezone.now()
    entered = timezone.localtime(deal.stage_entered_at).date()
    today = timezone.localtime(now).date()
    days = max((today - entered).days, 0)
    working = working_days_between(entered, today)
    stuck = bool(
        deal.status == DealStatus.OPEN
        and deal.stage_deadline is not None
        and deal.stage_deadline < today
    )
    return days, working, stuck

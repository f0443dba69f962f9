"""The kanban board of a pipeline and the stage move behind it (and behind the stage bar of
the deal card): a refused move answers the dialog with the problems and a small form for what
is missing; an allowed one answers the board's columns again (counts and sums) or sends the
card to reload."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from crm.accounts.http import AuthenticatedRequest
from crm.core.htmx import render_page_or_partial
from crm.sales.domain.rules import Problem
from crm.sales.forms import BoardFilterForm, MoveForm, active_pipelines
from crm.sales.models import Deal, DealStatus, Pipeline, Stage, StageKind
from crm.sales.selectors import deals as selectors
from crm.sales.services import deals as services

BOARD_PER_COLUMN = 30  # the rest of a column is one click away, in the list
BOARD_FILTER_FIELDS = ("pipeline", "manager", "source", "q", "stuck")
# Problems the dialog can solve with a field; the others are explained with a link.
FILLABLE = ("amount", "expected_close_date", "contact", "source", "description")


def chosen_pipeline(raw: Any, pipelines: list[Pipeline]) -> Pipeline | None:
    """The pipeline of ?pipeline=, else the default one, else the first."""
    for pipeline in pipelines:
        if str(pipeline.pk) == str(raw or ""):
            return pipeline
    return next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)


def deal_filter(values: dict[str, Any], **extra: Any) -> selectors.DealFilter:
    """The selector's filter from the cleaned values of a filter form."""

    def pk(name: str) -> int | None:
        value = values.get(name)
        return getattr(value, "pk", value) or None

    return selectors.DealFilter(
        pipeline_id=extra.get("pipeline_id", pk("pipeline")),
        stage_id=pk("stage"),
        manager_id=pk("manager"),
        source_id=pk("source"),
        client_id=pk("client"),
        status=values.get("status") or extra.get("status") or None,
        stuck=True if values.get("stuck") else None,
        query=(values.get("q") or "").strip(),
        created_from=values.get("created_from"),
        created_to=values.get("created_to"),
    )


def with_stage_time(deals: Any) -> list[Deal]:
    """Each deal with `days_in_stage`, `working_days_in_stage` and `is_stuck` set."""
    rows = list(deals)
    for deal in rows:
        days, working, stuck = selectors.stage_time(deal)
        deal.days_in_stage = days
        deal.working_days_in_stage = working
        deal.is_stuck = stuck
    return rows


def board_context(request: AuthenticatedRequest, params: QueryDict) -> dict[str, Any]:
    pipelines = list(active_pipelines())
    pipeline = chosen_pipeline(params.get("pipeline"), pipelines)
    form = BoardFilterForm(params, user=request.user)
    context: dict[str, Any] = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "form": form,
        "columns": [],
        "closing_stages": [],
        "per_column": BOARD_PER_COLUMN,
    }
    if pipeline is None:
        return context
    # The columns shown are the open stages: closed deals (most of them, in time) are neither
    # counted nor fetched; the won and lost stages are only drop zones.
    filters = deal_filter(form.values(), pipeline_id=pipeline.pk, status=DealStatus.OPEN)
    columns = selectors.board(
        user=request.user, pipeline=pipeline, filters=filters, per_column=BOARD_PER_COLUMN
    )
    context["columns"] = [c for c in columns if c.stage.kind == StageKind.OPEN]
    for column in context["columns"]:
        with_stage_time(column.deals)
    closing = [c.stage for c in columns if c.stage.kind != StageKind.OPEN]
    if not closing:
        closing = list(
            Stage.objects.filter(pipeline=pipeline)
            .exclude(kind=StageKind.OPEN)
            .order_by("order", "id")
        )
    context["closing_stages"] = closing
    context["filter_query"] = urlencode(
        [(name, params[name]) for name in BOARD_FILTER_FIELDS if params.get(name)]
    )
    if pipeline is not None:
        context["pipeline_query"] = urlencode({"pipeline": pipeline.pk})
    return context


@login_required
def board(request: AuthenticatedRequest) -> HttpResponse:
    context = board_context(request, request.GET)
    response = render_page_or_partial(
        request, "sales/deals/board.html", "sales/deals/partials/_board_columns.html", context
    )
    if getattr(request, "htmx", None):
        query = context.get("filter_query", "")
        response["HX-Push-Url"] = f"{request.path}?{query}" if query else request.path
    return response


# ---------------------------------------------------------------------------------------------
# The move


def _optional_url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _dialog(
    request: AuthenticatedRequest,
    deal: Deal,
    stage: Stage | None,
    form: MoveForm,
    problems: list[Problem],
    *,
    view: str,
    filters: str,
) -> HttpResponse:
    """The move dialog (into #deal-modal-content, whatever the request's target was)."""
    asked = [p.field for p in problems if p.field in FILLABLE]
    for name in FILLABLE:
        if form.errors.get(name) and name not in asked:
            asked.append(name)
    needs_reason = any(p.field == "lost_reason" for p in problems) or bool(
        stage is not None and stage.kind == StageKind.LOST
    )
    shown = [str(p.message) for p in problems]
    for name, errors in form.errors.items():
        if name not in FILLABLE and name not in ("lost_reason", "lost_comment"):
            shown.extend(str(error) for error in errors)
    context = {
        "deal": deal,
        "stage": stage,
        "form": form,
        "problems": shown,
        "asked": [form[name] for name in dict.fromkeys(asked)],
        "needs_reason": needs_reason,
        "needs_lines": any(p.field == "lines" for p in problems),
        "needs_document": any(p.code == "document_missing" for p in problems),
        "needs_activity": any(p.code == "activity_missing" for p in problems),
        "proposal_url": _optional_url("sales:proposal_create", deal.pk),
        "view": view,
        "filters": filters,
    }
    response = render(request, "sales/deals/partials/_move_dialog.html", context)
    response["HX-Retarget"] = "#deal-modal-content"
    response["HX-Reswap"] = "innerHTML"
    response["HX-Trigger"] = "deal-move-refused"
    return response


@login_required
def deal_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the dialog for a move to ?stage= (what it needs now; the "Проиграна" button).
    POST: the move with what the dialog filled in."""
    deal = selectors.deal_for(request.user, pk)
    params = request.POST if request.method == "POST" else request.GET
    view = "board" if params.get("view") == "board" else "card"
    filters = params.get("filters", "")
    form = MoveForm(params, deal=deal)
    if not form.is_valid():
        stage = form.cleaned_data.get("stage") if hasattr(form, "cleaned_data") else None
        # A mistyped field keeps the dialog's reasons in view beside the field's own error.
        problems = (
            [
                p
                for p in services.deal_move_check(deal=deal, stage=stage)
                if p.field != "lost_reason"
            ]
            if stage is not None
            else []
        )
        return _dialog(request, deal, stage, form, problems, view=view, filters=filters)
    stage = form.cleaned_data["stage"]
    if request.method != "POST":
        # Asking before the first try: the reason is a field of the dialog, not a reproach.
        problems = [
            problem
            for problem in services.deal_move_check(deal=deal, stage=stage)
            if problem.field != "lost_reason"
        ]
        return _dialog(request, deal, stage, form, problems, view=view, filters=filters)
    try:
        deal = services.deal_move_to_stage(
            deal=deal, stage=stage, by=request.user, data=form.move_data()
        )
    except services.StageMoveError as error:
        return _dialog(request, deal, stage, form, error.problems, view=view, filters=filters)
    if stage.kind == StageKind.LOST:
        text = _("Сделка %(number)s закрыта как проигранная.") % {"number": deal.number}
    elif stage.kind == StageKind.WON:
        text = _("Сделка %(number)s выиграна.") % {"number": deal.number}
    else:
        text = _("Сделка %(number)s переведена на этап «%(stage)s».") % {
            "number": deal.number,
            "stage": stage.name,
        }
    if view == "board":
        context = board_context(request, QueryDict(filters))
        response = render(request, "sales/deals/partials/_board_columns.html", context)
        response["HX-Retarget"] = "#board-columns"
        response["HX-Reswap"] = "innerHTML"
        response["HX-Trigger"] = json.dumps({"deal-moved": {"message": text}})
        return response
    messages.success(request, text)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("sales:deal_detail", args=[deal.pk])
    return response

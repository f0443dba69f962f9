"""Pages of deals: the list with filters, the card with its stage bar and tabs, the
create/edit form with lines of interest, reopening, planning an activity for the deal, and the
"Сделки" tab of the client card."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.http import AuthenticatedRequest
from crm.activities.forms import ActivityForm
from crm.activities.models import Activity, ActivityKind
from crm.activities.services import activities as activity_services
from crm.clients.models import Client, ClientContact
from crm.core.htmx import paginate, render_page_or_partial
from crm.sales.forms import (
    DealForm,
    DealListFilterForm,
    LineFormSet,
    clean_lines,
    default_pipeline,
    lines_initial,
    sort_fields,
)
from crm.sales.models import Deal, DealStatus, Stage, StageKind
from crm.sales.selectors import deals as selectors
from crm.sales.services import deals as services
from crm.sales.views.board import deal_filter, with_stage_time

TABS = ("overview", "activities", "proposals", "stages", "history")
LIST_FILTER_FIELDS = (
    "pipeline",
    "stage",
    "manager",
    "source",
    "client",
    "status",
    "stuck",
    "q",
    "created_from",
    "created_to",
    "sort",
)


def _apply_errors(form: Any, error: ValidationError) -> list[str]:
    """Put the service's errors on the form's fields; the ones of no field (and the lines')
    are returned to be shown above the form."""
    rest: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return rest
    for field, errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        else:
            rest.extend(str(message) for item in errors for message in item.messages)
    return rest


# ---------------------------------------------------------------------------------------------
# The list


def _paginate_deals(request: HttpRequest, deals: Any) -> Any:
    """The ids of the page first, then the page's rows with their relations (the sort does not
    carry the joined rows; the same number of queries whatever the page)."""
    page = paginate(request, deals.values_list("pk", flat=True), per_page=50)
    ids = list(page.object_list)
    rows = {row.pk: row for row in deals.filter(pk__in=ids).order_by()}
    page.object_list = with_stage_time(rows[pk] for pk in ids if pk in rows)
    return page


@login_required
def deal_list(request: AuthenticatedRequest) -> HttpResponse:
    form = DealListFilterForm(request.GET, user=request.user)
    values = form.values()
    sort = form.sort_value
    deals = selectors.deal_list(user=request.user, filters=deal_filter(values)).order_by(
        *sort_fields(sort)
    )
    page = _paginate_deals(request, deals)
    query = urlencode(
        [(name, request.GET[name]) for name in LIST_FILTER_FIELDS if request.GET.get(name)]
    )
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "chosen_client": form.chosen_client,
        "filter_query": query,
    }
    response = render_page_or_partial(
        request, "sales/deals/deal_list.html", "sales/deals/partials/_deal_rows.html", context
    )
    if getattr(request, "htmx", None):
        response["HX-Push-Url"] = f"{request.path}?{query}" if query else request.path
    return response


# ---------------------------------------------------------------------------------------------
# The card


def _stage_bar(deal: Deal, stages: list[Stage]) -> list[dict[str, Any]]:
    """The open stages and the won one, each done / current / ahead for the bar; a lost deal
    shows how far it got and the lost stage as its current one."""
    shown = [stage for stage in stages if stage.kind != StageKind.LOST]
    order = [stage.pk for stage in shown]
    reached: int | None = deal.stage_id
    if deal.status == DealStatus.LOST:
        last = deal.stage_changes.filter(to_stage_id=deal.stage_id).order_by("-changed_at")
        reached = last.values_list("from_stage_id", flat=True).first()
    current = order.index(reached) if reached in order else -1
    bar = []
    for index, stage in enumerate(shown):
        if deal.status == DealStatus.LOST:
            state = "done" if index <= current else "ahead"
        elif stage.pk == deal.stage_id:
            state = "current"
        elif deal.status == DealStatus.WON or index < current:
            state = "done"
        else:
            state = "ahead"
        bar.append({"stage": stage, "state": state})
    if deal.status == DealStatus.LOST:
        bar.append({"stage": deal.stage, "state": "current"})
    return bar


@login_required
def deal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_for(request.user, pk)
    stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by("order", "id"))
    days, working, stuck = selectors.stage_time(deal)
    return render(
        request,
        "sales/deals/deal_detail.html",
        {
            "deal": deal,
            "bar": _stage_bar(deal, stages),
            "won_stage": next((s for s in stages if s.kind == StageKind.WON), None),
            "lost_stage": next((s for s in stages if s.kind == StageKind.LOST), None),
            "days_in_stage": days,
            "working_days_in_stage": working,
            "is_stuck": stuck,
            "tab": request.GET.get("tab") if request.GET.get("tab") in TABS else "overview",
        },
    )


def _optional_url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@login_required
def deal_tab(request: AuthenticatedRequest, pk: int, tab: str) -> HttpResponse:
    if tab not in TABS:
        raise Http404
    deal = selectors.deal_for(request.user, pk)
    context: dict[str, Any] = {"deal": deal, "tab": tab}
    if tab == "overview":
        context["lines"] = list(deal.lines.select_related("product"))
        context["co_executors"] = list(deal.co_executors.all())
    elif tab == "activities":
        activities = (
            Activity.objects.filter(deal_link__deal=deal)
            .select_related("kind", "responsible", "contact", "outcome")
            .order_by("-start_at", "-id")
        )
        context["page"] = paginate(request, activities, per_page=20)
        context["now"] = timezone.now()
    elif tab == "proposals":
        context["proposals_url"] = _optional_url("sales:deal_proposals", deal.pk)
    elif tab == "stages":
        context["changes"] = selectors.deal_timeline(deal)
    return render(request, f"sales/deals/partials/_tab_{tab}.html", context)


@login_required
@require_POST
def deal_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_for(request.user, pk)
    try:
        deal = services.deal_reopen(deal=deal, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Сделка открыта заново, этап «%(stage)s».") % {"stage": deal.stage.name},
        )
    return redirect("sales:deal_detail", pk=deal.pk)


# ---------------------------------------------------------------------------------------------
# Create and edit


def _form_page(
    request: AuthenticatedRequest,
    form: DealForm,
    lines: Any,
    deal: Deal | None,
    line_errors: list[str],
) -> HttpResponse:
    return render(
        request,
        "sales/deals/deal_form.html",
        {
            "form": form,
            "lines": lines,
            "deal": deal,
            "client": form.client_obj,
            "line_errors": line_errors,
            "product_search_url": _optional_url("sales:product_search"),
        },
    )


def _create_initial(request: AuthenticatedRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"manager": request.user.pk, "currency": "RUB"}
    pipeline = default_pipeline()
    if pipeline is not None:
        initial["pipeline"] = pipeline.pk
    if request.GET.get("pipeline", "").isdigit():
        initial["pipeline"] = int(request.GET["pipeline"])
    client_id = request.GET.get("client", "")
    if client_id.isdigit():
        initial["client"] = int(client_id)
        main = (
            ClientContact.objects.filter(client_id=client_id, is_main=True)
            .values_list("contact_id", flat=True)
            .first()
        )
        if main:
            initial["contact"] = main
    return initial


@login_required
def deal_create(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        form = DealForm(request.POST, user=request.user)
        lines = LineFormSet(request.POST, prefix="lines")
    else:
        form = DealForm(initial=_create_initial(request), user=request.user)
        if form.client_obj is None and "client" in form.initial:
            form.initial.pop("client")  # not one of the user's clients: start empty
        lines = LineFormSet(prefix="lines")
    line_errors: list[str] = []
    if request.method == "POST":
        valid = form.is_valid()
        line_rows, line_errors = clean_lines(lines) if lines.is_valid() else ([], [])
        if valid and not line_errors:
            try:
                deal = services.deal_create(
                    by=request.user,
                    client=form.cleaned_data["client"],
                    data=form.service_data(),
                    lines=line_rows or None,
                )
            except ValidationError as error:
                line_errors = _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Сделка %(number)s «%(title)s» создана.")
                    % {"number": deal.number, "title": deal.title},
                )
                return redirect("sales:deal_detail", pk=deal.pk)
    return _form_page(request, form, lines, None, line_errors)


@login_required
def deal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_for(request.user, pk)
    if request.method == "POST":
        form = DealForm(request.POST, user=request.user, deal=deal)
        lines = LineFormSet(request.POST, prefix="lines")
    else:
        form = DealForm(initial=DealForm.initial_for(deal), user=request.user, deal=deal)
        lines = LineFormSet(initial=lines_initial(deal), prefix="lines")
    line_errors: list[str] = []
    if request.method == "POST":
        valid = form.is_valid()
        line_rows, line_errors = clean_lines(lines) if lines.is_valid() else ([], [])
        if valid and not line_errors:
            try:
                with transaction.atomic():
                    services.deal_update(deal=deal, by=request.user, data=form.service_data())
                    services.deal_set_lines(deal=deal, by=request.user, lines=line_rows)
            except ValidationError as error:
                line_errors = _apply_errors(form, error)
            else:
                messages.success(request, _("Изменения сохранены."))
                return redirect("sales:deal_detail", pk=deal.pk)
    return _form_page(request, form, lines, deal, line_errors)


# ---------------------------------------------------------------------------------------------
# Activities of the deal


def _activity_initial(request: AuthenticatedRequest, deal: Deal) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "responsible": request.user.pk,
        "reminder_offsets": ["15"],
        "client": deal.client_id,
        "contact": deal.contact_id,
    }
    kinds = ActivityKind.objects.filter(is_active=True).order_by("order")
    kind = None
    if request.GET.get("kind"):
        kind = kinds.filter(code=request.GET["kind"]).first()
    kind = kind or kinds.first()
    from crm.activities.forms import next_working_hour

    start = next_working_hour()
    initial["start_at"] = start
    if kind is not None:
        initial["kind"] = kind.pk
        initial["end_at"] = start + dt.timedelta(minutes=kind.default_duration_minutes)
        initial["subject"] = f"{kind.name}: {deal.title}"[:255]
    return initial


@login_required
def deal_activity_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The form of activities with the deal's client and contact preset; the saved activity is
    linked to the deal in the same transaction."""
    deal = selectors.deal_for(request.user, pk)
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user)
    else:
        form = ActivityForm(initial=_activity_initial(request, deal), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                activity = activity_services.activity_create(
                    by=request.user,
                    co_executors=form.cleaned_data["co_executors"],
                    reminders=form.reminder_specs(),
                    **form.service_fields(),
                )
                services.deal_link_activity(deal=deal, activity=activity, by=request.user)
        except ValidationError as error:
            for field, errors in getattr(error, "error_dict", {"__all__": error}).items():
                target = field if field in form.fields else None
                form.add_error(target, errors)
        else:
            messages.success(
                request,
                _("Событие «%(subject)s» запланировано по сделке %(number)s.")
                % {"subject": activity.subject, "number": deal.number},
            )
            return redirect(f"{reverse('sales:deal_detail', args=[deal.pk])}?tab=activities")
    return render(
        request,
        "sales/deals/deal_activity_form.html",
        {"form": form, "activity": None, "client": form.client_obj, "deal": deal},
    )


# ---------------------------------------------------------------------------------------------
# The "Сделки" tab of the client card


def client_deals_tab(request: HttpRequest, client: Client) -> HttpResponse:
    """`client` was opened by clients.client_get with the user's access checked."""
    deals = selectors.deal_list(user=request.user, filters=deal_filter({"client": client.pk}))
    page = _paginate_deals(request, deals.order_by("-created_at", "-id"))
    return render(
        request, "sales/deals/partials/_client_tab.html", {"client": client, "page": page}
    )

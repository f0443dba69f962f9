"""Pages of activities: "Мои дела" (work lists with tabs, filters and bulk actions), the
activity page, the create/edit form, and the dialogs "Завершить", "Отменить", "Перенести"."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.http import AuthenticatedRequest
from crm.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    BulkForm,
    CancelForm,
    CompleteForm,
    RescheduleForm,
    next_working_hour,
)
from crm.activities.models import Activity, ActivityKind, ActivityStatus
from crm.activities.selectors import activities as selectors
from crm.activities.services import activities as services
from crm.clients.models import ClientContact
from crm.core.forms import apply_errors
from crm.core.htmx import paginate, render_page_or_partial

_apply_errors = partial(apply_errors, aliases={"reminders": "reminder_offsets"})


def _htmx_redirect(request: AuthenticatedRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _safe_next(request: AuthenticatedRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


# ---------------------------------------------------------------------------------------------
# Work lists


@login_required
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ActivityFilterForm(request.GET or None, user=request.user)
    filters = form.to_filter()
    now = timezone.now()
    counts = selectors.activity_counts(user=request.user, filters=filters, now=now)
    activities = selectors.activity_list(
        user=request.user, filters=filters, now=now, counts=counts
    ).prefetch_related("co_executors")  # fetched for the page only; its count is the tab's
    page = paginate(request, activities)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "tab": form.current_tab,
        "department": filters.department,
        "chosen_client": form.chosen_client,
        "now": timezone.now(),
    }
    response = render_page_or_partial(
        request, "activities/activity_list.html", "activities/partials/_work_list.html", context
    )
    if request.htmx:
        # The address bar keeps the filter without the form's empty fields.
        query = urlencode([(k, v) for k, v in request.GET.items() if v and k != "client_q"])
        response["HX-Push-Url"] = f"{request.path}?{query}" if query else request.path
    return response


@login_required
@require_POST
def activity_bulk(request: AuthenticatedRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    back = _safe_next(request, "/activities/")
    if not form.is_valid():
        messages.error(request, _("Не понял, что сделать с отмеченными событиями."))
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["action"] == "complete":
            count = services.activity_bulk_complete(
                by=request.user, ids=data["ids"], result=data["result"]
            )
            messages.success(request, _("Завершено событий: %(n)d.") % {"n": count})
        else:
            count = services.activity_bulk_reschedule(
                by=request.user,
                ids=data["ids"],
                shift_days=data.get("shift_days"),
                date=data.get("date"),
            )
            messages.success(request, _("Перенесено событий: %(n)d.") % {"n": count})
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# One activity


@login_required
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "is_overdue": selectors.activity_is_overdue(activity),
            "max_upload_mb": services.MAX_ATTACHMENT_BYTES // (1024 * 1024),
        },
    )


def _initial_from_query(request: AuthenticatedRequest) -> dict[str, Any]:
    """Prefill from the address: ?client=12&kind=call&start=2026-03-12T10:00&previous=5."""
    params = request.GET
    initial: dict[str, Any] = {"responsible": request.user.pk, "reminder_offsets": ["15"]}
    kind = None
    if params.get("kind"):
        kind = ActivityKind.objects.filter(code=params["kind"], is_active=True).first()
    kind = kind or ActivityKind.objects.filter(is_active=True).order_by("order").first()
    if kind is not None:
        initial["kind"] = kind.pk
    start = parse_datetime(params.get("start", "")) if params.get("start") else None
    if start is not None and timezone.is_naive(start):
        start = timezone.make_aware(start)
    initial["start_at"] = start or next_working_hour()
    if kind is not None:
        initial["end_at"] = initial["start_at"] + dt.timedelta(
            minutes=kind.default_duration_minutes
        )
    if params.get("client", "").isdigit():
        initial["client"] = params["client"]
        main = (
            ClientContact.objects.filter(client_id=params["client"], is_main=True)
            .values_list("contact_id", flat=True)
            .first()
        )
        if main:
            initial["contact"] = main
    if params.get("contact", "").isdigit():
        initial["contact"] = params["contact"]
    return initial


def _form_context(form: ActivityForm, activity: Activity | None) -> dict[str, Any]:
    return {"form": form, "activity": activity, "client": form.client_obj}


@login_required
def activity_create(request: AuthenticatedRequest) -> HttpResponse:
    previous = None
    if request.GET.get("previous", "").isdigit():
        previous = selectors.activity_get(user=request.user, pk=request.GET["previous"])
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user)
    else:
        form = ActivityForm(initial=_initial_from_query(request), user=request.user)
        if form.client_obj is not None and form.initial.get("kind"):
            kind = ActivityKind.objects.filter(pk=form.initial["kind"]).first()
            if kind is not None:
                form.initial.setdefault("subject", f"{kind.name}: {form.client_obj.name}"[:255])
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                by=request.user,
                previous=previous,
                co_executors=form.cleaned_data["co_executors"],
                reminders=form.reminder_specs(),
                **form.service_fields(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Событие «%(s)s» запланировано.") % {"s": activity.subject})
            return redirect(_safe_next(request, activity_url(activity)))
    return render(request, "activities/activity_form.html", _form_context(form, None))


def activity_url(activity: Activity) -> str:
    return services.activity_url(activity)


@login_required
def activity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user, activity=activity)
        if form.is_valid():
            try:
                services.activity_update(
                    by=request.user,
                    activity=activity,
                    co_executors=form.cleaned_data["co_executors"],
                    reminders=form.reminder_specs()
                    if activity.status == ActivityStatus.PLANNED
                    else None,
                    **form.service_fields(),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Изменения сохранены."))
                return redirect(activity_url(activity))
    else:
        form = ActivityForm(
            initial=ActivityForm.initial_for(activity), user=request.user, activity=activity
        )
    return render(request, "activities/activity_form.html", _form_context(form, activity))


# ---------------------------------------------------------------------------------------------
# Dialogs (htmx fragments shown in the modal)


def _dialog_done(request: AuthenticatedRequest, activity: Activity, text: str) -> HttpResponse:
    messages.success(request, text)
    response = HttpResponse(status=204)
    back = _safe_next(request, "")
    if back:
        response["HX-Redirect"] = back
    else:
        response["HX-Refresh"] = "true"
    return response


@login_required
def activity_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = CompleteForm(request.POST, activity=activity)
        if form.is_valid():
            try:
                done = services.activity_complete(
                    by=request.user,
                    activity=activity,
                    result=form.cleaned_data["result"],
                    outcome=form.cleaned_data["outcome"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    next=form.next_spec(),
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                text = _("Событие выполнено.")
                if done.next_activity is not None:
                    when = timezone.localtime(done.next_activity.start_at)
                    text += " " + _("Следующее запланировано на %(when)s.") % {
                        "when": f"{when:%d.%m.%Y %H:%M}"
                    }
                return _dialog_done(request, activity, text)
    else:
        form = CompleteForm(initial=CompleteForm.initial_for(activity), activity=activity)
    return render(
        request,
        "activities/partials/_complete_dialog.html",
        {"activity": activity, "form": form, "next": _safe_next(request, "")},
    )


@login_required
def activity_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_cancel(
                by=request.user, activity=activity, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _dialog_done(request, activity, _("Событие отменено."))
    return render(
        request,
        "activities/partials/_cancel_dialog.html",
        {"activity": activity, "form": form, "next": _safe_next(request, "")},
    )


@login_required
def activity_reschedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                services.activity_reschedule(
                    by=request.user, activity=activity, start_at=form.cleaned_data["start_at"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return _dialog_done(request, activity, _("Событие перенесено."))
    else:
        form = RescheduleForm(initial={"start_at": activity.start_at})
    return render(
        request,
        "activities/partials/_reschedule_dialog.html",
        {"activity": activity, "form": form, "next": _safe_next(request, "")},
    )


# ---------------------------------------------------------------------------------------------
# Pickers of the form


@login_required
def client_search(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("client_q", "") or request.GET.get("q", "")
    clients = selectors.clients_for_select(user=request.user, query=query)
    return render(
        request,
        "activities/partials/_client_options.html",
        {"clients": clients, "query": query.strip()},
    )


@login_required
def contact_options(request: AuthenticatedRequest) -> HttpResponse:
    from crm.clients.selectors import client_contacts, client_get

    links: Any = []
    if request.GET.get("client", "").isdigit():
        client = client_get(user=request.user, pk=request.GET["client"])
        links = client_contacts(client)
    return render(request, "activities/partials/_contact_options.html", {"links": links})

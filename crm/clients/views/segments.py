"""Pages of segments: saved filters of the client list, group change with its preview, undo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.access import visible_to
from crm.accounts.http import AuthenticatedRequest
from crm.clients import selectors
from crm.clients.forms import ClientFilterForm
from crm.clients.forms_segments import VALUE_FIELDS, GroupChangeForm, SavedFilterForm
from crm.clients.models import Client, ClientStatus
from crm.clients.selectors.segments import saved_filters_of
from crm.clients.services import group_changes, saved_filters


def _is_fragment(request: AuthenticatedRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx)


def _list_url(query: str = "") -> str:
    url = reverse("clients:list")
    return f"{url}?{query}" if query else url


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


# Saved filters ------------------------------------------------------------------------------


def _saved_filters_menu(
    request: AuthenticatedRequest, form: SavedFilterForm | None = None, saved: str = ""
) -> HttpResponse:
    return render(
        request,
        "clients/partials/_saved_filters_menu.html",
        {
            "saved_filters": saved_filters_of(request.user),
            "save_form": form,
            "saved": saved,
            "current_query": request.POST.get("query", ""),
        },
    )


@login_required
@require_POST
def saved_filter_save(request: AuthenticatedRequest) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    form.is_valid()
    query = form.cleaned_data.get("query", "")
    try:
        saved = saved_filters.saved_filter_create(
            by=request.user, name=form.cleaned_data.get("name", ""), query=query
        )
    except ValidationError as error:
        for field, errors in error.error_dict.items():
            form.add_error("name" if field == "query" else field, errors)
        if _is_fragment(request):
            return _saved_filters_menu(request, form)
        messages.error(request, _error_text(error))
        return redirect(_list_url(saved_filters.normalize_query(query)))
    if _is_fragment(request):
        return _saved_filters_menu(request, saved=saved.name)
    messages.success(request, _("Фильтр «%(name)s» сохранён.") % {"name": saved.name})
    return redirect(_list_url(saved.query))


@login_required
@require_POST
def saved_filter_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(saved_filters_of(request.user), pk=pk)  # another's: 404
    saved_filters.saved_filter_delete(by=request.user, saved_filter=saved)
    if _is_fragment(request):
        return _saved_filters_menu(request)
    messages.success(request, _("Фильтр «%(name)s» удалён.") % {"name": saved.name})
    return redirect("clients:list")


# Group change -------------------------------------------------------------------------------


def group_target(user: Any, data: QueryDict) -> tuple[QuerySet[Client], str, str]:
    """The cards a group change is about: every card of the list's filter (`scope=filter`,
    the filter in `query`) or the ticked ones (`ids`), always within what `user` may see.
    Returns (cards, scope, query)."""
    query = data.get("query", "").lstrip("?")
    if data.get("scope") == "filter":
        form = ClientFilterForm.for_user(user, QueryDict(query))
        return selectors.client_list(user=user, filters=form.to_filter()), "filter", query
    ids = [int(value) for value in data.getlist("ids") if value.isdigit()]
    clients = visible_to(user, Client.objects.filter(pk__in=ids))
    return clients.exclude(status=ClientStatus.MERGED), "selected", query


def _apply_value_errors(form: GroupChangeForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = form.value_field() if field == "value" else field
        form.add_error(target if target in form.fields else None, errors)


def _value_fields(form: GroupChangeForm) -> list[tuple[Any, str]]:
    """Each value field with the actions it serves (the page shows the chosen action's)."""
    actions: dict[str, list[str]] = {}
    for action, name in VALUE_FIELDS.items():
        actions.setdefault(name, []).append(action.value)
    return [(form[name], " ".join(actions[name])) for name in actions if name in form.fields]


@login_required
def group_change(request: AuthenticatedRequest) -> HttpResponse:
    """Step 1 (GET): the cards and the action; step 2 (POST step=preview): "Будет изменено N
    карточек"; step 3 (POST step=apply): the change, then back to the list."""
    data = request.POST if request.method == "POST" else request.GET
    clients, scope, query = group_target(request.user, data)
    total = clients.order_by().count()
    if not total:
        messages.warning(
            request,
            _("Отметьте карточки в списке или выберите «все по фильтру» — менять пока нечего."),
        )
        return redirect(_list_url(query))
    form = GroupChangeForm(request.POST or None, user=request.user)
    preview: str | None = None
    if request.method == "POST" and form.is_valid():
        action, value = form.cleaned_data["action"], form.value()
        try:
            if request.POST.get("step") == "apply":
                change = group_changes.group_change_apply(
                    by=request.user, clients=clients, action=action, value=value
                )
                messages.success(
                    request,
                    _("%(description)s. %(changed)s.")
                    % {
                        "description": change.description,
                        "changed": group_changes.changed_message(change.count),
                    },
                )
                return redirect(_list_url(query))
            count = group_changes.group_change_preview(
                by=request.user, clients=clients, action=action, value=value
            )
            preview = group_changes.preview_message(count)
            if not count:
                form.add_error(None, group_changes.ERROR_NOTHING_TO_CHANGE)
                preview = None
        except ValidationError as error:
            _apply_value_errors(form, error)
    return render(
        request,
        "clients/group_change.html",
        {
            "form": form,
            "total": total,
            "scope": scope,
            "list_query": query,  # not "query": the shell's search box shows that one
            "ids": data.getlist("ids") if scope == "selected" else [],
            "preview": preview,
            "value_fields": _value_fields(form),
        },
    )


@login_required
@require_POST
def group_change_undo(request: AuthenticatedRequest) -> HttpResponse:
    try:
        change = group_changes.group_change_undo(by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Групповое изменение отменено: %(description)s. %(changed)s.")
            % {
                "description": change.description,
                "changed": group_changes.changed_message(change.count),
            },
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("clients:list")

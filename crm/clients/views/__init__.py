"""Pages of the client base: list with filters, card with tabs, create/edit, archive."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.access import can_administer, user_scope
from crm.accounts.http import AuthenticatedRequest
from crm.accounts.roles import Area, Scope
from crm.clients import registry, selectors, services
from crm.clients.forms import BankAccountForm, ClientFilterForm, ClientForm, ContactForm
from crm.clients.models import ClientStatus
from crm.clients.selectors.segments import group_change_last, saved_filters_of
from crm.clients.services.saved_filters import normalize_query
from crm.clients.views.paging import paginate_clients
from crm.core.forms import apply_errors as _apply_errors
from crm.core.htmx import render_page_or_partial


def _can_reassign(user: Any) -> bool:
    return user_scope(user, Area.SALES) in (Scope.DEPARTMENT, Scope.ALL)


@login_required
def client_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ClientFilterForm.for_user(request.user, request.GET)
    filters = form.to_filter()
    clients = selectors.client_list(user=request.user, filters=filters).prefetch_related("tags")
    page = paginate_clients(request, clients)
    current_query = normalize_query(request.GET)
    response = render_page_or_partial(
        request,
        "clients/client_list.html",
        "clients/partials/_client_rows.html",
        {
            "page": page,
            "form": form,
            "sort": filters.sort,
            "status": filters.status,
            "current_query": current_query,
            "saved_filters": saved_filters_of(request.user),
            "last_group_change": group_change_last(user=request.user),
            "can_purge": can_administer(request.user),
        },
    )
    if getattr(request, "htmx", None):
        # The address bar keeps the filter without the form's empty fields.
        url = f"{request.path}?{current_query}" if current_query else request.path
        response["HX-Push-Url"] = url
    return response


@login_required
def client_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    return render(
        request,
        "clients/client_detail.html",
        {
            "client": client,
            "contacts": selectors.client_contacts(client),
            "extra_tabs": registry.extra_card_tabs(TAB_TEMPLATES),
            "card_actions": [(action, action.url(client)) for action in registry.card_actions()],
        },
    )


# Tabs of the client card; the ones whose capability has not landed yet show a placeholder
# unless an app above registered the tab (crm.clients.registry).
TAB_TEMPLATES = {
    "requisites": "clients/partials/_tab_requisites.html",
    "contacts": "clients/partials/_tab_contacts.html",
    "history": "clients/partials/_tab_history.html",
    "activities": "clients/partials/_tab_soon.html",
    "deals": "clients/partials/_tab_soon.html",
    "contracts": "clients/partials/_tab_soon.html",
    "money": "clients/partials/_tab_soon.html",
}


@login_required
def client_tab(request: AuthenticatedRequest, pk: int, tab: str) -> HttpResponse:
    registered = registry.registered_tab(tab)  # filled in by the apps above (activities…)
    if registered is None and tab not in TAB_TEMPLATES:
        raise Http404
    client = selectors.client_get(user=request.user, pk=pk)
    if registered is not None:
        return registered.view(request, client)
    context = {"client": client, "tab": tab}
    if tab == "contacts":
        context["contacts"] = selectors.client_contacts(client)
    return render(request, TAB_TEMPLATES[tab], context)


@login_required
def client_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk) if pk else None
    can_reassign = _can_reassign(request.user)
    form = ClientForm(request.POST or None, instance=client, can_reassign=can_reassign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tags = data.pop("tags")
        try:
            if client is None:
                client = services.client_create(by=request.user, tags=tags, **data)
                messages.success(request, _("Клиент «%(name)s» создан.") % {"name": client.name})
            else:
                services.client_update(by=request.user, client=client, tags=tags, **data)
                messages.success(request, _("Изменения сохранены."))
            return redirect("clients:detail", pk=client.pk)
        except ValidationError as error:
            _apply_errors(form, error)
    elif request.method == "POST":
        # Show the requisites' errors too, not only the form's, so one round fixes all.
        checked = {k: v for k, v in form.cleaned_data.items() if k not in ("tags", "owner")}
        try:
            services.clean_client_fields(checked)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                if field in form.fields and field not in form.errors:
                    form.add_error(field, errors)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@login_required
@require_POST
def client_archive(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    restore = request.POST.get("restore") == "1"
    services.client_set_status(
        by=request.user,
        client=client,
        status=ClientStatus.ACTIVE if restore else ClientStatus.ARCHIVED,
    )
    messages.success(
        request, _("Клиент восстановлен из архива.") if restore else _("Клиент перенесён в архив.")
    )
    return redirect("clients:detail", pk=client.pk)


@login_required
def contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.contact_add(by=request.user, client=client, **data)
            messages.success(request, _("Контактное лицо добавлено."))
            return redirect("clients:detail", pk=client.pk)
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "clients/contact_form.html", {"form": form, "client": client})


@login_required
def bank_account_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_add(by=request.user, client=client, **form.cleaned_data)
            messages.success(request, _("Банковский счёт добавлен."))
            return redirect("clients:detail", pk=client.pk)
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "clients/bank_account_form.html", {"form": form, "client": client})

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

from crm.accounts.access import user_scope
from crm.accounts.http import AuthenticatedRequest
from crm.accounts.roles import Area, Scope
from crm.accounts.selectors import colleagues_visible_to
from crm.clients import selectors, services
from crm.clients.forms import BankAccountForm, ClientFilterForm, ClientForm, ContactForm
from crm.clients.models import ClientStatus
from crm.clients.selectors import ClientFilter
from crm.core.htmx import paginate, render_page_or_partial


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _can_reassign(user: Any) -> bool:
    return user_scope(user, Area.SALES) in (Scope.DEPARTMENT, Scope.ALL)


@login_required
def client_list(request: AuthenticatedRequest) -> HttpResponse:
    owners = colleagues_visible_to(request.user)
    form = ClientFilterForm(request.GET or None, owners=owners)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ClientFilter(
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        status=ClientStatus.ARCHIVED if data.get("archived") else ClientStatus.ACTIVE,
        owner_id=data["owner"].pk if data.get("owner") else None,
        source_id=data["source"].pk if data.get("source") else None,
        industry_id=data["industry"].pk if data.get("industry") else None,
        sort=request.GET.get("sort", "name"),
    )
    page = paginate(request, selectors.client_list(user=request.user, filters=filters))
    return render_page_or_partial(
        request,
        "clients/client_list.html",
        "clients/partials/_client_rows.html",
        {"page": page, "form": form, "sort": filters.sort},
    )


@login_required
def client_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(user=request.user, pk=pk)
    return render(
        request,
        "clients/client_detail.html",
        {"client": client, "contacts": selectors.client_contacts(client)},
    )


# Tabs of the client card; the ones whose capability has not landed yet show a placeholder.
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
    if tab not in TAB_TEMPLATES:
        raise Http404
    client = selectors.client_get(user=request.user, pk=pk)
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

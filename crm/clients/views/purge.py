"""The administrator's page of archived cards and the purge ("Удалить навсегда")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.accounts.decorators import administrator_required
from crm.accounts.http import AuthenticatedRequest
from crm.clients import selectors
from crm.clients.models import ClientStatus
from crm.clients.selectors import ClientFilter
from crm.clients.services.purge import blockers_message, client_purge, purge_blockers
from crm.clients.views.paging import paginate_clients
from crm.core.htmx import render_page_or_partial


@administrator_required
def purge_list(request: AuthenticatedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    clients = selectors.client_list(
        user=request.user, filters=ClientFilter(query=query, status=ClientStatus.ARCHIVED)
    )
    return render_page_or_partial(
        request,
        "clients/purge_list.html",
        "clients/partials/_purge_rows.html",
        {"page": paginate_clients(request, clients), "search": query},
    )


@administrator_required
def purge_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: what will be deleted and what blocks it; POST: delete for good."""
    client = selectors.client_get(user=request.user, pk=pk)
    if request.method == "POST":
        name = client.name
        try:
            client_purge(by=request.user, client=client)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Клиент «%(name)s» удалён навсегда.") % {"name": name})
            return redirect("clients:purge_list")
    blockers = purge_blockers(client)
    return render(
        request,
        "clients/purge_confirm.html",
        {
            "client": client,
            "blockers": blockers,
            "blockers_message": blockers_message(blockers) if blockers else "",
            "contacts": client.contact_links.count(),
            "bank_accounts": client.bank_accounts.count(),
        },
    )

"""Pages of handover (передача дел): choose whose work goes to whom and which clients, see the
preview of what moves, confirm; the journal and one handover."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.accounts.http import AuthenticatedRequest
from crm.activities.forms_handover import (
    SCOPE_FILTER,
    HandoverForm,
    client_filter_fields,
    client_filter_form,
)
from crm.activities.selectors.handover import (
    handover_clients,
    handover_get,
    handovers_visible_to,
)
from crm.activities.services import handover as services
from crm.core.forms import apply_errors
from crm.core.htmx import paginate


@login_required
def handover_page(request: AuthenticatedRequest) -> HttpResponse:
    if not services.handover_allowed(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = HandoverForm(data, by=request.user)
    filter_form = client_filter_form(request.user, data)
    preview = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        filters = filter_form.to_filter() if values["scope"] == SCOPE_FILTER else None
        try:
            if request.POST.get("step") == "apply":
                handover = services.handover_apply(
                    by=request.user,
                    from_user=values["from_user"],
                    to_user=values["to_user"],
                    to_department=values["to_department"],
                    filters=filters,
                    comment=values["comment"],
                )
                messages.success(
                    request,
                    _("Дела переданы: %(summary)s.")
                    % {"summary": services.summary_text(handover.moved)},
                )
                return redirect("activities:handover_detail", pk=handover.pk)
            preview = services.handover_preview(
                by=request.user, from_user=values["from_user"], filters=filters
            )
            if not preview.client_ids:
                form.add_error(None, services.ERROR_NO_CLIENTS)
                preview = None
        except ValidationError as error:
            apply_errors(form, error)
    return render(
        request,
        "activities/handover_form.html",
        {
            "form": form,
            "filter_fields": client_filter_fields(filter_form),
            "preview": preview,
        },
    )


@login_required
def handover_journal(request: AuthenticatedRequest) -> HttpResponse:
    page = paginate(request, handovers_visible_to(request.user), per_page=30)
    return render(
        request,
        "activities/handover_list.html",
        {
            "page": page,
            "rows": [(handover, services.summary_text(handover.moved)) for handover in page],
            "can_handover": services.handover_allowed(request.user),
        },
    )


@login_required
def handover_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    handover = handover_get(user=request.user, pk=pk)
    titles = services.part_titles()
    return render(
        request,
        "activities/handover_detail.html",
        {
            "handover": handover,
            "moved": [(titles.get(code, code), count) for code, count in handover.moved.items()],
            "clients": handover_clients(handover),
            "client_count": len(handover.client_ids or []),
        },
    )

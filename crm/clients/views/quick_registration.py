"""Quick registration page (/clients/quick/) and its duplicate check as the manager types."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from crm.accounts.access import visible_to
from crm.accounts.http import AuthenticatedRequest
from crm.clients.forms_quick import QuickRegistrationForm
from crm.clients.models import Client
from crm.clients.selectors.duplicates import Candidate, client_duplicate_candidates
from crm.clients.selectors.entry_rules import (
    COMPLETION_POINTS,
    entry_rule_report,
    field_labels,
)
from crm.clients.services.quick_registration import client_quick_register, split_name_or_inn
from crm.core.forms import apply_errors

MIN_NAME_LENGTH = 3


def duplicate_rows(user: Any, data: Any) -> list[dict[str, Any]]:
    """Candidates for what is typed so far, each with whether the user may open the card (one
    query for the candidates' visibility, whatever their number)."""
    parsed = split_name_or_inn(data.get("name_or_inn", ""))
    name = parsed.name if len(parsed.name) >= MIN_NAME_LENGTH else ""
    inn = parsed.inn if len(parsed.inn) in (10, 12) else ""
    phone = data.get("phone", "").strip()
    email = data.get("email", "").strip()
    if not (name or inn or phone or email):
        return []
    candidates: list[Candidate] = client_duplicate_candidates(
        name=name, inn=inn, phone=phone, email=email
    )
    ids = [candidate.client.pk for candidate in candidates]
    visible = set(visible_to(user, Client.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    return [
        {
            "client": candidate.client,
            "score": candidate.match.score,
            "reasons": candidate.match.reasons,
            "visible": candidate.client.pk in visible,
        }
        for candidate in candidates
    ]


@login_required
def client_quick(request: AuthenticatedRequest) -> HttpResponse:
    form = QuickRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = client_quick_register(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Клиент «%(name)s» зарегистрирован.") % {"name": client.name}
            )
            if client.needs_completion:
                report = entry_rule_report(client)
                missing = [
                    label for point in COMPLETION_POINTS for label in field_labels(report[point])
                ]
                messages.warning(
                    request,
                    _("Карточку нужно дозаполнить: %(fields)s.")
                    % {"fields": ", ".join(dict.fromkeys(missing))},
                )
            return redirect("clients:detail", pk=client.pk)
    duplicates = duplicate_rows(request.user, request.POST) if request.method == "POST" else []
    return render(
        request,
        "clients/client_quick.html",
        {"form": form, "duplicates": duplicates, "checked": request.method == "POST"},
    )


@login_required
def client_quick_duplicates(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "clients/partials/_quick_duplicates.html",
        {"duplicates": duplicate_rows(request.user, request.GET), "checked": True},
    )

"""The administrator's settings tab «Наши организации»: the list, the organization form with
its bank accounts, the default organization."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.decorators import administrator_required
from crm.accounts.http import AuthenticatedRequest
from crm.core.forms import apply_errors
from crm.sales.forms_catalog import BankAccountForm, OrganizationForm
from crm.sales.models import Organization, OrganizationBankAccount
from crm.sales.services import organizations as services


@administrator_required
def organization_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = Organization.objects.annotate(accounts=models.Count("bank_accounts")).order_by(
        "-is_default", "-is_active", "name"
    )
    return render(request, "sales/catalog/organization_list.html", {"rows": rows})


@administrator_required
def organization_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_vat_payer": True, "is_active": True}
    initial["director_position"] = "Генеральный директор"
    if organization is not None:
        initial = {name: getattr(organization, name) for name in OrganizationForm.base_fields}
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.organization_save(
                by=request.user, organization=organization, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Сохранено: «%(name)s».") % {"name": saved.name})
            if organization is None:
                return redirect("sales:organization_edit", pk=saved.pk)
            return redirect("sales:organizations")
    return render(
        request,
        "sales/catalog/organization_form.html",
        {
            "form": form,
            "object": organization,
            "accounts": organization.bank_accounts.all() if organization else [],
        },
    )


@administrator_required
@require_POST
def organization_make_default(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    try:
        services.organization_make_default(by=request.user, organization=organization)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("«%(name)s» — организация по умолчанию.") % {"name": organization.name},
        )
    return redirect("sales:organizations")


@administrator_required
def bank_account_edit(
    request: AuthenticatedRequest, pk: int, account_pk: int | None = None
) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    account = (
        get_object_or_404(OrganizationBankAccount, pk=account_pk, organization=organization)
        if account_pk
        else None
    )
    initial: dict[str, Any] = {"currency": "RUB"}
    if account is not None:
        initial = {name: getattr(account, name) for name in BankAccountForm.base_fields}
    form = BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_save(
                by=request.user,
                organization=organization,
                bank_account=account,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Банковский счёт сохранён."))
            return redirect("sales:organization_edit", pk=organization.pk)
    return render(
        request,
        "sales/catalog/bank_account_form.html",
        {"form": form, "organization": organization, "object": account},
    )


@administrator_required
@require_POST
def bank_account_delete(request: AuthenticatedRequest, pk: int, account_pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    account = get_object_or_404(OrganizationBankAccount, pk=account_pk, organization=organization)
    services.bank_account_delete(by=request.user, bank_account=account)
    messages.success(request, _("Банковский счёт удалён."))
    return redirect("sales:organization_edit", pk=organization.pk)

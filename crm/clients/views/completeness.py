"""The completeness report (/clients/completeness/) and the administrator's pages for the
completeness weights and the entry rules (/clients/settings/…)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.decorators import administrator_required
from crm.accounts.http import AuthenticatedRequest
from crm.clients.domain.completeness import criterion_label
from crm.clients.domain.entry_rules import FIELDS, KINDS, POINTS, field_applies
from crm.clients.forms_quick import CompletenessThresholdForm, CompletenessWeightsForm
from crm.clients.models import ClientKind, EntryPoint, EntryRule
from crm.clients.selectors.completeness import (
    clients_below,
    completeness_criteria,
    completeness_summary,
    missing_labels,
)
from crm.clients.services.completeness import RECOMPUTE_JOB, completeness_weights_save
from crm.clients.services.entry_rules import entry_rules_save
from crm.core.htmx import paginate
from crm.core.models import Job


@login_required
def completeness_report(request: AuthenticatedRequest) -> HttpResponse:
    form = CompletenessThresholdForm(request.GET or None)
    threshold = form.threshold_value()
    summary = completeness_summary(user=request.user, threshold=threshold)
    page = paginate(request, clients_below(user=request.user, threshold=threshold))
    rows = [(client, missing_labels(client.completeness_missing)) for client in page]
    return render(
        request,
        "clients/completeness_report.html",
        {
            "form": form,
            "threshold": threshold,
            "summary": summary,
            "page": page,
            "rows": rows,
            "segments": [
                (_("По отраслям"), summary.by_industry),
                (_("По источникам"), summary.by_source),
                (_("По видам клиентов"), summary.by_kind),
            ],
        },
    )


@administrator_required
def completeness_settings(request: AuthenticatedRequest) -> HttpResponse:
    criteria = completeness_criteria()
    form = CompletenessWeightsForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            completeness_weights_save(by=request.user, criteria=form.values())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for code, errors in error.error_dict.items():
                    form.add_error(f"weight_{code}", errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request, _("Веса сохранены. Заполненность карточек пересчитывается в фоне.")
            )
            return redirect("clients:completeness_settings")
    rows = [
        (criterion, _(criterion_label(criterion.code)), weight, active)
        for criterion, weight, active in form.rows()
    ]
    last_job = Job.objects.filter(kind=RECOMPUTE_JOB).order_by("-id").first()
    return render(
        request,
        "clients/completeness_settings.html",
        {
            "form": form,
            "rows": rows,
            "total": sum(c.weight for c in criteria if c.is_active),
            "last_job": last_job,
        },
    )


# Column headings of the matrix (the kind is the heading above).
POINT_SHORT_LABELS: dict[str, Any] = {
    EntryPoint.CREATION: gettext_lazy("создание"),
    EntryPoint.FIRST_DEAL: gettext_lazy("первая сделка"),
    EntryPoint.FIRST_INVOICE: gettext_lazy("первый счёт"),
}


def _rule_key(kind: str, point: str, code: str) -> str:
    return f"{kind}:{point}:{code}"


@administrator_required
def entry_rules_settings(request: AuthenticatedRequest) -> HttpResponse:
    columns = [
        (kind, point, ClientKind(kind).label, POINT_SHORT_LABELS[point])
        for kind in KINDS
        for point in POINTS
    ]
    if request.method == "POST":
        chosen = set(request.POST.getlist("rule"))
        rules = [
            (kind, point, code)
            for code in FIELDS
            for kind, point, _kind_label, _point_label in columns
            if _rule_key(kind, point, code) in chosen and field_applies(code, kind)
        ]
        try:
            added, removed = entry_rules_save(by=request.user, rules=rules)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Правила ввода сохранены: добавлено %(added)s, снято %(removed)s.")
                % {"added": added, "removed": removed},
            )
            return redirect("clients:entry_rules_settings")
    current = {
        _rule_key(kind, point, code)
        for kind, point, code in EntryRule.objects.values_list("client_kind", "point", "field")
    }
    matrix = [
        (
            code,
            _(label),
            [
                {
                    "key": _rule_key(kind, point, code),
                    "checked": _rule_key(kind, point, code) in current,
                    "applies": field_applies(code, kind),
                    "title": f"{kind_label} · {point_label}",
                }
                for kind, point, kind_label, point_label in columns
            ],
        )
        for code, (label, _test, _kinds) in FIELDS.items()
    ]
    kinds = [(ClientKind(kind).label, len(POINTS)) for kind in KINDS]
    return render(
        request,
        "clients/entry_rules_settings.html",
        {"matrix": matrix, "columns": columns, "kinds": kinds},
    )

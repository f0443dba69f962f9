"""Pages of commercial proposals: the deal card's tab (its proposals and what happened after
sending), "Создать КП", the editor of a draft with live totals, the page of an issued proposal
with its actions, the print form (HTML and PDF from one template) and the e-mail dialog."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.http import AuthenticatedRequest
from crm.activities.models import Activity, ActivityStatus
from crm.sales.forms_proposals import (
    ProposalHeaderForm,
    ProposalLineFormSet,
    SendForm,
    line_initial,
    lines_from_formset,
)
from crm.sales.models import DealStatus, Organization, Proposal, ProposalStatus
from crm.sales.selectors import deals as deal_selectors
from crm.sales.selectors import proposals as selectors
from crm.sales.services import proposals as services

LINES_PREFIX = "lines"


def _deal_url(deal_id: int, tab: str = "proposals") -> str:
    return f"{reverse('sales:deal_detail', args=[deal_id])}?tab={tab}"


def _detail_url(proposal: Proposal) -> str:
    return reverse("sales:proposal_detail", args=[proposal.pk])


def _htmx_redirect(request: AuthenticatedRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _error_texts(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# ---------------------------------------------------------------------------------------------
# The deal card's tab


@login_required
def deal_proposals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The fragment of the deal card: the deal's proposals with status, total and actions, and
    the latest e-mails and planned activities of the deal (what sending a proposal made)."""
    deal = deal_selectors.deal_for(request.user, pk)
    proposals = list(selectors.deal_proposals(deal))
    linked = Activity.objects.filter(deal_link__deal=deal).select_related("kind", "responsible")
    sent_emails = list(
        linked.filter(kind__code="email", status=ActivityStatus.DONE)
        .prefetch_related("attachments")
        .order_by("-done_at", "-id")[:3]
    )
    planned = list(linked.filter(status=ActivityStatus.PLANNED).order_by("start_at", "id")[:5])
    return render(
        request,
        "sales/proposals/partials/_deal_proposals.html",
        {
            "deal": deal,
            "proposals": proposals,
            "sent_emails": sent_emails,
            "planned": planned,
            "now": timezone.now(),
            "can_create": deal.status == DealStatus.OPEN,
        },
    )


@login_required
@require_POST
def proposal_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deal = deal_selectors.deal_for(request.user, pk)
    try:
        proposal = services.proposal_create(deal=deal, by=request.user)
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
        return _htmx_redirect(request, _deal_url(deal.pk))
    if not proposal.lines.exists():
        messages.info(request, _("В сделке нет товаров — добавьте строки предложения."))
    return _htmx_redirect(request, _detail_url(proposal))


# ---------------------------------------------------------------------------------------------
# Editor and page


def _forms(request: AuthenticatedRequest, proposal: Proposal) -> tuple[ProposalHeaderForm, Any]:
    if request.method == "POST":
        header = ProposalHeaderForm(request.POST, proposal=proposal)
        lines = ProposalLineFormSet(request.POST, prefix=LINES_PREFIX)
    else:
        header = ProposalHeaderForm(
            initial=ProposalHeaderForm.initial_for(proposal), proposal=proposal
        )
        lines = ProposalLineFormSet(initial=line_initial(proposal), prefix=LINES_PREFIX)
    return header, lines


def _totals_context(
    *,
    total: Any,
    vat_amount: Any,
    amount_without_vat: Any,
    by_rate: list[selectors.RateTotal],
    currency: str,
    prices_include_vat: bool,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "total": total,
        "vat_amount": vat_amount,
        "amount_without_vat": amount_without_vat,
        "by_rate": by_rate,
        "has_vat": any(rate.is_taxed for rate in by_rate),
        "currency": currency,
        "prices_include_vat": prices_include_vat,
        "errors": errors or [],
    }


def _editor_context(
    proposal: Proposal, header: ProposalHeaderForm | None, lines: Any, line_errors: list[str]
) -> dict[str, Any]:
    organization = proposal.organization
    printed = selectors.print_context(proposal)
    return {
        "proposal": proposal,
        "stored_totals": _totals_context(
            total=proposal.total,
            vat_amount=proposal.vat_amount,
            amount_without_vat=proposal.amount_without_vat,
            by_rate=printed["by_rate"],
            currency=proposal.currency,
            prices_include_vat=proposal.prices_include_vat,
        ),
        "deal": proposal.deal,
        "buyer": printed["buyer"],
        "header": header,
        "lines": lines,
        "line_errors": line_errors,
        "stored_lines": list(proposal.lines.order_by("order", "id")),
        "rates_by_kind": services.rates_by_kind(proposal.date, organization),
        "versions": list(
            Proposal.objects.filter(deal_id=proposal.deal_id)
            .exclude(pk=proposal.pk)
            .filter(version__lt=proposal.version + 2)
            .order_by("-version", "-id")[:10]
        ),
        "is_draft": proposal.status == ProposalStatus.DRAFT,
        "can_decide": proposal.status in (ProposalStatus.ISSUED, ProposalStatus.SENT),
        "can_send": proposal.status in services.SENDABLE,
        "has_next": Proposal.objects.filter(previous=proposal).exists(),
    }


def _apply_errors(header: ProposalHeaderForm, error: ValidationError) -> list[str]:
    """Header errors go to their fields; line errors (named by line number) are returned to be
    shown above the table."""
    line_errors: list[str] = []
    if not hasattr(error, "error_dict"):
        header.add_error(None, error)
        return line_errors
    for field, errors in error.error_dict.items():
        if field == "lines":
            line_errors += [str(message) for item in errors for message in item.messages]
        elif field in header.fields:
            header.add_error(field, errors)
        else:
            header.add_error(None, errors)
    return line_errors


@login_required
def proposal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A draft is an editor (save, issue, issue and send); an issued proposal is a read-only
    page with its actions."""
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if proposal.status != ProposalStatus.DRAFT:
        if request.method == "POST":
            messages.error(request, str(services.ERROR_NOT_DRAFT % {"proposal": proposal}))
            return redirect(_detail_url(proposal))
        return render(
            request,
            "sales/proposals/proposal_detail.html",
            _editor_context(proposal, None, None, []),
        )
    header, lines = _forms(request, proposal)
    line_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if header.is_valid() and lines.is_valid():
            rows = [row for _index, row in lines_from_formset(lines)]
            try:
                with transaction.atomic():  # saved and issued together, or neither
                    services.proposal_save_draft(
                        proposal=proposal, by=request.user, data=header.cleaned_data, lines=rows
                    )
                    if action in ("issue", "issue_send"):
                        services.proposal_issue(proposal=proposal, by=request.user)
            except ValidationError as error:
                line_errors = _apply_errors(header, error)
                proposal.refresh_from_db()
            else:
                if action == "issue_send":
                    messages.success(
                        request,
                        _("Предложение выставлено: %(number)s. Проверьте письмо и отправьте.")
                        % {"number": proposal.number},
                    )
                    return redirect(reverse("sales:proposal_send", args=[proposal.pk]))
                if action == "issue":
                    messages.success(
                        request,
                        _("Предложение выставлено: %(number)s.") % {"number": proposal.number},
                    )
                else:
                    messages.success(request, _("Черновик сохранён."))
                return redirect(_detail_url(proposal))
        elif not lines.is_valid():
            line_errors = [_("Не удалось прочитать строки — обновите страницу.")]
    return render(
        request,
        "sales/proposals/proposal_detail.html",
        _editor_context(proposal, header, lines, line_errors),
    )


@login_required
@require_POST
def proposal_totals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Live totals of the editor (htmx): the posted, unsaved lines computed by the same VAT code
    as saving; each row's sum is swapped in out of band."""
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    lines = ProposalLineFormSet(request.POST, prefix=LINES_PREFIX)
    rows = lines_from_formset(lines) if lines.is_valid() else []
    organization = (
        Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
        if str(request.POST.get("organization", "")).isdigit()
        else None
    ) or proposal.organization
    try:
        on = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        on = proposal.date
    preview = services.preview_totals(
        rows=rows,
        on=on,
        organization=organization,
        prices_include_vat=bool(request.POST.get("prices_include_vat")),
    )
    totals = preview.totals
    prices_include_vat = bool(request.POST.get("prices_include_vat"))
    context = _totals_context(
        total=totals.total,
        vat_amount=totals.vat_amount,
        amount_without_vat=totals.amount_without_vat,
        by_rate=[
            selectors.RateTotal(
                label=rate.label, base=base, vat=vat, is_taxed=rate.percent is not None
            )
            for rate, base, vat in totals.by_rate
        ],
        currency=request.POST.get("currency") or proposal.currency,
        prices_include_vat=prices_include_vat,
        errors=preview.errors,
    )
    row_amounts = (
        [(index, preview.line_amounts.get(index)) for index in range(len(lines.forms))]
        if lines.is_valid()
        else []
    )
    return render(
        request,
        "sales/proposals/partials/_totals.html",
        {"t": context, "row_amounts": row_amounts, "oob": True},
    )


@login_required
@require_POST
def proposal_issue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    try:
        services.proposal_issue(proposal=proposal, by=request.user)
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        messages.success(
            request, _("Предложение выставлено: %(number)s.") % {"number": proposal.number}
        )
    return redirect(_detail_url(proposal))


@login_required
@require_POST
def proposal_new_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    try:
        draft = services.proposal_new_version(proposal=proposal, by=request.user)
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
        return redirect(_detail_url(proposal))
    messages.success(
        request,
        _(
            "Создана версия %(version)d — черновик. Старая версия будет заменена, когда новую "
            "выставите."
        )
        % {"version": draft.version},
    )
    return redirect(_detail_url(draft))


@login_required
@require_POST
def proposal_decision(request: AuthenticatedRequest, pk: int, decision: str) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    statuses = {"accepted": ProposalStatus.ACCEPTED, "rejected": ProposalStatus.REJECTED}
    if decision not in statuses:
        raise Http404
    try:
        services.proposal_mark_decision(
            proposal=proposal, by=request.user, status=statuses[decision]
        )
    except ValidationError as error:
        for text in _error_texts(error):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Отмечено: клиент принял предложение.")
            if decision == "accepted"
            else _("Отмечено: клиент отклонил предложение."),
        )
    return redirect(_detail_url(proposal))


# ---------------------------------------------------------------------------------------------
# Print form


@login_required
def proposal_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The print form as a page (the browser prints it); the same template makes the PDF.
    A document is in Russian whatever the user's language."""
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    # The screen toolbar speaks the user's language; the document itself stays Russian.
    user_language = translation.get_language() or "ru"
    with translation.override("ru"):
        return render(
            request,
            "sales/proposals/proposal_print.html",
            {
                **selectors.print_context(proposal, for_screen=True),
                "user_language": user_language,
            },
        )


def content_disposition(name: str, *, attachment: bool) -> str:
    kind = "attachment" if attachment else "inline"
    ascii_name = name.encode("ascii", "ignore").decode() or "proposal.pdf"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@login_required
def proposal_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    response = HttpResponse(services.proposal_pdf(proposal), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        services.file_name(proposal), attachment=bool(request.GET.get("download"))
    )
    return response


# ---------------------------------------------------------------------------------------------
# E-mail


def default_recipient(proposal: Proposal) -> str:
    """The contact's address, else the client's."""
    if proposal.contact is not None and proposal.contact.email:
        return proposal.contact.email
    return proposal.client.email or ""


@login_required
def proposal_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The e-mail dialog: recipients (the contact's address by default), subject and text with
    the proposal's number; the PDF goes attached. After sending, back to the deal card."""
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    if proposal.status not in services.SENDABLE:
        messages.error(
            request,
            str(
                services.ERROR_NOT_SENDABLE
                % {"proposal": proposal, "status": proposal.get_status_display().lower()}
            ),
        )
        return redirect(_detail_url(proposal))
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.proposal_send(
                    proposal=proposal,
                    by=request.user,
                    to=data["to"],
                    subject=data["subject"],
                    body=data["body"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(proposal)s отправлено: %(to)s. Письмо записано в события сделки.")
                    % {"proposal": proposal, "to": data["to"]},
                )
                return redirect(_deal_url(proposal.deal_id))
    else:
        form = SendForm(
            initial={
                "to": default_recipient(proposal),
                "subject": services.default_email_subject(proposal),
                "body": services.default_email_body(proposal, by=request.user),
            }
        )
    return render(
        request,
        "sales/proposals/proposal_send.html",
        {
            "proposal": proposal,
            "deal": proposal.deal,
            "form": form,
            "file_name": services.file_name(proposal),
        },
    )

"""Reads on commercial proposals, scoped to what the user may see: a proposal is visible to
whoever may see it by its own owner fields (manager, department) or may see its deal
(the deal's co-executors work on its proposals too). Also the print form's context — the
same for the HTML page, the PDF and the e-mail attachment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from crm.accounts.access import scope_condition
from crm.core.domain.vat import rate_by_code
from crm.core.domain.words import amount_in_words
from crm.sales.models import Deal, Proposal, ProposalStatus
from crm.sales.requisites import buyer_requisites, organization_requisites

RELATIONS = ("deal", "client", "organization", "manager", "contact", "previous")


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    own = scope_condition(user, Proposal)
    if own is None:
        return Proposal.objects.all()
    deals = scope_condition(user, Deal)
    if deals is None:
        return Proposal.objects.all()
    return Proposal.objects.filter(own | Q(deal__in=Deal.objects.filter(deals).values("pk")))


def proposal_list(
    *, user: Any, deal_id: int | None = None, status: str = "", client_id: int | None = None
) -> QuerySet[Proposal]:
    proposals = visible_proposals(user).select_related(*RELATIONS)
    if deal_id is not None:
        proposals = proposals.filter(deal_id=deal_id)
    if client_id is not None:
        proposals = proposals.filter(client_id=client_id)
    if status:
        proposals = proposals.filter(status=status)
    return proposals.order_by("-date", "-id")


def proposal_get(*, user: Any, pk: Any) -> Proposal:
    """One proposal with its relations, or Http404 (another's id answers like a missing one)."""
    try:
        return visible_proposals(user).select_related(*RELATIONS, "deal__client").get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def deal_proposals(deal: Deal) -> QuerySet[Proposal]:
    """The proposals of a deal the caller has already opened with access checked."""
    return (
        Proposal.objects.filter(deal=deal)
        .select_related("organization", "contact")
        .order_by("-version", "-id")
    )


# ---------------------------------------------------------------------------------------------
# Print form


@dataclass(frozen=True)
class RateTotal:
    label: str
    base: Decimal
    vat: Decimal
    is_taxed: bool


def _by_rate(proposal: Proposal, lines: list[Any]) -> list[RateTotal]:
    """The stored line amounts summed per rate, highest first, «Без НДС» last (as
    `compute_document` orders them)."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        base, vat = sums.get(line.vat_rate, (Decimal("0.00"), Decimal("0.00")))
        sums[line.vat_rate] = (base + line.amount_without_vat, vat + line.vat_amount)
    rates = [rate_by_code(code) for code in sums]
    rates.sort(key=lambda rate: (1, Decimal(0)) if rate.percent is None else (0, -rate.percent))
    return [
        RateTotal(
            label=rate.label,
            base=sums[rate.code][0],
            vat=sums[rate.code][1],
            is_taxed=rate.percent is not None,
        )
        for rate in rates
    ]


def print_context(proposal: Proposal, *, for_screen: bool = False) -> dict[str, Any]:
    """What the print form shows. An issued proposal shows its copied requisites; a draft
    shows today's ones and is marked «Черновик»."""
    lines = list(proposal.lines.order_by("order", "id"))
    seller = proposal.seller or organization_requisites(proposal.organization)
    buyer = proposal.buyer or buyer_requisites(proposal.client)
    by_rate = _by_rate(proposal, lines)
    try:
        words = amount_in_words(proposal.total, proposal.currency)
    except ValueError:
        words = ""
    discount = any(line.discount_percent for line in lines)
    return {
        "proposal": proposal,
        "lines": lines,
        "seller": seller,
        "buyer": buyer,
        "by_rate": by_rate,
        "has_vat": any(rate.is_taxed for rate in by_rate),
        "has_discount": discount,
        "amount_in_words": words,
        "is_draft": proposal.status == ProposalStatus.DRAFT,
        "contact": proposal.contact,
        "manager": proposal.manager,
        "for_screen": for_screen,
    }

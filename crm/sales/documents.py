"""The registry of documents a stage may require (StageRequirement.document).

Each app that makes documents registers its checks in its AppConfig.ready:

    from crm.sales.documents import register_document

    register_document("invoice_issued", _("Счёт выставлен"), lambda deal: …)

`sales` registers the proposal ones here; billing adds invoices and shipments. A check gets the
deal and answers whether the document is there now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from crm.sales.models import Deal

Check = Callable[["Deal"], bool]


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str | Promise
    check: Check


_documents: dict[str, DocumentKind] = {}


def register_document(code: str, title: str | Promise, check: Check) -> None:
    _documents[code] = DocumentKind(code=code, title=title, check=check)


def document_choices() -> list[tuple[str, str | Promise]]:
    """(code, title) of every registered document, in the order they were registered."""
    return [(kind.code, kind.title) for kind in _documents.values()]


def document_title(code: str) -> str:
    kind = _documents.get(code)
    return str(kind.title) if kind is not None else code


def document_present(code: str, deal: Deal) -> bool:
    """Whether the deal has the document now; an unknown code is never present."""
    kind = _documents.get(code)
    return bool(kind is not None and kind.check(deal))


def documents_present(deal: Deal, codes: Any) -> frozenset[str]:
    return frozenset(code for code in codes if document_present(code, deal))


# --- The documents of sales --------------------------------------------------------------


def _proposal_issued(deal: Deal) -> bool:
    from crm.sales.models import Proposal, ProposalStatus

    return Proposal.objects.filter(
        deal=deal,
        status__in=[ProposalStatus.ISSUED, ProposalStatus.SENT, ProposalStatus.ACCEPTED],
    ).exists()


def _proposal_sent(deal: Deal) -> bool:
    from crm.sales.models import Proposal, ProposalStatus

    return Proposal.objects.filter(
        deal=deal, status__in=[ProposalStatus.SENT, ProposalStatus.ACCEPTED]
    ).exists()


def register_sales_documents() -> None:
    register_document("proposal_issued", _("Коммерческое предложение выставлено"), _proposal_issued)
    register_document("proposal_sent", _("Коммерческое предложение отправлено"), _proposal_sent)


register_sales_documents()

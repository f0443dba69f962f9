"""Both parties' requisites as a document copies them when it is issued (JSON-ready
snapshots): the seller — one of our organizations with its main bank account — and the buyer —
the client. Proposals store them on issue; the print form of a draft shows today's ones;
billing copies the same onto its documents."""

from __future__ import annotations

from typing import Any

from crm.clients.models import Client
from crm.sales.models import Organization, OrganizationBankAccount


def main_bank_account(organization: Organization) -> OrganizationBankAccount | None:
    return organization.bank_accounts.order_by("-is_main", "id").first()


def organization_requisites(organization: Organization) -> dict[str, Any]:
    """The seller's requisites as copied onto a document (a JSON-ready snapshot)."""
    account = main_bank_account(organization)
    bank = {
        "bik": account.bik if account else "",
        "bank_name": account.bank_name if account else "",
        "correspondent_account": account.correspondent_account if account else "",
        "account": account.account if account else "",
    }
    return {
        "name": organization.name,
        "full_name": organization.full_name,
        "inn": organization.inn,
        "kpp": organization.kpp,
        "ogrn": organization.ogrn,
        "address": organization.legal_address,
        "postal_address": organization.postal_address,
        "phone": organization.phone,
        "email": organization.email,
        "bank": bank,
        "director": organization.director,
        "director_position": organization.director_position,
        "chief_accountant": organization.chief_accountant,
        "is_vat_payer": organization.is_vat_payer,
    }


def buyer_requisites(client: Client) -> dict[str, Any]:
    """The buyer's requisites as copied onto the proposal when it is issued."""
    return {
        "name": client.name,
        "full_name": client.full_name or client.name,
        "kind": client.kind,
        "inn": client.inn,
        "kpp": client.kpp,
        "ogrn": client.ogrn,
        "address": client.legal_address or client.actual_address,
        "phone": client.phone,
        "email": client.email,
    }

"""Reads on clients, scoped to what the user may see (crm.accounts.access)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan

from crm.accounts.access import access_object, visible_to
from crm.clients.domain.normalize import PhoneError, normalize_phone, searchable
from crm.clients.models import Client, ClientContact, ClientStatus, LeadSource

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "inn": ("inn", "id"),
}


@dataclass(frozen=True)
class ClientFilter:
    query: str = ""
    kind: str = ""
    status: str = ClientStatus.ACTIVE
    owner_id: int | None = None
    department_id: int | None = None
    source_id: int | None = None
    industry_id: int | None = None
    tag_ids: tuple[int, ...] = field(default_factory=tuple)
    region: str = ""
    sort: str = "name"


def _contains(field: str, text: str) -> models.Q:
    """`text` occurs in `field` (already folded): instr()/strpos() rather than LIKE, so SQLite
    stays in native code over a large base."""
    return models.Q(GreaterThan(StrIndex(field, Value(text)), 0))


def _search_condition(query: str) -> models.Q:
    query = query.strip()
    condition = _contains("name_search", searchable(query))
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) >= 4:
        condition |= models.Q(Exact(StrIndex("inn", Value(digits)), 1))
        try:
            condition |= models.Q(phone=normalize_phone(query))
        except PhoneError:
            condition |= models.Q(phone__contains=digits)
    if "@" in query:
        condition |= models.Q(email__iexact=query.lower())
    return condition


def client_list(*, user: Any, filters: ClientFilter | None = None) -> models.QuerySet[Client]:
    filters = filters or ClientFilter()
    clients = visible_to(user, Client.objects.all()).select_related(
        "owner", "source", "industry", "department"
    )
    if filters.status:
        clients = clients.filter(status=filters.status)
    if filters.query:
        clients = clients.filter(_search_condition(filters.query))
    if filters.kind:
        clients = clients.filter(kind=filters.kind)
    if filters.owner_id:
        clients = clients.filter(owner_id=filters.owner_id)
    if filters.department_id:
        clients = clients.filter(department_id=filters.department_id)
    if filters.source_id:
        clients = clients.filter(source_id=filters.source_id)
    if filters.industry_id:
        clients = clients.filter(industry_id=filters.industry_id)
    if filters.region:
        clients = clients.filter(region=filters.region)
    for tag_id in filters.tag_ids:
        clients = clients.filter(tags__id=tag_id)
    return clients.order_by(*SORTS.get(filters.sort, SORTS["name"]))


def client_get(*, user: Any, pk: Any) -> Client:
    """One client the user may see (404 otherwise), with what its card shows."""
    return access_object(
        user,
        Client.objects.select_related("owner", "source", "industry", "department").prefetch_related(
            "tags", "bank_accounts"
        ),
        pk,
    )


def client_contacts(client: Client) -> models.QuerySet[ClientContact]:
    return client.contact_links.select_related("contact").order_by("-is_main", "contact__last_name")


def lead_sources() -> models.QuerySet[LeadSource]:
    return LeadSource.objects.filter(is_active=True)

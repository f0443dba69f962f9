"""Reads on clients, scoped to what the user may see (crm.accounts.access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone

from crm.accounts.access import access_object, visible_to
from crm.clients.domain.normalize import PhoneError, normalize_phone, searchable
from crm.clients.models import Client, ClientContact, ClientStatus, LeadSource

# The only orders the list accepts (an unknown key falls back to "name"). Each ends with the
# id so pages do not overlap; the completeness order is served by Index(status, completeness).
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "inn": ("inn", "id"),
    "-inn": ("-inn", "-id"),
    "completeness": ("completeness", "id"),
    "-completeness": ("-completeness", "-id"),
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
    tag_ids: tuple[int, ...] = field(default_factory=tuple)  # the client has every one
    region: str = ""
    size: str = ""
    needs_completion: bool | None = None
    created_from: dt.date | None = None  # inclusive, in the company's time zone
    created_to: dt.date | None = None  # inclusive
    completeness_min: int | None = None  # inclusive, 0–100
    completeness_max: int | None = None  # inclusive
    sort: str = "name"


def _contains(field: str, text: str) -> models.Q:
    """`text` occurs in `field` (already folded): instr()/strpos() rather than LIKE, so SQLite
    stays in native code over a large base."""
    return models.Q(GreaterThan(StrIndex(field, Value(text)), 0))


def _prefix_bound(prefix: str) -> str:
    """The least string above every string that starts with `prefix` (its last character
    raised by one): `inn >= prefix AND inn < bound` is `inn LIKE 'prefix%'` on an index."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _search_condition(query: str) -> models.Q:
    """The quick search of the list and the API: the folded name contains the text; with four
    digits or more also the ИНН starts with them and the phone is the number typed (or contains
    the digits when they are no phone number); with an '@' also the e-mail, in any case.

    Written per database so that each branch uses an index over 100 000 clients: PostgreSQL
    serves LIKE '%…%' on the name and the phone from trigram indexes (migration 0004) and the
    ИНН prefix from its pattern index; SQLite, whose LIKE is a Python function here
    (crm.core.db), gets a UNION of instr() over the name's index, a range on the ИНН's index and
    the phone's index instead of one OR that reads every row."""
    query = query.strip()
    text = searchable(query)
    digits = "".join(ch for ch in query if ch.isdigit())
    phone = ""
    if len(digits) >= 4:
        try:
            phone = normalize_phone(query)
        except PhoneError:
            phone = ""  # no phone number: the phones containing the digits
    email = query.lower() if "@" in query else ""
    if connection.vendor != "sqlite":
        condition = models.Q(name_search__contains=text)
        if len(digits) >= 4:
            condition |= models.Q(inn__startswith=digits)
            condition |= models.Q(phone=phone) if phone else models.Q(phone__contains=digits)
        if email:
            condition |= models.Q(email__iexact=email)
        return condition
    branches = [Client.objects.filter(_contains("name_search", text))]
    if len(digits) >= 4:
        branches.append(Client.objects.filter(inn__gte=digits, inn__lt=_prefix_bound(digits)))
        branches.append(
            Client.objects.filter(phone=phone)
            if phone
            else Client.objects.filter(_contains("phone", digits))
        )
    if email:
        # LIKE only where the length fits: a case-insensitive match keeps the length.
        same_length = models.Q(Exact(Length("email"), len(email)))
        branches.append(Client.objects.filter(same_length, email__iexact=email))
    ids = [branch.order_by().values("pk") for branch in branches]
    return models.Q(pk__in=ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0])


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


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
        clients = clients.filter(region=filters.region.strip())
    if filters.size:
        clients = clients.filter(size=filters.size)
    if filters.needs_completion is not None:
        clients = clients.filter(needs_completion=filters.needs_completion)
    if filters.created_from:
        clients = clients.filter(created_at__gte=_start_of_day(filters.created_from))
    if filters.created_to:
        next_day = filters.created_to + dt.timedelta(days=1)
        clients = clients.filter(created_at__lt=_start_of_day(next_day))
    if filters.completeness_min is not None:
        clients = clients.filter(completeness__gte=filters.completeness_min)
    if filters.completeness_max is not None:
        clients = clients.filter(completeness__lte=filters.completeness_max)
    for tag_id in filters.tag_ids:
        # EXISTS per tag rather than a join: no duplicate rows, no DISTINCT over the base.
        clients = clients.filter(
            models.Exists(
                Client.tags.through.objects.filter(client_id=models.OuterRef("pk"), tag_id=tag_id)
            )
        )
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

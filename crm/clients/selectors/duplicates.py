"""Finding clients that may be the one being entered (the check as you type).

The whole base is searched, whoever owns the card: a manager must learn that the caller is
already a colleague's client. What the manager may open is decided by the view."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Right, StrIndex
from django.db.models.lookups import Exact, GreaterThan

from crm.clients.domain.dedup import PUBLIC_MAIL_DOMAINS, Card, Match, email_domain, score_duplicate
from crm.clients.domain.normalize import (
    PhoneError,
    comparable_name,
    normalize_email,
    normalize_phone,
)
from crm.clients.models import Client, ClientContact, ClientStatus

NAME_BLOCK_LIMIT = 300
MIN_SCORE = 50


@dataclass(frozen=True)
class Candidate:
    client: Client
    match: Match


def card_of(client: Client, contact_phones: set[str], contact_emails: set[str]) -> Card:
    phones = {client.phone} | contact_phones if client.phone else set(contact_phones)
    emails = {client.email} | contact_emails if client.email else set(contact_emails)
    return Card(
        id=client.pk,
        name=client.name_comparable or comparable_name(client.name),
        inn=client.inn,
        kpp=client.kpp,
        phones=frozenset(p for p in phones if p),
        emails=frozenset(e for e in emails if e),
    )


def _contains(field: str, text: str) -> models.Q:
    """`text` occurs in `field`: instr() on SQLite, whose LIKE is a Python function here
    (crm.core.db); LIKE on PostgreSQL, served by the trigram indexes of migration 0004."""
    if connection.vendor == "sqlite":
        return models.Q(GreaterThan(StrIndex(field, Value(text)), 0))
    return models.Q(**{f"{field}__contains": text})


def _ends_with(field: str, suffix: str) -> models.Q:
    """`field` ends with `suffix`, case-sensitively on both databases (e-mails are stored in
    lower case): substr() on SQLite, LIKE '%…' on PostgreSQL."""
    if connection.vendor == "sqlite":
        return models.Q(Exact(Right(field, len(suffix)), suffix))
    return models.Q(**{f"{field}__endswith": suffix})


def _key_matches(inn: str, phone: str, email: str) -> models.QuerySet[Any] | None:
    """Ids of the clients with this ИНН, phone or e-mail (also a contact person's), or an
    e-mail at the same company domain: a UNION of index look-ups (an OR with a subquery would
    read every client). None when nothing is typed that could match."""
    contacts = ClientContact.objects.order_by()
    branches: list[models.QuerySet[Any]] = []
    if inn:
        branches.append(Client.objects.filter(inn=inn))
    if phone:
        branches.append(Client.objects.filter(phone=phone))
        branches.append(contacts.filter(contact__phone=phone))
        branches.append(contacts.filter(contact__mobile_phone=phone))
    if email:
        branches.append(Client.objects.filter(email=email))
        branches.append(contacts.filter(contact__email=email))
        domain = email_domain(email)
        if domain not in PUBLIC_MAIL_DOMAINS:
            branches.append(Client.objects.filter(_ends_with("email", f"@{domain}")))
    ids = [
        branch.order_by().values("client_id" if branch.model is ClientContact else "pk")
        for branch in branches
    ]
    if not ids:
        return None
    return ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]


def _name_words(name: str) -> list[str]:
    words = sorted({word for word in name.split() if len(word) >= 3}, key=len, reverse=True)
    return [word[:5] for word in words[:3]]


def client_duplicate_candidates(
    *,
    name: str = "",
    inn: str = "",
    kpp: str = "",
    phone: str = "",
    email: str = "",
    exclude_id: int | None = None,
    limit: int = 8,
) -> list[Candidate]:
    """Clients like the one described, best first, each with its score and reasons."""
    try:
        phone = normalize_phone(phone) if phone else ""
    except PhoneError:
        phone = ""
    email = normalize_email(email) if "@" in email else ""
    wanted = Card(
        id=None,
        name=comparable_name(name),
        inn=inn.strip(),
        kpp=kpp.strip().upper(),
        phones=frozenset({phone} if phone else set()),
        emails=frozenset({email} if email else set()),
    )
    clients = Client.objects.exclude(status=ClientStatus.MERGED).select_related("owner")
    if exclude_id:
        clients = clients.exclude(pk=exclude_id)
    # The same ИНН, phone or e-mail first, whatever the name block holds: index look-ups.
    keys = _key_matches(wanted.inn, phone, email)
    found = list(clients.filter(pk__in=keys)[:NAME_BLOCK_LIMIT]) if keys is not None else []
    words = _name_words(wanted.name)
    if words and len(found) < NAME_BLOCK_LIMIT:
        # Then the names with the most of the typed words (a common word alone matches
        # thousands of clients; the one being typed has them all).
        hits = [
            models.Case(models.When(_contains("name_comparable", word), then=1), default=0)
            for word in words
        ]
        matching = functools.reduce(
            operator.or_, (_contains("name_comparable", word) for word in words)
        )
        if connection.vendor == "sqlite":
            # The ids from a subquery: SQLite then reads the name's index, not every client.
            matching = models.Q(pk__in=Client.objects.filter(matching).order_by().values("pk"))
        named = (
            clients.filter(matching)
            .exclude(pk__in=[client.pk for client in found])
            .annotate(word_hits=functools.reduce(operator.add, hits))
            .order_by("-word_hits", "name", "id")
        )
        found += named[: NAME_BLOCK_LIMIT - len(found)]
    contacts: dict[int, tuple[set[str], set[str]]] = {client.pk: (set(), set()) for client in found}
    for client_id, contact_phone, mobile, contact_email in ClientContact.objects.filter(
        client_id__in=contacts
    ).values_list("client_id", "contact__phone", "contact__mobile_phone", "contact__email"):
        phones, emails = contacts[client_id]
        phones.update(p for p in (contact_phone, mobile) if p)
        if contact_email:
            emails.add(contact_email)
    scored = [
        Candidate(client, score_duplicate(wanted, card_of(client, *contacts[client.pk])))
        for client in found
    ]
    scored = [c for c in scored if c.match.score >= MIN_SCORE and c.match.reasons]
    scored.sort(key=lambda c: (-c.match.score, c.client.name))
    return scored[:limit]

"""Finding clients that may be the one being entered (the check as you type).

The whole base is searched, whoever owns the card: a manager must learn that the caller is
already a colleague's client. What the manager may open is decided by the view."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

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
    condition = models.Q(pk__in=[])
    if wanted.inn:
        condition |= models.Q(inn=wanted.inn)
    if phone:
        condition |= models.Q(phone=phone) | models.Q(
            pk__in=ClientContact.objects.filter(
                models.Q(contact__phone=phone) | models.Q(contact__mobile_phone=phone)
            ).values("client_id")
        )
    if email:
        condition |= models.Q(email=email) | models.Q(
            pk__in=ClientContact.objects.filter(contact__email=email).values("client_id")
        )
        domain = email_domain(email)
        if domain not in PUBLIC_MAIL_DOMAINS:
            condition |= models.Q(email__endswith=f"@{domain}")
    for word in _name_words(wanted.name):
        condition |= models.Q(GreaterThan(StrIndex("name_comparable", Value(word)), 0))
    clients = (
        Client.objects.filter(condition).exclude(status=ClientStatus.MERGED).select_related("owner")
    )
    if exclude_id:
        clients = clients.exclude(pk=exclude_id)
    found = list(clients[:NAME_BLOCK_LIMIT])
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

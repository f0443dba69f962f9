"""Reads for import and export: a user's import batches, and finding in bulk the clients and
contact persons of the base that rows of an imported file may repeat.

The bulk search asks the database a fixed number of questions per 500 rows of the file
(ИНН, phones, e-mails, exact comparable names), never one per row, so a preview of 10 000
rows stays quick. A fuzzy name alone (a typo in the name, no other signal) is not searched
for here: the full duplicate scan of the base finds those."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from crm.accounts.access import visible_to
from crm.clients.domain.dedup import Card, score_duplicate
from crm.clients.models import (
    Client,
    ClientContact,
    ClientStatus,
    ContactPerson,
    ImportBatch,
)
from crm.clients.selectors.duplicates import MIN_SCORE, Candidate, card_of
from crm.core.models import Job

CHUNK = 500
APPLY_JOB = "clients.import_apply"  # the job kind of services.imports
CARD_COLUMNS = ("name", "name_comparable", "inn", "kpp", "phone", "email", "status", "owner")
OWNER_COLUMNS = ("username", "first_name", "last_name", "middle_name")
T = TypeVar("T")


def import_batch_get(*, user: Any, pk: Any) -> ImportBatch:
    """One of the user's own import batches (404 for anyone else's: a file may hold clients
    the other user may not see)."""
    try:
        return ImportBatch.objects.get(by=user, pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def import_batches_of(user: Any) -> models.QuerySet[ImportBatch]:
    """The user's imports, newest first, without the files' content."""
    return ImportBatch.objects.filter(by=user).defer("content").order_by("-created_at", "-id")


def import_apply_job_of(batch: ImportBatch) -> Job | None:
    """The latest background apply of `batch` (large files are applied by the worker)."""
    return Job.objects.filter(kind=APPLY_JOB, payload__batch=batch.pk).order_by("-id").first()


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    items = sorted(set(values), key=str)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _linked_client_ids(condition: models.Q) -> set[int]:
    return set(ClientContact.objects.filter(condition).values_list("client_id", flat=True))


def clients_like(cards: Sequence[Card | None], *, limit: int = 3) -> list[list[Candidate]]:
    """For each card (None: a row that could not be read), the clients of the base it may
    repeat, best first: the same ИНН, phone or e-mail (of the card or of its contact persons),
    or the same name without legal form and quotes. Scored by dedup.score_duplicate, as the
    check on entry does."""
    inns = {card.inn for card in cards if card and card.inn}
    phones = {phone for card in cards if card for phone in card.phones}
    emails = {email for card in cards if card for email in card.emails}
    names = {card.name for card in cards if card and card.name}
    # First the ids (cheap, and a card found by several signals is read once), then the cards
    # with only the columns scoring needs.
    live = Client.objects.exclude(status=ClientStatus.MERGED)
    ids: set[int] = set()

    def collect(queryset: models.QuerySet[Client]) -> None:
        ids.update(queryset.values_list("pk", flat=True))

    for chunk in _chunks(inns):
        collect(live.filter(inn__in=chunk))
    for chunk in _chunks(names):
        collect(live.filter(name_comparable__in=chunk))
    for chunk in _chunks(phones):
        collect(live.filter(phone__in=chunk))
        ids.update(
            _linked_client_ids(
                models.Q(contact__phone__in=chunk) | models.Q(contact__mobile_phone__in=chunk)
            )
        )
    for chunk in _chunks(emails):
        collect(live.filter(email__in=chunk))
        ids.update(_linked_client_ids(models.Q(contact__email__in=chunk)))
    found: dict[int, Client] = {}
    for id_chunk in _chunks(ids):
        for client in (
            live.filter(pk__in=id_chunk)
            .select_related("owner")
            .only(*CARD_COLUMNS, *(f"owner__{name}" for name in OWNER_COLUMNS))
        ):
            found[client.pk] = client

    contact_phones: dict[int, set[str]] = defaultdict(set)
    contact_emails: dict[int, set[str]] = defaultdict(set)
    for id_chunk in _chunks(found):
        for client_id, phone, mobile, email in ClientContact.objects.filter(
            client_id__in=id_chunk
        ).values_list("client_id", "contact__phone", "contact__mobile_phone", "contact__email"):
            contact_phones[client_id].update(p for p in (phone, mobile) if p)
            if email:
                contact_emails[client_id].add(email)

    by_key: dict[tuple[str, str], set[int]] = defaultdict(set)
    for client in found.values():
        card = card_of(client, contact_phones[client.pk], contact_emails[client.pk])
        if card.inn:
            by_key["inn", card.inn].add(client.pk)
        if card.name:
            by_key["name", card.name].add(client.pk)
        for phone in card.phones:
            by_key["phone", phone].add(client.pk)
        for email in card.emails:
            by_key["email", email].add(client.pk)

    results: list[list[Candidate]] = []
    for wanted in cards:
        if wanted is None:
            results.append([])
            continue
        matched: set[int] = set()
        matched |= by_key.get(("inn", wanted.inn), set()) if wanted.inn else set()
        matched |= by_key.get(("name", wanted.name), set()) if wanted.name else set()
        for phone in wanted.phones:
            matched |= by_key.get(("phone", phone), set())
        for email in wanted.emails:
            matched |= by_key.get(("email", email), set())
        scored = []
        for client_id in matched:
            client = found[client_id]
            existing = card_of(client, contact_phones[client_id], contact_emails[client_id])
            match = score_duplicate(wanted, existing)
            if match.score >= MIN_SCORE and match.reasons:
                scored.append(Candidate(client, match))
        scored.sort(key=lambda candidate: (-candidate.match.score, candidate.client.name))
        results.append(scored[:limit])
    return results


def client_ids_visible_to(user: Any, ids: Iterable[int]) -> set[int]:
    """Which of these clients the user may open (the rest are shown without a link)."""
    visible: set[int] = set()
    for id_chunk in _chunks(ids):
        visible.update(
            visible_to(user, Client.objects.filter(pk__in=id_chunk)).values_list("pk", flat=True)
        )
    return visible


def clients_by_inn(user: Any, inns: Iterable[str]) -> dict[str, list[Client]]:
    """The clients the user may see, by ИНН (active and archived, not merged ones), for
    linking imported contact persons."""
    result: dict[str, list[Client]] = defaultdict(list)
    for chunk in _chunks(inns):
        clients = visible_to(
            user, Client.objects.filter(inn__in=chunk).exclude(status=ClientStatus.MERGED)
        ).order_by("pk")
        for client in clients:
            result[client.inn].append(client)
    return result


@dataclass(frozen=True)
class ContactMatch:
    contact_id: int
    full_name: str
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class WantedContact:
    client_id: int | None
    full_name: str  # folded: lower case, ё → е, single spaces
    phones: frozenset[str]
    email: str


def fold_name(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


SCORE_CONTACT_SAME_NAME_AT_CLIENT = 90
SCORE_CONTACT_SAME_EMAIL = 90
SCORE_CONTACT_SAME_PHONE = 85


def contacts_like(wanted: Sequence[WantedContact | None]) -> list[list[ContactMatch]]:
    """For each wanted contact person, the persons of the base it may repeat: the same e-mail
    or phone anywhere, or the same full name at the same client."""
    phones = {phone for item in wanted if item for phone in item.phones}
    emails = {item.email for item in wanted if item and item.email}
    client_ids = {item.client_id for item in wanted if item and item.client_id}
    people: dict[int, ContactPerson] = {}
    for chunk in _chunks(phones):
        for person in ContactPerson.objects.filter(
            models.Q(phone__in=chunk) | models.Q(mobile_phone__in=chunk)
        ):
            people[person.pk] = person
    for chunk in _chunks(emails):
        for person in ContactPerson.objects.filter(email__in=chunk):
            people[person.pk] = person
    at_client: dict[tuple[int, str], set[int]] = defaultdict(set)
    for id_chunk in _chunks(client_ids):
        for link in ClientContact.objects.filter(client_id__in=id_chunk).select_related("contact"):
            people[link.contact_id] = link.contact
            at_client[link.client_id, fold_name(link.contact.full_name)].add(link.contact_id)
    by_phone: dict[str, set[int]] = defaultdict(set)
    by_email: dict[str, set[int]] = defaultdict(set)
    for person in people.values():
        for phone in (person.phone, person.mobile_phone):
            if phone:
                by_phone[phone].add(person.pk)
        if person.email:
            by_email[person.email].add(person.pk)

    results: list[list[ContactMatch]] = []
    for item in wanted:
        if item is None:
            results.append([])
            continue
        signals: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if item.client_id:
            for pk in at_client.get((item.client_id, item.full_name), ()):
                signals[pk].append(
                    (SCORE_CONTACT_SAME_NAME_AT_CLIENT, "У клиента уже есть человек с таким ФИО")
                )
        if item.email:
            for pk in by_email.get(item.email, ()):
                signals[pk].append((SCORE_CONTACT_SAME_EMAIL, f"Совпадает e-mail {item.email}"))
        for phone in sorted(item.phones):
            for pk in by_phone.get(phone, ()):
                signals[pk].append((SCORE_CONTACT_SAME_PHONE, f"Совпадает телефон {phone}"))
        matches = []
        for pk, found in signals.items():
            found.sort(key=lambda signal: -signal[0])
            score = min(100, found[0][0] + 5 * (len(found) - 1))
            matches.append(
                ContactMatch(pk, people[pk].full_name, score, tuple(r for _, r in found))
            )
        matches.sort(key=lambda match: (-match.score, match.full_name))
        results.append(matches[:3])
    return results

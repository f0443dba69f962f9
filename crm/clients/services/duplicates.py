"""The full duplicate scan of the base (a background job) and the review of what it found.

The scan reads every active client as a dedup Card (its own phone and e-mail together with its
contact persons' ones) and every contact person working for an active client, lets
crm.clients.domain.dedup block and score them, and stores the pairs as ClientDuplicate and
ContactDuplicate rows (first_id < second_id). A pair a person already answered (DISMISSED
"не дубли", or MERGED) is never opened again; a NEW pair found again gets the new score and
reasons; a NEW pair not found any more (a card changed, was archived or merged) is removed.
Running the scan twice gives the same rows: the job is idempotent."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.clients.domain.dedup import Card, Pair, find_duplicates
from crm.clients.models import (
    Client,
    ClientContact,
    ClientDuplicate,
    ClientStatus,
    ContactDuplicate,
    ContactPerson,
    DuplicateStatus,
    Merge,
)
from crm.clients.selectors.duplicate_review import DUPLICATE_SCAN_JOB
from crm.core.audit import audit_record
from crm.core.jobs import job_enqueue, job_handler, job_set_progress
from crm.core.models import AuditAction, Job, JobStatus

WRITE_CHUNK = 500
PARALLEL_FROM = 20_000  # cards; below, a second process costs more than it saves
READ_CHUNK = 5000

COMMENT_DISMISSED = gettext_lazy("Отмечено «не дубли»")

Progress = Callable[[float], None]
logger = logging.getLogger(__name__)


# Reading the base ----------------------------------------------------------------------------


def client_cards() -> list[Card]:
    """Every active client as a Card, with its contact persons' phones and e-mails."""
    phones: dict[int, set[str]] = defaultdict(set)
    emails: dict[int, set[str]] = defaultdict(set)
    links = ClientContact.objects.filter(client__status=ClientStatus.ACTIVE).values_list(
        "client_id", "contact__phone", "contact__mobile_phone", "contact__email"
    )
    for client_id, phone, mobile, email in links.iterator(chunk_size=READ_CHUNK):
        if phone:
            phones[client_id].add(phone)
        if mobile:
            phones[client_id].add(mobile)
        if email:
            emails[client_id].add(email)
    rows = (
        Client.objects.filter(status=ClientStatus.ACTIVE)
        .order_by("id")
        .values_list("id", "name", "inn", "kpp", "phone", "email")
    )
    cards = []
    for client_id, name, inn, kpp, phone, email in rows.iterator(chunk_size=READ_CHUNK):
        client_phones = phones.pop(client_id, set())
        client_emails = emails.pop(client_id, set())
        if phone:
            client_phones.add(phone)
        if email:
            client_emails.add(email)
        cards.append(
            Card(
                id=client_id,
                name=name,
                inn=inn,
                kpp=kpp,
                phones=frozenset(client_phones),
                emails=frozenset(client_emails),
            )
        )
    return cards


def merged_contact_ids() -> set[int]:
    """Contact persons merged into another one (and not restored): they are a snapshot kept
    for undo, not a person to compare."""
    return set(
        Merge.objects.filter(kind="contact", undone_at__isnull=True).values_list(
            "merged_id", flat=True
        )
    )


def contact_cards() -> list[Card]:
    """Every contact person who works for an active client, as a Card."""
    merged = merged_contact_ids()
    working = ClientContact.objects.filter(client__status=ClientStatus.ACTIVE).values("contact_id")
    rows = (
        ContactPerson.objects.filter(pk__in=working)
        .order_by("id")
        .values_list(
            "id", "last_name", "first_name", "middle_name", "phone", "mobile_phone", "email"
        )
    )
    cards = []
    for contact_id, last, first, middle, phone, mobile, email in rows.iterator(
        chunk_size=READ_CHUNK
    ):
        if contact_id in merged:
            continue
        cards.append(
            Card(
                id=contact_id,
                name=" ".join(part for part in (last, first, middle) if part),
                phones=frozenset(p for p in (phone, mobile) if p),
                emails=frozenset({email} if email else set()),
            )
        )
    return cards


# Storing the pairs ---------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int = WRITE_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def store_pairs(
    model: type[ClientDuplicate] | type[ContactDuplicate], pairs: Sequence[Pair]
) -> dict[str, int]:
    """Write the pairs of a scan (see the module docstring); returns how many rows were
    created, updated, removed and left alone because a person already answered them."""
    existing: dict[tuple[int, int], tuple[int, str, int, list[str]]] = {
        (first, second): (pk, status, score, reasons)
        for pk, first, second, status, score, reasons in model.objects.values_list(
            "pk", "first_id", "second_id", "status", "score", "reasons"
        ).iterator(chunk_size=READ_CHUNK)
    }
    to_create: list[Any] = []
    to_update: list[Any] = []
    seen: set[int] = set()
    answered = 0
    for pair in pairs:
        row = existing.get((pair.first_id, pair.second_id))
        reasons = list(pair.reasons)
        if row is None:
            to_create.append(
                model(
                    first_id=pair.first_id,
                    second_id=pair.second_id,
                    score=pair.score,
                    reasons=reasons,
                )
            )
            continue
        pk, status, score, old_reasons = row
        if status != DuplicateStatus.NEW:
            answered += 1
            continue
        seen.add(pk)
        if score != pair.score or list(old_reasons) != reasons:
            to_update.append(model(pk=pk, score=pair.score, reasons=reasons))
    stale = [
        pk
        for pk, status, _score, _reasons in existing.values()
        if status == DuplicateStatus.NEW and pk not in seen
    ]
    model.objects.bulk_create(to_create, batch_size=WRITE_CHUNK, ignore_conflicts=True)
    for chunk in _chunks(to_update):
        model.objects.bulk_update(chunk, ["score", "reasons"])
    for chunk in _chunks(stale):
        model.objects.filter(pk__in=chunk, status=DuplicateStatus.NEW).delete()
    return {
        "created": len(to_create),
        "updated": len(to_update),
        "removed": len(stale),
        "answered": answered,
        "new": len(to_create) + len(seen),
    }


# The scan ------------------------------------------------------------------------------------


def _stage(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    return lambda share: progress(start + (end - start) * share)


def duplicate_scan(*, progress: Progress | None = None) -> dict[str, Any]:
    """Scan clients and contact persons; `progress` is told the share done, 0.0–1.0.

    On a big base (PARALLEL_FROM cards and more) the contact persons are scored in a second
    process while this one scores the clients: the scoring is pure Python and CPU-bound, and
    the machine has more than one core. The second process is spawned, not forked, so it
    inherits no database connection (a forked child closing an inherited SQLite file would
    drop this process's locks); it only computes, the writes stay here."""
    started = time.monotonic()
    report = _stage(progress, 0, 1) or (lambda share: None)
    cards = client_cards()
    report(0.1)
    people = contact_cards()
    report(0.15)
    read = time.monotonic()
    pool: ProcessPoolExecutor | None = None
    contact_future: Future[list[Pair]] | None = None
    if len(cards) + len(people) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        contact_future = pool.submit(find_duplicates, people, contacts=True)
    try:
        pairs = find_duplicates(cards, progress=_stage(progress, 0.15, 0.8))
        contact_pairs: list[Pair] | None = None
        if contact_future is not None:
            try:
                contact_pairs = contact_future.result()
            except (BrokenProcessPool, OSError):
                # The second process could not start (e.g. a main module without the
                # `if __name__ == "__main__"` guard): the same work, here.
                logger.warning("Duplicate scan: second process failed, scoring contacts here")
        if contact_pairs is None:
            contact_pairs = find_duplicates(
                people, contacts=True, progress=_stage(progress, 0.8, 0.9)
            )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report(0.9)
    scored = time.monotonic()
    clients = {"cards": len(cards), "pairs": len(pairs), **store_pairs(ClientDuplicate, pairs)}
    contacts = {
        "cards": len(people),
        "pairs": len(contact_pairs),
        **store_pairs(ContactDuplicate, contact_pairs),
    }
    report(1.0)
    finished = time.monotonic()
    return {
        "clients": clients,
        "contacts": contacts,
        "seconds": round(finished - started, 1),
        "stages": {  # seconds: reading the base, blocking and scoring, writing the pairs
            "read": round(read - started, 1),
            "score": round(scored - read, 1),
            "write": round(finished - scored, 1),
        },
    }


@job_handler(DUPLICATE_SCAN_JOB)
def duplicate_scan_job(job: Job) -> dict[str, Any]:
    last = [-1]

    def progress(share: float) -> None:
        percent = min(99, int(share * 100))
        if percent != last[0]:
            last[0] = percent
            job_set_progress(job, percent)

    return duplicate_scan(progress=progress)


def duplicate_scan_running() -> Job | None:
    return (
        Job.objects.filter(
            kind=DUPLICATE_SCAN_JOB, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        )
        .order_by("-created_at")
        .first()
    )


def duplicate_scan_start(*, by: User) -> Job:
    """Queue a full scan, unless one is already waiting or running (then that one is the
    answer: a second scan at the same time would only repeat the work)."""
    return duplicate_scan_running() or job_enqueue(
        kind=DUPLICATE_SCAN_JOB, payload={"by": by.pk}, max_attempts=2
    )


# Review --------------------------------------------------------------------------------------


def _dismiss(by: User, pair: ClientDuplicate | ContactDuplicate) -> None:
    if pair.status == DuplicateStatus.DISMISSED:
        return
    before = {"status": pair.status}
    pair.status = DuplicateStatus.DISMISSED
    pair.save(update_fields=["status"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=pair,
        before=before,
        after={"status": DuplicateStatus.DISMISSED.value},
        comment=str(COMMENT_DISMISSED),
    )


@transaction.atomic
def client_duplicate_dismiss(*, by: User, pair: ClientDuplicate) -> ClientDuplicate:
    """ "Не дубли": the pair leaves the review list and later scans do not bring it back."""
    _dismiss(by, pair)
    return pair


@transaction.atomic
def contact_duplicate_dismiss(*, by: User, pair: ContactDuplicate) -> ContactDuplicate:
    _dismiss(by, pair)
    return pair

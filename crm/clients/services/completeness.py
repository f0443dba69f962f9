"""Keeping the derived state of a card up to date: the completeness score with what is missing,
and the "to complete" mark (needs_completion), which comes off once the card meets the entry
rules of creation and of the first deal.

`client_refresh_completeness` is called at the end of every service that changes an input of
the score (client_create, client_update, bank_account_add, contact_add);
`completeness_recompute_all` runs over the whole base in chunks (after the administrator
changes the weights: the background job "clients.completeness_recompute"; and by the demo
data)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.models import User
from crm.clients.domain.completeness import (
    ClientFacts,
    Completeness,
    criterion_label,
    score_completeness,
)
from crm.clients.models import Client, CompletenessCriterion
from crm.clients.selectors.completeness import (
    FACT_COLUMNS,
    client_facts,
    clients_facts,
    completeness_weights,
)
from crm.clients.selectors.entry_rules import entry_rule_report, meets_completion_rules
from crm.core.audit import audit_record, snapshot
from crm.core.jobs import job_enqueue, job_handler, job_set_progress
from crm.core.models import AuditAction, Job, JobStatus

RECOMPUTE_JOB = "clients.completeness_recompute"
RECOMPUTE_CHUNK = 2000
UPDATE_CHUNK = 500
MAX_WEIGHT = 100

ERROR_WEIGHT = gettext_noop("%(criterion)s: вес — целое число от 0 до 100")
ERROR_NO_WEIGHT = gettext_noop("Хотя бы один учитываемый критерий должен иметь вес больше нуля")


def client_refresh_completeness(client: Client) -> Client:
    """Recompute `client`'s score and missing criteria and take the "to complete" mark off when
    the entry rules of creation and the first deal are met. Writes only the derived columns
    (not audited: they follow from audited changes)."""
    facts = client_facts(client)
    result = score_completeness(facts, completeness_weights())
    changes: dict[str, Any] = {}
    if client.completeness != result.score:
        changes["completeness"] = result.score
    if list(client.completeness_missing or []) != list(result.missing):
        changes["completeness_missing"] = list(result.missing)
    if client.needs_completion and meets_completion_rules(entry_rule_report(client, facts=facts)):
        changes["needs_completion"] = False
    if changes:
        Client.objects.filter(pk=client.pk).update(**changes)
        for name, value in changes.items():
            setattr(client, name, value)
    return client


def completeness_recompute_all(*, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every card's score in chunks of RECOMPUTE_CHUNK cards (three reads per chunk,
    no query per card) and write only the cards whose score or missing list changed: one
    UPDATE … WHERE id IN (…) per distinct result, since many cards share one (a few hundred
    distinct results over 100 000 cards). Returns how many cards changed; running it again
    changes nothing."""
    weights = completeness_weights()
    total = Client.objects.count()
    stale: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    scored: dict[ClientFacts, Completeness] = {}
    last_id = 0
    seen = 0
    while True:
        rows = list(
            Client.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values(*FACT_COLUMNS, "completeness", "completeness_missing")[:RECOMPUTE_CHUNK]
        )
        if not rows:
            break
        last_id = rows[-1]["id"]
        seen += len(rows)
        facts = clients_facts(rows)
        for row in rows:
            card = facts[row["id"]]
            result = scored.get(card)
            if result is None:  # cards are alike: a few thousand distinct facts in 100 000
                result = scored[card] = score_completeness(card, weights)
            stored = (row["completeness"], tuple(row["completeness_missing"] or ()))
            if stored != (result.score, result.missing):
                stale[(result.score, result.missing)].append(row["id"])
        if progress is not None and total:
            progress(min(99, seen * 100 // total))
    count = 0
    for (score, missing), ids in stale.items():
        for start in range(0, len(ids), UPDATE_CHUNK):
            Client.objects.filter(pk__in=ids[start : start + UPDATE_CHUNK]).update(
                completeness=score, completeness_missing=list(missing)
            )
        count += len(ids)
    return count


@job_handler(RECOMPUTE_JOB)
def completeness_recompute_job(job: Job) -> dict[str, Any]:
    changed = completeness_recompute_all(progress=lambda percent: job_set_progress(job, percent))
    return {"changed": changed}


def completeness_recompute_enqueue() -> Job:
    """Queue a recompute unless one is already waiting (a waiting one will see the newest
    weights when it runs)."""
    waiting = Job.objects.filter(kind=RECOMPUTE_JOB, status=JobStatus.QUEUED).first()
    return waiting or job_enqueue(kind=RECOMPUTE_JOB)


@transaction.atomic
def completeness_weights_save(
    *, by: User, criteria: Mapping[str, tuple[Any, bool]]
) -> list[CompletenessCriterion]:
    """Save the administrator's weights: {code: (weight, is_active)} for the existing criteria.
    A weight must be a whole number 0–100 and at least one active criterion must weigh more
    than 0; otherwise ValidationError naming the criterion, and nothing changes. Each changed
    criterion is audited; the recompute of every card is queued after the commit."""
    rows = {row.code: row for row in CompletenessCriterion.objects.select_for_update()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[int, bool]] = {}
    for code, (weight, is_active) in criteria.items():
        if code not in rows:
            raise ValueError(f"Unknown completeness criterion: {code}")
        text = str(weight).strip()
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_WEIGHT:
            errors[code] = [_(ERROR_WEIGHT) % {"criterion": _(criterion_label(code))}]
            continue
        value = int(text)
        cleaned[code] = (value, bool(is_active))
    if errors:
        raise ValidationError(errors)
    final = {code: cleaned.get(code, (row.weight, row.is_active)) for code, row in rows.items()}
    if not any(weight > 0 and active for weight, active in final.values()):
        raise ValidationError(_(ERROR_NO_WEIGHT))
    changed = []
    for code, (weight, is_active) in cleaned.items():
        row = rows[code]
        if (row.weight, row.is_active) == (weight, is_active):
            continue
        before = snapshot(row, ("weight", "is_active"))
        row.weight, row.is_active = weight, is_active
        row.save(update_fields=["weight", "is_active"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            instance=row,
            before=before,
            after=snapshot(row, ("weight", "is_active")),
            comment=_("Вес критерия заполненности «%(criterion)s»")
            % {"criterion": _(criterion_label(code))},
        )
        changed.append(row)
    if changed:
        transaction.on_commit(completeness_recompute_enqueue)
    return changed

"""Gap-free document numbers: `next_number` locks the sequence row of (kind, organization,
year) until the calling transaction ends, so two documents issued at once get consecutive
numbers and a rolled-back issue gives its number back."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from crm.core.models import NumberSequence


def next_number(kind: str, *, year: int, organization_id: int = 0, prefix: str = "") -> int:
    """The next number; must run inside the transaction that saves the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must be called inside transaction.atomic()")
    key = {"kind": kind, "organization_id": organization_id, "year": year}
    sequence = NumberSequence.objects.select_for_update().filter(**key).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(**key, prefix=prefix, last_number=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        sequence = NumberSequence.objects.select_for_update().get(**key)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number

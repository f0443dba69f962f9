"""Purge: deleting an archived client for good — the administrator's action.

"Delete" in the daily work archives a card (client_set_status); a purge removes the row and
what hangs on it by CASCADE, and leaves an audit record with the card's last snapshot (the
AuditEntry keeps the id as text, so it outlives the row).

What blocks a purge is found through the relations pointing at Client, so this app never
imports the apps above it: a related model of the billing app is a money document, and any
relation with on_delete PROTECT or RESTRICT blocks (a deal, a merged card…)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.access import can_administer
from crm.accounts.models import User
from crm.clients.models import Client, ClientStatus
from crm.clients.services import CLIENT_AUDIT_FIELDS
from crm.core.audit import audit_record, snapshot
from crm.core.models import AuditAction

MONEY_APPS = ("billing",)
BLOCKING_ON_DELETE = (models.PROTECT, models.RESTRICT)

ERROR_NOT_ADMINISTRATOR = gettext_lazy("Удалять карточки навсегда может только администратор")
ERROR_NOT_ARCHIVED = gettext_lazy(
    "Удалить навсегда можно только карточку из архива — сначала перенесите её в архив"
)


@dataclass(frozen=True)
class Blocker:
    """Rows of one related model that keep a card from being deleted."""

    label: str  # the related model's plural name: «счета»
    count: int

    def __str__(self) -> str:
        return f"{self.label} ({self.count})"


def _relations_to(model: type[models.Model]) -> list[Any]:
    """Every reverse relation to `model`, hidden ones ("+") included — what deletion follows."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]


def relation_blocks(relation: Any) -> bool:
    """Whether rows of this reverse relation keep the target from being purged."""
    related = relation.related_model
    return related._meta.app_label in MONEY_APPS or relation.on_delete in BLOCKING_ON_DELETE


def purge_blockers(client: Client) -> list[Blocker]:
    """What keeps `client` from being purged: money documents and PROTECT/RESTRICT relations
    with at least one row (one COUNT per such relation)."""
    blockers = []
    for relation in _relations_to(Client):
        if not relation_blocks(relation):
            continue
        related = relation.related_model
        count = related._base_manager.filter(**{relation.field.name: client}).count()
        if count:
            blockers.append(Blocker(str(related._meta.verbose_name_plural), count))
    return blockers


def blockers_message(blockers: list[Blocker]) -> str:
    """«Нельзя удалить: есть счета (3), сделки (1)»."""
    return _("Нельзя удалить: есть %(what)s") % {"what": ", ".join(map(str, blockers))}


@transaction.atomic
def client_purge(*, by: User, client: Client) -> None:
    """Delete an archived client for good, leaving its last snapshot in the audit history."""
    if not can_administer(by):
        raise PermissionDenied(ERROR_NOT_ADMINISTRATOR)
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status != ClientStatus.ARCHIVED:
        raise ValidationError(ERROR_NOT_ARCHIVED)
    blockers = purge_blockers(client)
    if blockers:
        raise ValidationError(blockers_message(blockers))
    last = snapshot(client, CLIENT_AUDIT_FIELDS)
    last["contacts"] = sorted(
        str(link.contact) for link in client.contact_links.select_related("contact")
    )
    last["bank_accounts"] = sorted(str(account) for account in client.bank_accounts.all())
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=client,
        before=last,
        after={},
        comment=_("Удалён навсегда из архива"),
    )
    try:
        client.delete()
    except ProtectedError as error:  # rows added by a model the check does not know
        raise ValidationError(blockers_message(_count(error.protected_objects))) from error
    except RestrictedError as error:
        raise ValidationError(blockers_message(_count(error.restricted_objects))) from error


def _count(objects: Any) -> list[Blocker]:
    counts = Counter(type(obj) for obj in objects)
    return [Blocker(str(model._meta.verbose_name_plural), n) for model, n in counts.items()]

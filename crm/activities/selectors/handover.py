"""Reads on handovers: the journal, one handover with the names of the clients it moved."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404

from crm.accounts.access import can_administer
from crm.activities.models import Handover
from crm.activities.services.handover import handover_allowed
from crm.clients.models import Client

CLIENTS_SHOWN = 200


def handovers_visible_to(user: Any) -> models.QuerySet[Handover]:
    """The journal: everything for an administrator; for a head, the handovers touching their
    department; for others, their own (given, received or made)."""
    handovers = Handover.objects.select_related(
        "from_user", "to_user", "to_department", "by"
    ).order_by("-at", "-pk")
    if can_administer(user):
        return handovers
    mine = models.Q(from_user=user) | models.Q(to_user=user) | models.Q(by=user)
    if handover_allowed(user):
        department = user.department_id
        mine |= (
            models.Q(from_user__department_id=department)
            | models.Q(to_user__department_id=department)
            | models.Q(to_department_id=department)
        )
    return handovers.filter(mine)


def handover_get(*, user: Any, pk: Any) -> Handover:
    try:
        return handovers_visible_to(user).get(pk=pk)
    except (Handover.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def handover_clients(handover: Handover, *, limit: int = CLIENTS_SHOWN) -> list[Client]:
    """The first `limit` clients the handover moved, by name (as they are called now)."""
    ids = list(handover.client_ids or [])[:limit]
    return list(Client.objects.filter(pk__in=ids).only("pk", "name").order_by("name", "pk"))

"""Reads for the review of the duplicate scan: the pairs (and groups) a user may see, merges.

A user sees a pair only when both cards are visible to them (crm.accounts.access): a manager
their own clients, a head of sales their department's, an administrator everything. A contact
person is visible through the clients they work for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Prefetch
from django.http import Http404

from crm.accounts.access import access_object, scope_condition, visible_to
from crm.clients.domain.dedup import group_pairs
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
from crm.core.models import Job

DUPLICATE_SCAN_JOB = "clients.duplicate_scan"
M = TypeVar("M", bound=models.Model)


def visible_clients(user: Any) -> models.QuerySet[Client]:
    return visible_to(user, Client.objects.all())


def visible_contacts(user: Any) -> models.QuerySet[ContactPerson]:
    """Contact persons who work for a client the user may see."""
    if scope_condition(user, Client) is None:
        return ContactPerson.objects.all()
    links = ClientContact.objects.filter(client__in=visible_clients(user).values("pk"))
    return ContactPerson.objects.filter(pk__in=links.values("contact_id"))


def client_duplicate_pairs(*, user: Any, min_score: int = 0) -> models.QuerySet[ClientDuplicate]:
    """NEW pairs of two active clients the user may see, best first."""
    pairs = ClientDuplicate.objects.filter(
        status=DuplicateStatus.NEW,
        score__gte=min_score,
        first__status=ClientStatus.ACTIVE,
        second__status=ClientStatus.ACTIVE,
    )
    if scope_condition(user, Client) is not None:
        visible = visible_clients(user).values("pk")
        pairs = pairs.filter(first__in=visible, second__in=visible)
    return pairs.select_related(
        "first__owner", "first__department", "second__owner", "second__department"
    ).order_by("-score", "id")


def contact_duplicate_pairs(*, user: Any, min_score: int = 0) -> models.QuerySet[ContactDuplicate]:
    """NEW pairs of contact persons the user may see, best first, each person with the
    clients (the user may see) they work for."""
    pairs = ContactDuplicate.objects.filter(status=DuplicateStatus.NEW, score__gte=min_score)
    links = ClientContact.objects.select_related("client").order_by("client__name")
    if scope_condition(user, Client) is not None:
        visible = visible_contacts(user).values("pk")
        pairs = pairs.filter(first__in=visible, second__in=visible)
        links = links.filter(client__in=visible_clients(user).values("pk"))
    links = links.filter(client__status=ClientStatus.ACTIVE)
    return pairs.prefetch_related(
        Prefetch("first__links", queryset=links), Prefetch("second__links", queryset=links)
    ).order_by("-score", "id")


@dataclass(frozen=True)
class DuplicateGroup:
    """Clients linked by pairs (A~B, B~C): one client seen under several cards."""

    clients: list[Client]
    pairs: list[ClientDuplicate]

    @property
    def best_score(self) -> int:
        return max(pair.score for pair in self.pairs)


def client_duplicate_groups(*, user: Any, min_score: int = 0) -> list[list[int]]:
    """The ids of clients in each group of connected pairs, the strongest groups first. Only
    ids: the page loads the clients of the groups it shows (`client_duplicate_group_page`)."""
    rows = list(
        client_duplicate_pairs(user=user, min_score=min_score)
        .select_related(None)
        .values_list("first_id", "second_id", "score")
    )
    best: dict[int, int] = {}
    for first, second, score in rows:
        best[first] = max(best.get(first, 0), score)
        best[second] = max(best.get(second, 0), score)
    groups = group_pairs((first, second) for first, second, _ in rows)
    return sorted(groups, key=lambda ids: (-max(best[i] for i in ids), -len(ids), ids[0]))


def client_duplicate_group_page(
    *, user: Any, groups: list[list[int]], min_score: int = 0
) -> list[DuplicateGroup]:
    """The groups of one page with their clients and pairs (two queries whatever the size)."""
    ids = {client_id for group in groups for client_id in group}
    clients = {
        client.pk: client
        for client in Client.objects.filter(pk__in=ids).select_related("owner", "department")
    }
    pairs: dict[int, list[ClientDuplicate]] = {}
    group_of = {client_id: index for index, group in enumerate(groups) for client_id in group}
    for pair in client_duplicate_pairs(user=user, min_score=min_score).filter(first_id__in=ids):
        pairs.setdefault(group_of[pair.first_id], []).append(pair)
    return [
        DuplicateGroup(clients=[clients[i] for i in group], pairs=pairs.get(index, []))
        for index, group in enumerate(groups)
        if index in pairs
    ]


def client_duplicate_get(*, user: Any, pk: Any) -> ClientDuplicate:
    """A pair (any status) whose both cards the user may see; 404 otherwise."""
    pairs = ClientDuplicate.objects.select_related("first", "second")
    if scope_condition(user, Client) is not None:
        visible = visible_clients(user).values("pk")
        pairs = pairs.filter(first__in=visible, second__in=visible)
    return _get_or_404(pairs, pk)


def contact_duplicate_get(*, user: Any, pk: Any) -> ContactDuplicate:
    pairs = ContactDuplicate.objects.select_related("first", "second")
    if scope_condition(user, Client) is not None:
        visible = visible_contacts(user).values("pk")
        pairs = pairs.filter(first__in=visible, second__in=visible)
    return _get_or_404(pairs, pk)


def _get_or_404(queryset: models.QuerySet[M], pk: Any) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def contact_get(*, user: Any, pk: Any) -> ContactPerson:
    """A contact person the user may see (through a client they may see); 404 otherwise."""
    return _get_or_404(visible_contacts(user), pk)


def client_for_merge(*, user: Any, pk: Any) -> Client:
    """A client the user may see, with what the merge page shows; 404 otherwise."""
    return access_object(
        user,
        Client.objects.select_related(
            "owner", "department", "source", "industry", "merged_into"
        ).prefetch_related("tags"),
        pk,
    )


def merge_get(*, user: Any, pk: Any) -> Merge:
    """A merge whose both cards the user may see; 404 otherwise."""
    merge = _get_or_404(Merge.objects.select_related("by"), pk)
    model = Client if merge.kind == "client" else ContactPerson
    visible = visible_clients(user) if model is Client else visible_contacts(user)
    if model is ContactPerson:
        # A merged contact person has no links left: they are visible when the kept one is.
        if not visible.filter(pk=merge.kept_id).exists():
            raise Http404
    elif visible.filter(pk__in=[merge.kept_id, merge.merged_id]).count() != 2:
        raise Http404
    return merge


def merge_cards(merge: Merge) -> tuple[Any, Any]:
    """The kept and the merged card of a merge (rows of Client or ContactPerson)."""
    model = Client if merge.kind == "client" else ContactPerson
    cards = {
        card.pk: card for card in model.objects.filter(pk__in=[merge.kept_id, merge.merged_id])
    }
    return cards.get(merge.kept_id), cards.get(merge.merged_id)


def latest_duplicate_scan() -> Job | None:
    return Job.objects.filter(kind=DUPLICATE_SCAN_JOB).order_by("-created_at", "-id").first()


def duplicate_scan_job_get(pk: Any) -> Job:
    return _get_or_404(Job.objects.filter(kind=DUPLICATE_SCAN_JOB), pk)

"""Reads for the completeness score: the facts of cards (one card or a chunk of the base in a
fixed number of queries), the administrator's weights, and the completeness report (scoped to
what the user may see)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.clients.domain.completeness import BUCKETS, ClientFacts, criterion_label
from crm.clients.models import (
    BankAccount,
    Client,
    ClientContact,
    ClientKind,
    ClientStatus,
    CompletenessCriterion,
    Industry,
    LeadSource,
)

# Client columns the facts are made of (values() of these build a card's facts).
FACT_COLUMNS = (
    "id",
    "kind",
    "inn",
    "kpp",
    "ogrn",
    "full_name",
    "legal_address",
    "actual_address",
    "phone",
    "email",
    "website",
    "source_id",
    "industry_id",
    "region",
    "size",
)


@dataclass(frozen=True)
class ContactFacts:
    contact: bool = False
    reachable: bool = False
    decision_maker: bool = False


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def facts_from_values(
    values: Mapping[str, Any], *, bank_account: bool, contacts: ContactFacts
) -> ClientFacts:
    """Facts of a card from its columns (a values() row or an instance's fields)."""
    return ClientFacts(
        kind=values["kind"],
        inn=_filled(values["inn"]),
        kpp=_filled(values["kpp"]),
        ogrn=_filled(values["ogrn"]),
        full_name=_filled(values["full_name"]),
        legal_address=_filled(values["legal_address"]),
        actual_address=_filled(values["actual_address"]),
        phone=_filled(values["phone"]),
        email=_filled(values["email"]),
        website=_filled(values["website"]),
        source=_filled(values["source_id"]),
        industry=_filled(values["industry_id"]),
        region=_filled(values["region"]),
        size=_filled(values["size"]),
        bank_account=bank_account,
        contact=contacts.contact,
        contact_reachable=contacts.reachable,
        decision_maker=contacts.decision_maker,
    )


def _id_range(low: int, high: int) -> Q:
    """Clients low…high by id: a range, cheaper to build and to run than IN of 2 000 ids."""
    return Q(client_id__gte=low, client_id__lte=high)


def _contact_facts(condition: Q) -> dict[int, ContactFacts]:
    """One query: per client, whether it has a contact, a reachable one, a reachable ЛПР."""
    found: dict[int, ContactFacts] = {}
    rows = ClientContact.objects.filter(condition).values_list(
        "client_id",
        "is_decision_maker",
        "contact__phone",
        "contact__mobile_phone",
        "contact__email",
    )
    for client_id, is_decision_maker, phone, mobile, email in rows:
        before = found.get(client_id, ContactFacts())
        reachable = bool(phone or mobile or email)
        found[client_id] = ContactFacts(
            contact=True,
            reachable=before.reachable or reachable,
            decision_maker=before.decision_maker or (is_decision_maker and reachable),
        )
    return found


def _with_bank_account(condition: Q) -> set[int]:
    return set(BankAccount.objects.filter(condition).values_list("client_id", flat=True))


def client_facts(client: Client) -> ClientFacts:
    """Facts of one card (its own fields as they are on the instance, even unsaved, plus its
    contacts and bank accounts from the database: two queries, none for an unsaved card)."""
    values = {name: getattr(client, name) for name in FACT_COLUMNS}
    if client.pk is None:
        return facts_from_values(values, bank_account=False, contacts=ContactFacts())
    return facts_from_values(
        values,
        bank_account=bool(_with_bank_account(Q(client_id=client.pk))),
        contacts=_contact_facts(Q(client_id=client.pk)).get(client.pk, ContactFacts()),
    )


def clients_facts(rows: list[dict[str, Any]]) -> dict[int, ClientFacts]:
    """Facts of many cards from their values() rows (FACT_COLUMNS) in two more queries; the
    contacts and bank accounts are read for the id range the rows span (rows of a chunk in id
    order: the range holds only them)."""
    if not rows:
        return {}
    ids = [row["id"] for row in rows]
    span = _id_range(min(ids), max(ids))
    banked = _with_bank_account(span)
    contacts = _contact_facts(span)
    return {
        row["id"]: facts_from_values(
            row,
            bank_account=row["id"] in banked,
            contacts=contacts.get(row["id"], ContactFacts()),
        )
        for row in rows
    }


def completeness_weights() -> dict[str, int]:
    """{code: weight} of the active criteria."""
    return dict(CompletenessCriterion.objects.filter(is_active=True).values_list("code", "weight"))


def completeness_criteria() -> list[CompletenessCriterion]:
    return list(CompletenessCriterion.objects.order_by("-weight", "code"))


def missing_labels(codes: Iterable[str]) -> list[str]:
    """Translated labels of stored missing-criteria codes."""
    return [_(criterion_label(code)) for code in codes]


# ---------------------------------------------------------------------------------------------
# The report


def _average(total: int, count: int) -> Decimal | None:
    """total / count to one decimal, halves up; None for an empty group."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int
    count: int
    share: int  # % of the largest bucket, for the bar height


@dataclass(frozen=True)
class GroupAverage:
    key: Any
    label: str
    count: int
    average: Decimal | None

    @property
    def whole(self) -> int:
        """The average as a whole percent (for a bar's width)."""
        if self.average is None:
            return 0
        return int(self.average.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class CompletenessSummary:
    total: int
    average: Decimal | None
    below: int
    buckets: list[Bucket]
    by_manager: list[GroupAverage]
    by_industry: list[GroupAverage]
    by_source: list[GroupAverage]
    by_kind: list[GroupAverage]


def completeness_base(user: Any) -> models.QuerySet[Client]:
    """Active cards the user may see: what the report is about."""
    return visible_to(user, Client.objects.filter(status=ClientStatus.ACTIVE))


def _short_name(last: str, first: str, middle: str, username: str) -> str:
    """«Иванова А. П.», as User.short_name writes it (from values(), without loading users)."""
    if not last:
        return first or username
    initials = "".join(f"{part[0]}. " for part in (first, middle) if part)
    return f"{last} {initials}".strip()


class _Groups:
    """Counts and sums of scores per value of one dimension, summed up from the cells."""

    def __init__(self) -> None:
        self.cells: dict[Any, list[int]] = {}

    def add(self, key: Any, count: int, total: int) -> None:
        cell = self.cells.setdefault(key, [0, 0])
        cell[0] += count
        cell[1] += total

    def averages(
        self, labels: dict[Any, str], empty_label: str, *, by_label: bool = True
    ) -> list[GroupAverage]:
        """Sorted by label (or in the order of `labels`), the group without a value last."""
        order = {key: index for index, key in enumerate(labels)}
        groups = [
            GroupAverage(
                key=key,
                label=labels.get(key, str(key)) if key is not None else empty_label,
                count=count,
                average=_average(total, count),
            )
            for key, (count, total) in self.cells.items()
        ]
        groups.sort(
            key=lambda group: (
                group.key is None,
                group.label if by_label else order.get(group.key, len(order)),
                str(group.key),
            )
        )
        return groups


def completeness_summary(*, user: Any, threshold: int) -> CompletenessSummary:
    """Distribution, averages by manager and segment, and the count below `threshold`.

    One scan of the cards, grouped by (owner, industry, source, kind) with the bucket counts
    beside — a few thousand cells at most —, summed up here per dimension; then the names of
    the owners, industries and sources (three small queries). Four queries whatever the size
    of the base, and the table is read once rather than once per dimension."""
    bucket_counts = {
        f"bucket_{index}": Count("id", filter=Q(completeness__gte=low, completeness__lte=high))
        for index, (low, high) in enumerate(BUCKETS)
    }
    cells = (
        completeness_base(user)
        .order_by()
        .values("owner_id", "industry_id", "source_id", "kind")
        .annotate(
            count=Count("id"),
            total=Sum("completeness"),
            below=Count("id", filter=Q(completeness__lt=threshold)),
            **bucket_counts,
        )
    )
    dimensions = {name: _Groups() for name in ("owner_id", "industry_id", "source_id", "kind")}
    counts = [0] * len(BUCKETS)
    total = score_sum = below = 0
    for cell in cast(Iterable[dict[str, Any]], cells):
        total += cell["count"]
        score_sum += cell["total"] or 0
        below += cell["below"]
        for index in range(len(BUCKETS)):
            counts[index] += cell[f"bucket_{index}"]
        for name, groups in dimensions.items():
            groups.add(cell[name], cell["count"], cell["total"] or 0)

    owner_ids = [key for key in dimensions["owner_id"].cells if key is not None]
    owners = {
        row[0]: _short_name(*row[1:])
        for row in User.objects.filter(pk__in=owner_ids or [0]).values_list(
            "pk", "last_name", "first_name", "middle_name", "username"
        )
    }
    # The catalogs are short: read whole, so the number of queries never depends on the data.
    industries = dict(Industry.objects.values_list("pk", "name"))
    sources = dict(LeadSource.objects.values_list("pk", "name"))
    kinds = {value: str(label) for value, label in ClientKind.choices}
    largest = max(counts) or 1
    return CompletenessSummary(
        total=total,
        average=_average(score_sum, total),
        below=below,
        buckets=[
            Bucket(low=low, high=high, count=count, share=round(100 * count / largest))
            for (low, high), count in zip(BUCKETS, counts, strict=True)
        ],
        by_manager=dimensions["owner_id"].averages(owners, ""),
        by_industry=dimensions["industry_id"].averages(industries, _("Отрасль не указана")),
        by_source=dimensions["source_id"].averages(sources, _("Источник не указан")),
        by_kind=dimensions["kind"].averages(kinds, "", by_label=False),
    )


def clients_below(*, user: Any, threshold: int) -> models.QuerySet[Client]:
    """Cards under `threshold`, least complete first (paginate it). Ordered by score and id, so
    the (status, completeness) index serves the order without sorting the set."""
    return (
        completeness_base(user)
        .filter(completeness__lt=threshold)
        .select_related("owner")
        .order_by("completeness", "id")
    )

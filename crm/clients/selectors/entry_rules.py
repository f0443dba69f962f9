"""Entry rules as the higher apps use them: which required fields a card lacks at a point, and
the guard that refuses an action with a message naming the fields.

    entry_rule_violations(client, EntryPoint.FIRST_INVOICE)  # ["ИНН", "КПП"]
    ensure_entry_rules(client, EntryPoint.FIRST_INVOICE)     # raises ValidationError

Sales calls `ensure_entry_rules(client, "first_deal")` before creating the first deal of a
client, billing `ensure_entry_rules(client, "first_invoice")` before the first invoice."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.clients.domain.completeness import ClientFacts
from crm.clients.domain.entry_rules import field_label, missing_fields
from crm.clients.models import Client, EntryPoint, EntryRule
from crm.clients.selectors.completeness import client_facts

# The points a card marked "to complete" must meet before the mark is taken off.
COMPLETION_POINTS = (EntryPoint.CREATION, EntryPoint.FIRST_DEAL)

ENTRY_RULE_MESSAGES = {
    EntryPoint.CREATION: gettext_lazy("Чтобы создать клиента, заполните: %(fields)s"),
    EntryPoint.FIRST_DEAL: gettext_lazy("Чтобы создать сделку, заполните у клиента: %(fields)s"),
    EntryPoint.FIRST_INVOICE: gettext_lazy("Чтобы выставить счёт, заполните у клиента: %(fields)s"),
}
VIOLATION_HEADINGS = {
    EntryPoint.CREATION: gettext_lazy("При создании не хватает"),
    EntryPoint.FIRST_DEAL: gettext_lazy("Перед первой сделкой не хватает"),
    EntryPoint.FIRST_INVOICE: gettext_lazy("Перед первым счётом не хватает"),
}
ERROR_UNKNOWN_POINT = gettext_lazy(
    "Неизвестный момент проверки «%(point)s»: допустимы creation, first_deal, first_invoice"
)


def _check_point(point: str) -> EntryPoint:
    if point not in EntryPoint.values:
        raise ValidationError({"point": [ERROR_UNKNOWN_POINT % {"point": point}]})
    return EntryPoint(point)


def entry_rules_by_point(kind: str) -> dict[str, list[str]]:
    """{point: [field codes]} required of a card of `kind` (one query)."""
    rules: dict[str, list[str]] = {point: [] for point in EntryPoint.values}
    for point, field in EntryRule.objects.filter(client_kind=kind).values_list("point", "field"):
        rules[point].append(field)
    return rules


def entry_rule_missing(
    client: Client, point: str, *, facts: ClientFacts | None = None
) -> list[str]:
    """Codes of the fields `client` lacks at `point`."""
    point = _check_point(point)
    facts = facts or client_facts(client)
    required = EntryRule.objects.filter(client_kind=client.kind, point=point).values_list(
        "field", flat=True
    )
    return missing_fields(facts, list(required))


def field_labels(codes: Iterable[str]) -> list[str]:
    return [_(field_label(code)) for code in codes]


def entry_rule_violations(client: Client, point: str) -> list[str]:
    """Russian labels of the fields `client` lacks at `point` ([] when the rules are met)."""
    return field_labels(entry_rule_missing(client, point))


def entry_rule_message(point: str, labels: list[str]) -> str:
    return str(ENTRY_RULE_MESSAGES[EntryPoint(point)]) % {"fields": ", ".join(labels)}


def ensure_entry_rules(client: Client, point: str, *, facts: ClientFacts | None = None) -> None:
    """Raise ValidationError («Чтобы выставить счёт, заполните у клиента: ИНН, КПП») when
    `client` lacks a field required at `point`."""
    labels = field_labels(entry_rule_missing(client, point, facts=facts))
    if labels:
        raise ValidationError(entry_rule_message(point, labels), code="entry_rules")


def entry_rule_report(client: Client, *, facts: ClientFacts | None = None) -> dict[str, list[str]]:
    """{point: [missing codes]} for every point, in two or three queries (the card's panel and
    the needs-completion check)."""
    facts = facts or client_facts(client)
    return {
        point: missing_fields(facts, required)
        for point, required in entry_rules_by_point(client.kind).items()
    }


def meets_completion_rules(report: dict[str, list[str]]) -> bool:
    return not any(report[point] for point in COMPLETION_POINTS)

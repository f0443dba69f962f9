"""The completeness panel of the client card: the score as a progress bar, what is missing,
and the entry rules the card does not meet yet ("Перед первым счётом не хватает: …")."""

from __future__ import annotations

from typing import Any

from django import template

from crm.clients.models import Client, EntryPoint
from crm.clients.selectors.completeness import missing_labels
from crm.clients.selectors.entry_rules import VIOLATION_HEADINGS, entry_rule_report, field_labels

register = template.Library()


def completeness_color(score: int) -> str:
    if score < 40:
        return "danger"
    if score < 70:
        return "warning"
    return "success"


@register.filter
def completeness_bar(score: int) -> str:
    """Bootstrap colour of a score: red under 40, amber under 70, green from 70."""
    return completeness_color(score or 0)


@register.inclusion_tag("clients/partials/_completeness_panel.html")
def completeness_panel(client: Client) -> dict[str, Any]:
    report = entry_rule_report(client)
    violations = [
        (VIOLATION_HEADINGS[EntryPoint(point)], field_labels(codes))
        for point, codes in report.items()
        if codes
    ]
    return {
        "client": client,
        "color": completeness_color(client.completeness),
        "missing": missing_labels(client.completeness_missing or []),
        "violations": violations,
    }

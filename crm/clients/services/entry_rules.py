"""The administrator's entry rules: the whole matrix (field × client kind × point) is saved at
once, in one transaction, each added or removed rule audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.models import User
from crm.clients.domain.entry_rules import field_applies, field_label
from crm.clients.models import ClientKind, EntryPoint, EntryRule
from crm.core.audit import audit_record
from crm.core.models import AuditAction

Rule = tuple[str, str, str]  # (client kind, point, field code)

ERROR_RULE = gettext_noop("Правило «%(field)s» для «%(kind)s» не применяется")


def _rule_snapshot(rule: EntryRule) -> dict[str, str]:
    return {
        "client_kind": str(ClientKind(rule.client_kind).label),
        "point": str(EntryPoint(rule.point).label),
        "field": _(field_label(rule.field)),
    }


@transaction.atomic
def entry_rules_save(*, by: User, rules: Iterable[Rule]) -> tuple[int, int]:
    """Make the set of entry rules exactly `rules`. A field that does not apply to a kind (КПП
    of an entrepreneur, ОГРН of a person) or an unknown code or point is refused with
    ValidationError and nothing changes. Returns (added, removed)."""
    wanted = set(rules)
    errors = []
    for kind, point, code in sorted(wanted):
        if kind not in ClientKind.values or point not in EntryPoint.values:
            raise ValueError(f"Unknown client kind or point: {kind}, {point}")
        if not field_applies(code, kind):
            errors.append(
                _(ERROR_RULE) % {"field": _(field_label(code)), "kind": str(ClientKind(kind).label)}
            )
    if errors:
        raise ValidationError(errors)
    existing = {
        (rule.client_kind, rule.point, rule.field): rule
        for rule in EntryRule.objects.select_for_update()
    }
    removed = [rule for key, rule in existing.items() if key not in wanted]
    added = [
        EntryRule(client_kind=kind, point=point, field=code)
        for kind, point, code in sorted(wanted - set(existing))
    ]
    for rule in removed:
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            instance=rule,
            before=_rule_snapshot(rule),
            comment=_("Правило ввода снято"),
        )
        rule.delete()
    for rule in added:
        rule.save()
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            instance=rule,
            after=_rule_snapshot(rule),
            comment=_("Правило ввода добавлено"),
        )
    return len(added), len(removed)

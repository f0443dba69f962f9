"""What a handover (передача дел) moves, part by part.

A handover moves a set of one employee's clients to another employee (and/or department).
Each app adds what it owns about those clients as a part, in its AppConfig.ready:

    from crm.activities.handover_registry import register_handover_part

    register_handover_part(
        "deals",
        _("Открытые сделки"),
        preview=lambda client_ids, from_user: …,                   # how many would move
        apply=lambda client_ids, from_user, to_user, to_department, by: …,  # move; how many
        order=40,
    )

`activities` registers the clients themselves, their open activities and pending reminders;
`sales` and `billing`, which sit above `activities`, register deals and contracts the same way,
so `activities` never imports them. `apply` runs inside the handover's transaction: it should
update in bulk, write its own audit rows (crm.core.audit.audit_records_bulk, with
`handover_comment(...)`), and raise ValidationError to stop the whole handover.

`client_ids` may be long (a manager's whole base): chunk `pk__in` filters (`chunks(...)`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

CHUNK = 500

Preview = Callable[[Sequence[int], Any], int]
Apply = Callable[[Sequence[int], Any, Any, Any, Any], int]


@dataclass(frozen=True)
class HandoverPart:
    code: str
    title: str | Promise
    preview: Preview  # (client_ids, from_user) → how many rows would move
    apply: Apply  # (client_ids, from_user, to_user, to_department, by) → how many moved
    order: int = 100


_parts: dict[str, HandoverPart] = {}


def register_handover_part(
    code: str,
    title: str | Promise,
    preview: Preview,
    apply: Apply,
    *,
    order: int = 100,
) -> None:
    _parts[code] = HandoverPart(code=code, title=title, preview=preview, apply=apply, order=order)


def handover_parts() -> list[HandoverPart]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.code))


def handover_part(code: str) -> HandoverPart | None:
    return _parts.get(code)


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def handover_comment(from_user: Any, to_user: Any) -> str:
    """The comment of every audit row a handover writes."""
    return _("Передача дел: %(from)s → %(to)s") % {
        "from": getattr(from_user, "short_name", from_user),
        "to": getattr(to_user, "short_name", to_user),
    }

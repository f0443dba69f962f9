"""The deals part of a handover (crm.activities.handover_registry): the open deals of the handed
over clients where the employee is the manager move to the new one (and department)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crm.accounts.models import Department, User
from crm.activities.handover_registry import chunks, handover_comment, register_handover_part
from crm.core.audit import audit_records_bulk
from crm.core.models import AuditAction
from crm.sales.models import Deal, DealStatus


def _open_deals(chunk: Sequence[int], from_user: Any) -> models.QuerySet[Deal]:
    return Deal.objects.filter(client_id__in=chunk, manager=from_user, status=DealStatus.OPEN)


def deals_preview(client_ids: Sequence[int], from_user: Any) -> int:
    return sum(_open_deals(chunk, from_user).count() for chunk in chunks(client_ids))


def deals_apply(
    client_ids: Sequence[int],
    from_user: User,
    to_user: User,
    to_department: Department | None,
    by: User,
) -> int:
    department_id = to_department.pk if to_department is not None else to_user.department_id
    names = {department.pk: str(department) for department in Department.objects.all().only("name")}
    now = timezone.now()
    moved = 0
    for chunk in chunks(client_ids):
        rows = list(
            _open_deals(chunk, from_user)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "number", "title", "department_id")
        )
        if not rows:
            continue
        ids = [row[0] for row in rows]
        Deal.objects.filter(pk__in=ids).update(
            manager=to_user, department_id=department_id, updated_at=now
        )
        audit_records_bulk(
            actor=by,
            action=AuditAction.UPDATE,
            rows=[
                (
                    Deal(pk=pk, number=number, title=title),
                    {"manager": str(from_user), "department": names.get(old_department)},
                    {"manager": str(to_user), "department": names.get(department_id or 0)},
                )
                for pk, number, title, old_department in rows
            ],
            comment=handover_comment(from_user, to_user),
        )
        moved += len(rows)
    return moved


def register_deal_handover() -> None:
    register_handover_part(
        "deals", gettext_lazy("Открытые сделки"), deals_preview, deals_apply, order=40
    )

"""Handover (передача дел) for good: a chosen employee's clients — all of them, those of a client
list filter, or an explicit list — move to another employee (and/or department) with their open
activities and pending reminders, and with whatever the higher apps registered (deals,
contracts: crm.activities.handover_registry).

Preview first: how many rows of each part would move. Then apply: one transaction; bulk
UPDATEs a chunk of ids at a time; an audit row per client and per activity (one INSERT per
chunk), a Handover row with the counts; both employees are notified.

Who may: a head of sales within their own department (from, to and the target department),
an administrator anywhere. An employee who has left (deactivated) may be handed over from,
never to."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.access import can_administer, user_scope, visible_to
from crm.accounts.models import Department, User
from crm.accounts.roles import Area, Scope
from crm.activities.handover_registry import (
    chunks,
    handover_comment,
    handover_parts,
    register_handover_part,
)
from crm.activities.models import Activity, ActivityStatus, Handover, Reminder, ReminderStatus
from crm.clients.models import Client, ClientStatus
from crm.clients.selectors import ClientFilter, client_list
from crm.core.audit import audit_record, audit_records_bulk
from crm.core.models import AuditAction
from crm.core.services import notification_create

MAX_EXPLICIT_IDS = 20_000

ERROR_NO_RIGHT = gettext_lazy(
    "Передавать дела могут руководитель отдела (в своём отделе) и администратор"
)
ERROR_FROM_USER = gettext_lazy("Выберите сотрудника, чьи дела передаются, из доступных вам")
ERROR_TO_USER = gettext_lazy("Выберите работающего сотрудника из доступных вам")
ERROR_SAME_USER = gettext_lazy("Дела передаются другому сотруднику — выберите не того же")
ERROR_TO_DEPARTMENT = gettext_lazy("Выберите действующий отдел из доступных вам")
ERROR_NO_CLIENTS = gettext_lazy("Нет клиентов для передачи: у сотрудника нет таких клиентов")
ERROR_TOO_MANY_IDS = gettext_lazy("За один раз можно передать не больше 20 000 отмеченных клиентов")
ERROR_COMMENT_LONG = gettext_lazy("Комментарий — не длиннее 500 символов")


# --- who may ----------------------------------------------------------------------------------


def handover_allowed(user: Any) -> bool:
    return can_administer(user) or (
        user_scope(user, Area.SALES) == Scope.DEPARTMENT and bool(user.department_id)
    )


def handover_from_choices(by: Any) -> models.QuerySet[User]:
    """Whose work `by` may hand over: their department's employees (those who left too) for a
    head, everyone for an administrator."""
    users = User.objects.select_related("department").order_by(
        "-is_active", "last_name", "first_name"
    )
    if can_administer(by):
        return users
    if handover_allowed(by):
        return users.filter(department_id=by.department_id)
    return users.none()


def handover_to_choices(by: Any) -> models.QuerySet[User]:
    return handover_from_choices(by).filter(is_active=True)


def handover_department_choices(by: Any) -> models.QuerySet[Department]:
    departments = Department.objects.filter(is_active=True).order_by("name")
    if can_administer(by):
        return departments
    if handover_allowed(by):
        return departments.filter(pk=by.department_id)
    return departments.none()


def _check(
    *, by: Any, from_user: Any, to_user: Any = None, to_department: Any = None, preview: bool
) -> None:
    if not handover_allowed(by):
        raise PermissionDenied(ERROR_NO_RIGHT)
    errors: dict[str, list[Any]] = {}
    if from_user is None or not handover_from_choices(by).filter(pk=from_user.pk).exists():
        errors["from_user"] = [ERROR_FROM_USER]
    if not preview:
        if to_user is None or not handover_to_choices(by).filter(pk=to_user.pk).exists():
            errors["to_user"] = [ERROR_TO_USER]
        elif from_user is not None and to_user.pk == from_user.pk:
            errors["to_user"] = [ERROR_SAME_USER]
        if (
            to_department is not None
            and not handover_department_choices(by).filter(pk=to_department.pk).exists()
        ):
            errors["to_department"] = [ERROR_TO_DEPARTMENT]
    if errors:
        raise ValidationError(errors)


# --- which clients -------------------------------------------------------------------------


def handover_client_ids(
    *,
    by: Any,
    from_user: User,
    client_ids: Sequence[Any] | None = None,
    filters: ClientFilter | None = None,
) -> list[int]:
    """The clients that move: `from_user`'s (never merged cards), limited to what `by` sees —
    the explicit `client_ids`, else those matching `filters` (the client list's filters, the
    owner forced to `from_user`), else all of them."""
    if client_ids is not None:
        wanted = sorted({int(pk) for pk in client_ids if str(pk).strip().isdigit()})
        if len(wanted) > MAX_EXPLICIT_IDS:
            raise ValidationError({"client_ids": [ERROR_TOO_MANY_IDS]})
        found: list[int] = []
        for chunk in chunks(wanted):
            found.extend(
                visible_to(by, Client.objects.filter(pk__in=chunk, owner=from_user))
                .exclude(status=ClientStatus.MERGED)
                .values_list("pk", flat=True)
            )
        return sorted(found)
    if filters is not None:
        clients = client_list(user=by, filters=dataclasses.replace(filters, owner_id=from_user.pk))
    else:
        clients = visible_to(by, Client.objects.filter(owner=from_user))
    ids = clients.exclude(status=ClientStatus.MERGED).order_by().values_list("pk", flat=True)
    return sorted(ids)


# --- the parts activities owns -----------------------------------------------------------------


def _department_of(to_user: User, to_department: Department | None) -> int | None:
    return to_department.pk if to_department is not None else to_user.department_id


def _names(model: type[models.Model], ids: set[int]) -> dict[int, str]:
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}


def clients_preview(client_ids: Sequence[int], from_user: User) -> int:
    return sum(
        Client.objects.filter(pk__in=chunk, owner=from_user).count() for chunk in chunks(client_ids)
    )


def clients_apply(
    client_ids: Sequence[int],
    from_user: User,
    to_user: User,
    to_department: Department | None,
    by: User,
) -> int:
    department_id = _department_of(to_user, to_department)
    now = timezone.now()
    moved = 0
    for chunk in chunks(client_ids):
        rows = list(
            Client.objects.select_for_update()
            .filter(pk__in=chunk, owner=from_user)
            .order_by("pk")
            .values_list("pk", "name", "department_id")
        )
        if not rows:
            continue
        departments = _names(Department, {row[2] for row in rows if row[2]} | {department_id or 0})
        Client.objects.filter(pk__in=[row[0] for row in rows]).update(
            owner=to_user, department_id=department_id, updated_at=now
        )
        audit_records_bulk(
            actor=by,
            action=AuditAction.UPDATE,
            rows=[
                (
                    Client(pk=pk, name=name),
                    {"owner": str(from_user), "department": departments.get(old_department)},
                    {"owner": str(to_user), "department": departments.get(department_id or 0)},
                )
                for pk, name, old_department in rows
            ],
            comment=handover_comment(from_user, to_user),
        )
        moved += len(rows)
    return moved


def _open_activities(chunk: Sequence[int], from_user: User) -> models.QuerySet[Activity]:
    return Activity.objects.filter(
        client_id__in=chunk, responsible=from_user, status=ActivityStatus.PLANNED
    )


def activities_preview(client_ids: Sequence[int], from_user: User) -> int:
    return sum(_open_activities(chunk, from_user).count() for chunk in chunks(client_ids))


def activities_apply(
    client_ids: Sequence[int],
    from_user: User,
    to_user: User,
    to_department: Department | None,
    by: User,
) -> int:
    department_id = _department_of(to_user, to_department)
    now = timezone.now()
    moved = 0
    for chunk in chunks(client_ids):
        rows = list(
            _open_activities(chunk, from_user)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "subject", "department_id")
        )
        if not rows:
            continue
        departments = _names(Department, {row[2] for row in rows if row[2]} | {department_id or 0})
        ids = [row[0] for row in rows]
        for part in chunks(ids):
            Activity.objects.filter(pk__in=part).update(
                responsible=to_user, department_id=department_id, updated_at=now
            )
        audit_records_bulk(
            actor=by,
            action=AuditAction.UPDATE,
            rows=[
                (
                    Activity(pk=pk, subject=subject),
                    {
                        "responsible": str(from_user),
                        "department": departments.get(old_department),
                    },
                    {
                        "responsible": str(to_user),
                        "department": departments.get(department_id or 0),
                    },
                )
                for pk, subject, old_department in rows
            ],
            comment=handover_comment(from_user, to_user),
        )
        moved += len(rows)
    return moved


def _pending_reminders(chunk: Sequence[int], from_user: User) -> models.QuerySet[Reminder]:
    return Reminder.objects.filter(
        activity__client_id__in=chunk,
        activity__status=ActivityStatus.PLANNED,
        user=from_user,
        status=ReminderStatus.PENDING,
    )


def reminders_preview(client_ids: Sequence[int], from_user: User) -> int:
    return sum(_pending_reminders(chunk, from_user).count() for chunk in chunks(client_ids))


def reminders_apply(
    client_ids: Sequence[int],
    from_user: User,
    to_user: User,
    to_department: Department | None,
    by: User,
) -> int:
    moved = 0
    for chunk in chunks(client_ids):
        ids = list(_pending_reminders(chunk, from_user).values_list("pk", flat=True))
        for part in chunks(ids):
            moved += Reminder.objects.filter(
                pk__in=part, user=from_user, status=ReminderStatus.PENDING
            ).update(user=to_user)
    return moved


def register_parts() -> None:
    register_handover_part(
        "clients", gettext_lazy("Клиенты"), clients_preview, clients_apply, order=10
    )
    register_handover_part(
        "activities",
        gettext_lazy("Открытые события"),
        activities_preview,
        activities_apply,
        order=20,
    )
    register_handover_part(
        "reminders",
        gettext_lazy("Напоминания"),
        reminders_preview,
        reminders_apply,
        order=30,
    )


# --- preview and apply ------------------------------------------------------------------------


@dataclass(frozen=True)
class PartCount:
    code: str
    title: str | Promise
    count: int


@dataclass(frozen=True)
class HandoverPreview:
    client_ids: list[int]
    parts: list[PartCount]

    def counts(self) -> dict[str, int]:
        return {part.code: part.count for part in self.parts}


def handover_preview(
    *,
    by: User,
    from_user: User | None,
    client_ids: Sequence[Any] | None = None,
    filters: ClientFilter | None = None,
) -> HandoverPreview:
    """What a handover of these clients would move, part by part (nothing changes)."""
    _check(by=by, from_user=from_user, preview=True)
    assert from_user is not None
    ids = handover_client_ids(by=by, from_user=from_user, client_ids=client_ids, filters=filters)
    parts = [
        PartCount(part.code, part.title, part.preview(ids, from_user) if ids else 0)
        for part in handover_parts()
    ]
    return HandoverPreview(client_ids=ids, parts=parts)


def part_titles() -> dict[str, str | Promise]:
    return {part.code: part.title for part in handover_parts()}


def summary_text(moved: dict[str, int]) -> str:
    """«Клиенты: 12; Открытые события: 40; Напоминания: 7»."""
    titles = part_titles()
    return "; ".join(f"{titles.get(code, code)}: {count}" for code, count in moved.items())


@transaction.atomic
def handover_apply(
    *,
    by: User,
    from_user: User | None,
    to_user: User | None,
    to_department: Department | None = None,
    client_ids: Sequence[Any] | None = None,
    filters: ClientFilter | None = None,
    comment: str = "",
) -> Handover:
    """Move the clients and everything registered with them, in one transaction."""
    _check(by=by, from_user=from_user, to_user=to_user, to_department=to_department, preview=False)
    assert from_user is not None and to_user is not None
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": [ERROR_COMMENT_LONG]})
    ids = handover_client_ids(by=by, from_user=from_user, client_ids=client_ids, filters=filters)
    if not ids:
        raise ValidationError({"client_ids": [ERROR_NO_CLIENTS]})
    handover = Handover.objects.create(
        from_user=from_user,
        to_user=to_user,
        to_department=to_department,
        client_ids=ids,
        comment=comment,
        by=by,
    )
    moved = {
        part.code: part.apply(ids, from_user, to_user, to_department, by)
        for part in handover_parts()
    }
    handover.moved = moved
    handover.save(update_fields=["moved"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=handover,
        after={
            "from_user": str(from_user),
            "to_user": str(to_user),
            "to_department": str(to_department) if to_department else None,
            "moved": moved,
            "comment": comment,
        },
    )
    _notify(handover, summary=summary_text(moved))
    return handover


def _notify(handover: Handover, *, summary: str) -> None:
    url = reverse("activities:handover_detail", args=[handover.pk])
    from_user, to_user = handover.from_user, handover.to_user
    body = summary + (f"\n{handover.comment}" if handover.comment else "")
    if to_user.is_active:
        notification_create(
            user=to_user,
            title=_("Вам переданы дела сотрудника %(name)s") % {"name": from_user.short_name},
            body=body,
            url=url,
        )
    if from_user.is_active:
        notification_create(
            user=from_user,
            title=_("Ваши дела переданы сотруднику %(name)s") % {"name": to_user.short_name},
            body=body,
            url=url,
        )

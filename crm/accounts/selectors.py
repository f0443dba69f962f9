"""Reads on users, departments and absences."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import models

from crm.accounts.models import Absence, Department, User
from crm.accounts.roles import Role


def user_list(
    *, query: str = "", department_id: int | None = None, role: str = "", active: bool | None = None
) -> models.QuerySet[User]:
    users = User.objects.select_related("department").prefetch_related("groups")
    if query:
        users = users.filter(
            models.Q(username__icontains=query)
            | models.Q(last_name__icontains=query)
            | models.Q(first_name__icontains=query)
            | models.Q(email__icontains=query)
        )
    if department_id:
        users = users.filter(department_id=department_id)
    if role in Role.__members__.values():
        users = users.filter(groups__name=role)
    if active is not None:
        users = users.filter(is_active=active)
    return users


def department_list() -> models.QuerySet[Department]:
    return Department.objects.select_related("head").annotate(
        member_count=models.Count("members", filter=models.Q(members__is_active=True))
    )


def role_groups() -> list[tuple[Role, Group]]:
    groups = {
        group.name: group
        for group in Group.objects.filter(name__in=[r.value for r in Role]).prefetch_related(
            "permissions__content_type"
        )
    }
    return [(role, groups[role.value]) for role in Role if role.value in groups]


def colleagues_visible_to(user: Any) -> models.QuerySet[User]:
    """Employees whose work `user` may look at: self; the department for a head; everyone for
    an accountant or administrator."""
    from crm.accounts.access import user_scope
    from crm.accounts.roles import Area, Scope

    scope = user_scope(user, Area.SALES)
    users = User.objects.filter(is_active=True).select_related("department")
    if scope == Scope.ALL:
        return users
    if scope == Scope.DEPARTMENT and user.department_id:
        return users.filter(models.Q(department_id=user.department_id) | models.Q(pk=user.pk))
    return users.filter(pk=user.pk)


def absence_list(*, user: Any, current_only: bool = True) -> models.QuerySet[Absence]:
    """Absences `user` may look at: every one for an administrator, the department's for a
    head, else their own and those where they stand in. `current_only`: in force or to come."""
    from django.utils import timezone

    from crm.accounts.access import can_administer, user_scope
    from crm.accounts.roles import Area, Scope

    absences = Absence.objects.select_related(
        "user", "substitute", "created_by", "user__department"
    ).order_by("date_from", "id")
    if current_only:
        absences = absences.filter(date_to__gte=timezone.localdate())
    if can_administer(user):
        return absences
    mine = models.Q(user=user) | models.Q(substitute=user)
    if user_scope(user, Area.SALES) == Scope.DEPARTMENT and user.department_id:
        mine |= models.Q(user__department_id=user.department_id)
    return absences.filter(mine)

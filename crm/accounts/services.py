"""Writes on users, departments, roles and absences (substitution). Every change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from crm.accounts.models import Absence, Department, User
from crm.accounts.roles import Role
from crm.core.audit import audit_record, snapshot, stored_snapshot
from crm.core.models import AuditAction

USER_AUDIT_FIELDS = (
    "username",
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "position",
    "phone",
    "department",
    "is_active",
    "time_zone",
    "language",
    "email_signature",
)
PROFILE_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "email",
    "position",
    "phone",
    "email_signature",
    "time_zone",
    "language",
)
DEPARTMENT_AUDIT_FIELDS = ("name", "head", "is_active")


def _user_snapshot(user: User | None) -> dict[str, Any]:
    """The audited fields plus the role by its name (not the group's code)."""
    if user is None:
        return {}
    user.__dict__.pop("role", None)
    return {**snapshot(user, USER_AUDIT_FIELDS), "role": user.role_label}


def _set_role(user: User, role: Role | None) -> None:
    role_groups = Group.objects.filter(name__in=[r.value for r in Role])
    user.groups.remove(*role_groups)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("role", None)


@transaction.atomic
def user_create(
    *, by: Any, username: str, password: str | None, role: Role | None, **fields: Any
) -> User:
    user = User(username=username, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _set_role(user, role)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=user,
        after=_user_snapshot(user),
    )
    return user


KEEP_ROLE: Any = object()


@transaction.atomic
def user_update(*, by: Any, user: User, role: Role | None = KEEP_ROLE, **fields: Any) -> User:
    """Change a user's card and, when `role` is given (None: no role), the role.
    Deactivating ends the user's sessions at once."""
    before = _user_snapshot(User.objects.filter(pk=user.pk).first())
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    if role is not KEEP_ROLE:
        _set_role(user, role)
    if before["is_active"] and not user.is_active:
        _end_sessions(user)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=user,
        before=before,
        after=_user_snapshot(user),
    )
    return user


@transaction.atomic
def profile_update(*, user: User, **fields: Any) -> User:
    """The user's own settings: only the profile fields, never role or department."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    before = stored_snapshot(user, PROFILE_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        instance=user,
        before=before,
        after=snapshot(user, PROFILE_FIELDS),
    )
    return user


def _end_sessions(user: User) -> None:
    """Django's auth backend already refuses the sessions of an inactive user on their next
    request; API tokens are deleted so they cannot be used again after reactivation."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


@transaction.atomic
def department_save(*, by: Any, department: Department | None, **fields: Any) -> Department:
    creating = department is None
    department = department or Department()
    before = {} if creating else stored_snapshot(department, DEPARTMENT_AUDIT_FIELDS)
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    department.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        instance=department,
        before=before,
        after=snapshot(department, DEPARTMENT_AUDIT_FIELDS),
    )
    return department


@transaction.atomic
def role_set_permissions(*, by: Any, role: Role, permissions: list[Permission]) -> Group:
    group = Group.objects.get(name=role.value)
    before = {"permissions": sorted(p.codename for p in group.permissions.all())}
    group.permissions.set(permissions)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=group,
        before=before,
        after={"permissions": sorted(p.codename for p in permissions)},
    )
    return group


# Absences ------------------------------------------------------------------------------------

ABSENCE_AUDIT_FIELDS = ("user", "substitute", "date_from", "date_to", "reason")
ERROR_ABSENCE_USER = gettext_lazy("Отмечать отсутствие этого сотрудника вы не можете")
ERROR_ABSENCE_SELF = gettext_lazy("Сотрудник не может замещать сам себя")
ERROR_ABSENCE_SUBSTITUTE = gettext_lazy(
    "Выберите работающего сотрудника, который может замещать отсутствующего"
)
ERROR_ABSENCE_DATES = gettext_lazy("Дата окончания не может быть раньше даты начала")
ERROR_ABSENCE_PAST = gettext_lazy("Отсутствие не может закончиться в прошлом")
ERROR_ABSENCE_OVERLAP = gettext_lazy("На эти даты у сотрудника уже отмечено отсутствие")
ERROR_ABSENCE_SUBSTITUTE_AWAY = gettext_lazy("Замещающий сам отсутствует в эти дни")
ERROR_ABSENCE_USER_SUBSTITUTES = gettext_lazy(
    "В эти дни сотрудник сам замещает коллегу — сначала назначьте тому другого замещающего"
)
ERROR_ABSENCE_OVER = gettext_lazy("Отсутствие уже закончилось — отменять нечего")
ERROR_ABSENCE_REASON_LONG = gettext_lazy("Причина — не длиннее 200 символов")


def absence_can_manage(by: Any, user: Any) -> bool:
    """The employee themself, the head of their department, an administrator."""
    from crm.accounts.access import can_administer, user_scope
    from crm.accounts.roles import Area, Scope

    if not getattr(by, "is_authenticated", False) or not by.is_active:
        return False
    if by.pk == user.pk or can_administer(by):
        return True
    return bool(
        user_scope(by, Area.SALES) == Scope.DEPARTMENT
        and by.department_id
        and user.department_id == by.department_id
    )


def absence_substitutes(*, by: Any, user: Any) -> models.QuerySet[User]:
    """Who may stand in for `user` when `by` records the absence: any working employee for an
    administrator, else a working colleague of `user`'s department."""
    from crm.accounts.access import can_administer

    users = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if can_administer(by):
        return users
    if not user.department_id:
        return users.none()
    return users.filter(department_id=user.department_id)


def _overlapping(date_from: dt.date, date_to: dt.date) -> models.Q:
    return models.Q(date_from__lte=date_to, date_to__gte=date_from)


@transaction.atomic
def absence_create(
    *,
    by: Any,
    user: User,
    substitute: User | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    reason: str = "",
) -> Absence:
    """Record that `user` is away from `date_from` to `date_to` (inclusive) and `substitute`
    handles their work meanwhile. Nothing is moved: the substitution ends by itself."""
    if not absence_can_manage(by, user):
        raise ValidationError({"user": [ERROR_ABSENCE_USER]})
    errors: dict[str, list[Any]] = {}
    if substitute is None or substitute.pk == user.pk:
        errors["substitute"] = [ERROR_ABSENCE_SELF if substitute else ERROR_ABSENCE_SUBSTITUTE]
    elif not absence_substitutes(by=by, user=user).filter(pk=substitute.pk).exists():
        errors["substitute"] = [ERROR_ABSENCE_SUBSTITUTE]
    if date_from is None:
        errors["date_from"] = [gettext_lazy("Укажите дату начала")]
    if date_to is None:
        errors["date_to"] = [gettext_lazy("Укажите дату окончания")]
    elif date_from is not None and date_to < date_from:
        errors["date_to"] = [ERROR_ABSENCE_DATES]
    elif date_to < timezone.localdate():
        errors["date_to"] = [ERROR_ABSENCE_PAST]
    reason = (reason or "").strip()
    if len(reason) > 200:
        errors["reason"] = [ERROR_ABSENCE_REASON_LONG]
    if not errors:
        assert date_from is not None and date_to is not None and substitute is not None
        period = _overlapping(date_from, date_to)
        if Absence.objects.filter(period, user=user).exists():
            errors["date_from"] = [ERROR_ABSENCE_OVERLAP]
        if Absence.objects.filter(period, user=substitute).exists():
            errors["substitute"] = [ERROR_ABSENCE_SUBSTITUTE_AWAY]
        if Absence.objects.filter(period, substitute=user).exists():
            errors["user"] = [ERROR_ABSENCE_USER_SUBSTITUTES]
    if errors:
        raise ValidationError(errors)
    assert date_from is not None and date_to is not None and substitute is not None
    absence = Absence.objects.create(
        user=user,
        substitute=substitute,
        date_from=date_from,
        date_to=date_to,
        reason=reason,
        created_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=absence,
        after=snapshot(absence, ABSENCE_AUDIT_FIELDS),
    )
    return absence


@transaction.atomic
def absence_cancel(*, by: Any, absence: Absence) -> Absence | None:
    """Cancel an absence: one that has not started is deleted (None is returned); one in
    force ends yesterday, so from today the employee's work is theirs again (when it started
    today it is deleted too)."""
    absence = (
        Absence.objects.select_for_update().select_related("user", "substitute").get(pk=absence.pk)
    )
    if not absence_can_manage(by, absence.user):
        raise PermissionDenied(ERROR_ABSENCE_USER)
    today = timezone.localdate()
    if absence.date_to < today:
        raise ValidationError({"date_to": [ERROR_ABSENCE_OVER]})
    before = snapshot(absence, ABSENCE_AUDIT_FIELDS)
    if absence.date_from >= today:
        audit_record(actor=by, action=AuditAction.DELETE, instance=absence, before=before)
        absence.delete()
        return None
    absence.date_to = today - dt.timedelta(days=1)
    absence.save(update_fields=["date_to", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=absence,
        before=before,
        after=snapshot(absence, ABSENCE_AUDIT_FIELDS),
        comment=str(gettext_lazy("Отсутствие отменено")),
    )
    return absence

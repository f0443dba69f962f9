"""Writes on users, departments and roles. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from crm.accounts.models import Department, User
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

"""Who sees which rows: the one mechanism every app uses.

A model that holds scoped data declares three class attributes:

    access_area = Area.SALES              # which row of ROLE_SCOPES applies
    access_owner_fields = ("owner", "co_executors")  # FK or M2M to the user: "own" rows
    access_department_field = "department"           # FK to Department: "department" rows

`visible_to(user, queryset)` narrows any queryset of such a model; `access_object(user,
queryset, pk)` opens one row or raises Http404 — a manager who guesses another's id gets the
same answer as for an id that does not exist. Per-entity helpers (`access_client`, …) in the
apps call these two."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone

from crm.accounts.roles import OFF_BOOK_PERMISSION, ROLE_SCOPES, Area, Scope

M = TypeVar("M", bound=models.Model)


class ScopedModel(Protocol):
    access_area: Area
    access_owner_fields: tuple[str, ...]
    access_department_field: str | None


def user_scope(user: Any, area: Area) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.NONE
    if user.role is None:
        return Scope.NONE
    return ROLE_SCOPES[user.role][area]


def can_see_off_book(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(OFF_BOOK_PERMISSION))


def acting_for(user: Any) -> list[int]:
    """The user and everyone the user substitutes today (an Absence in force). Cached on the
    user object for the request."""
    cached = getattr(user, "_acting_for", None)
    if cached is None:
        from crm.accounts.models import Absence

        today = timezone.localdate()
        absent = Absence.objects.filter(
            substitute_id=user.pk, date_from__lte=today, date_to__gte=today
        ).values_list("user_id", flat=True)
        cached = [user.pk, *absent]
        user._acting_for = cached
    return list(cached)


def _own_condition(model: type[models.Model], user: Any) -> models.Q:
    condition = models.Q(pk__in=[])
    people = acting_for(user)
    for name in getattr(model, "access_owner_fields", ()):
        field = model._meta.get_field(name)
        if field.many_to_many:
            condition |= models.Q(
                pk__in=model._default_manager.filter(**{f"{name}__in": people}).values("pk")
            )
        elif len(people) == 1:
            condition |= models.Q(**{name: user})
        else:
            condition |= models.Q(**{f"{name}_id__in": people})
    return condition


def scope_condition(user: Any, model: type[models.Model]) -> models.Q | None:
    """The WHERE condition for `user` on `model`; None means every row."""
    scope = user_scope(user, model.access_area)  # type: ignore[attr-defined]
    if scope == Scope.ALL:
        return None
    if scope == Scope.NONE:
        return models.Q(pk__in=[])
    own = _own_condition(model, user)
    department_field = getattr(model, "access_department_field", None)
    if scope == Scope.DEPARTMENT and department_field and user.department_id:
        return own | models.Q(**{f"{department_field}_id": user.department_id})
    return own


def visible_to(user: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    condition = scope_condition(user, queryset.model)
    return queryset if condition is None else queryset.filter(condition)


def access_object(user: Any, queryset: models.QuerySet[M], pk: Any) -> M:
    """The row `pk` if `user` may see it, else Http404 (never 403: no hint it exists)."""
    try:
        return visible_to(user, queryset).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def can_administer(user: Any) -> bool:
    return user_scope(user, Area.ADMIN) == Scope.ALL


def access_for_administrators(model: type[models.Model]) -> Callable[[Any, str], models.Model]:
    """An access check for rows only administrators see (settings: users, departments,
    pipelines…), as `crm.core.registry.register_history` takes it: 403 for anyone else, 404
    for an unknown id."""

    def access(user: Any, object_id: str) -> models.Model:
        if not can_administer(user):
            raise PermissionDenied
        try:
            return model._default_manager.get(pk=object_id)
        except (ObjectDoesNotExist, ValueError) as error:
            raise Http404 from error

    return access

"""What accounts adds to the shell: history of users and departments (administrators only)
and colleagues in the global search."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import access_for_administrators, can_administer
from crm.accounts.models import Department, User
from crm.core.registry import SearchHit, register_history, register_search


def search_colleagues(user: Any, query: str, limit: int) -> list[SearchHit]:
    from django.urls import reverse

    from crm.accounts.selectors import colleagues_visible_to

    found = colleagues_visible_to(user).filter(
        models.Q(last_name__icontains=query)
        | models.Q(first_name__icontains=query)
        | models.Q(email__icontains=query)
    )[:limit]
    admin = can_administer(user)
    return [
        SearchHit(
            title=colleague.full_name,
            subtitle=" · ".join(
                part for part in (colleague.position, str(colleague.department or "")) if part
            ),
            url=reverse("accounts:user_edit", args=[colleague.pk]) if admin else "",
            kind=_("Сотрудник"),
        )
        for colleague in found
    ]


def register() -> None:
    from crm.core.registry import SettingsTab, register_settings_tab

    register_settings_tab(
        SettingsTab(
            _("Пользователи"),
            "accounts:user_list",
            ("accounts:user_list", "accounts:user_create", "accounts:user_edit"),
            order=10,
        )
    )
    register_settings_tab(
        SettingsTab(
            _("Отделы"),
            "accounts:department_list",
            (
                "accounts:department_list",
                "accounts:department_create",
                "accounts:department_edit",
            ),
            order=20,
        )
    )
    register_settings_tab(
        SettingsTab(
            _("Роли и права"),
            "accounts:role_list",
            ("accounts:role_list", "accounts:role_edit"),
            order=30,
        )
    )
    register_history(User, access_for_administrators(User))
    register_history(Department, access_for_administrators(Department))
    register_search(search_colleagues)

"""The four roles of DESIGN.md §1 and what each may see, as data.

A role is a Django group with this code as its name. What a role may *do* is its group's
permissions (set by migration 0002, editable by the administrator); what it may *see* is its
scope per area, below: own (what the user is responsible for or co-assigned to), department, or
all. Everything that lists or opens objects goes through `crm.accounts.access`, which reads
this table, so the rule lives in one place."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    MANAGER = "manager"
    HEAD_OF_SALES = "head_of_sales"
    ACCOUNTANT = "accountant"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {
    Role.MANAGER: _("Менеджер"),
    Role.HEAD_OF_SALES: _("Руководитель отдела продаж"),
    Role.ACCOUNTANT: _("Бухгалтер"),
    Role.ADMINISTRATOR: _("Администратор"),
}

ROLE_DESCRIPTIONS = {
    Role.MANAGER: _(
        "Клиенты, контакты, события, сделки, предложения, счета и договоры — свои и те, "
        "где он соисполнитель."
    ),
    Role.HEAD_OF_SALES: _("Всё по своему отделу, аналитика, передача дел."),
    Role.ACCOUNTANT: _(
        "Договоры, счета, оплаты, акты и реализации, обмен с 1С, сверка — по всей компании."
    ),
    Role.ADMINISTRATOR: _("Пользователи, роли, справочники, воронки, настройки — всё."),
}

# The strongest role wins when a user holds several.
ROLE_ORDER = [Role.ADMINISTRATOR, Role.ACCOUNTANT, Role.HEAD_OF_SALES, Role.MANAGER]


class Scope(StrEnum):
    NONE = "none"
    OWN = "own"
    DEPARTMENT = "department"
    ALL = "all"


SCOPE_LABELS = {
    Scope.NONE: _("нет доступа"),
    Scope.OWN: _("свои"),
    Scope.DEPARTMENT: _("отдела"),
    Scope.ALL: _("все"),
}


class Area(StrEnum):
    """Groups of data with the same visibility rule."""

    SALES = "sales"  # clients, contacts, activities, deals, proposals
    MONEY = "money"  # contracts, invoices, payments, acts
    ADMIN = "admin"  # users, departments, audit log, settings


AREA_LABELS = {
    Area.SALES: _("Клиенты, события, сделки"),
    Area.MONEY: _("Договоры, счета, оплаты"),
    Area.ADMIN: _("Пользователи и настройки"),
}

ROLE_SCOPES: dict[Role, dict[Area, Scope]] = {
    Role.MANAGER: {Area.SALES: Scope.OWN, Area.MONEY: Scope.OWN, Area.ADMIN: Scope.NONE},
    Role.HEAD_OF_SALES: {
        Area.SALES: Scope.DEPARTMENT,
        Area.MONEY: Scope.DEPARTMENT,
        Area.ADMIN: Scope.NONE,
    },
    Role.ACCOUNTANT: {Area.SALES: Scope.ALL, Area.MONEY: Scope.ALL, Area.ADMIN: Scope.NONE},
    Role.ADMINISTRATOR: {Area.SALES: Scope.ALL, Area.MONEY: Scope.ALL, Area.ADMIN: Scope.ALL},
}

# Permission to see cash received outside accounting: the administrator group has it from
# migration accounts.0002; the administrator grants it to an accountant or head as needed.
OFF_BOOK_PERMISSION = "accounts.view_off_book_cash"

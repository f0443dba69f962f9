"""Reads on users and departments, the colleague search and the history access of accounts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from crm.accounts import selectors
from crm.accounts.hooks import search_colleagues
from crm.accounts.models import Department, User
from crm.accounts.roles import Role
from crm.accounts.tests.factories import UserFactory
from crm.core.registry import history_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(manager, colleague, other_manager, head, accountant, administrator):
    retired = UserFactory(
        username="retired", department=manager.department, role=Role.MANAGER, is_active=False
    )
    return {
        user.username: user
        for user in (manager, colleague, other_manager, head, accountant, administrator, retired)
    }


def usernames(users) -> set[str]:
    return {user.username for user in users}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"manager", "colleague", "other", "head", "accountant", "admin", "retired"}),
        ({"role": "manager"}, {"manager", "colleague", "other", "retired"}),
        ({"role": "head_of_sales"}, {"head"}),
        (
            {"role": "nonsense"},
            {"manager", "colleague", "other", "head", "accountant", "admin", "retired"},
        ),
        ({"active": False}, {"retired"}),
        ({"active": True, "role": "manager"}, {"manager", "colleague", "other"}),
        ({"query": "ADMIN"}, {"admin"}),
        ({"query": "svod.test", "role": "accountant"}, {"accountant"}),
    ],
)
def test_user_list_filters(staff, filters, expected):
    assert usernames(selectors.user_list(**filters)) == expected


def test_user_list_filters_by_department(staff, department):
    assert usernames(selectors.user_list(department_id=department.pk)) == {
        "manager",
        "colleague",
        "head",
        "retired",
    }


def test_department_list_counts_active_members(staff, department, other_department):
    Department.objects.create(name="Пустой")
    counts = {d.name: d.member_count for d in selectors.department_list()}
    assert counts == {
        "Отдел продаж «Москва»": 3,
        "Отдел продаж «Регионы»": 1,
        "Пустой": 0,
    }


def test_role_groups_in_role_order():
    assert [(role, group.name) for role, group in selectors.role_groups()] == [
        (Role.MANAGER, "manager"),
        (Role.HEAD_OF_SALES, "head_of_sales"),
        (Role.ACCOUNTANT, "accountant"),
        (Role.ADMINISTRATOR, "administrator"),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", {"manager"}),
        ("head", {"manager", "colleague", "head"}),
        ("accountant", {"manager", "colleague", "other", "head", "accountant", "admin"}),
        ("admin", {"manager", "colleague", "other", "head", "accountant", "admin"}),
        ("retired", set()),
    ],
)
def test_colleagues_visible_to(staff, who, expected):
    assert usernames(selectors.colleagues_visible_to(staff[who])) == expected


def test_colleagues_visible_to_a_user_without_a_role_is_only_self(department):
    loner = UserFactory(department=department)
    assert usernames(selectors.colleagues_visible_to(loner)) == {loner.username}


def test_search_colleagues_is_scoped_and_links_only_for_administrators(staff):
    staff["colleague"].position = "Менеджер по опту"
    staff["colleague"].save()
    query = "Сотрудникова"

    as_head = search_colleagues(staff["head"], query, 10)
    as_manager = search_colleagues(staff["manager"], query, 10)
    as_admin = search_colleagues(staff["admin"], query, 10)

    assert {hit.title for hit in as_head} == {
        User.objects.get(username=name).full_name for name in ("manager", "colleague", "head")
    }
    assert [hit.title for hit in as_manager] == [staff["manager"].full_name]
    assert {hit.url for hit in as_head} == {""}
    assert len(as_admin) == 6
    colleague_hit = next(hit for hit in as_admin if hit.title == staff["colleague"].full_name)
    assert colleague_hit.url == f"/accounts/settings/users/{staff['colleague'].pk}/"
    assert colleague_hit.subtitle == "Менеджер по опту · Отдел продаж «Москва»"
    assert str(colleague_hit.kind) == "Сотрудник"
    assert len(search_colleagues(staff["admin"], query, 2)) == 2


@pytest.mark.parametrize("label", ["accounts.user", "accounts.department"])
def test_history_of_users_and_departments_is_for_administrators(staff, department, label):
    access = history_access(label)
    target = staff["manager"] if label == "accounts.user" else department
    assert access(staff["admin"], str(target.pk)) == target
    for who in ("manager", "head", "accountant", "retired"):
        with pytest.raises(PermissionDenied):
            access(staff[who], str(target.pk))
    for garbage in ("999999", "abc"):
        with pytest.raises(Http404):
            access(staff["admin"], garbage)

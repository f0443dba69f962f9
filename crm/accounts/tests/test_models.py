"""Users: how a person is named in lists and documents, and which role counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from crm.accounts.models import TIME_ZONE_CHOICES, User
from crm.accounts.roles import Role
from crm.accounts.tests.factories import UserFactory


@pytest.mark.parametrize(
    ("last", "first", "middle", "short", "full"),
    [
        ("Иванова", "Анна", "Сергеевна", "Иванова А. С.", "Иванова Анна Сергеевна"),
        ("Иванова", "Анна", "", "Иванова А.", "Иванова Анна"),
        ("Иванова", "", "", "Иванова", "Иванова"),
        ("", "Анна", "Сергеевна", "Анна", "Анна Сергеевна"),
        ("", "", "", "ivanova", "ivanova"),
    ],
)
def test_names(last, first, middle, short, full):
    user = User(username="ivanova", last_name=last, first_name=first, middle_name=middle)
    assert user.short_name == short
    assert str(user) == short
    assert user.full_name == full


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("groups", "role", "label"),
    [
        ([], None, "без роли"),
        (["manager"], Role.MANAGER, "Менеджер"),
        (["manager", "head_of_sales"], Role.HEAD_OF_SALES, "Руководитель отдела продаж"),
        (["manager", "accountant"], Role.ACCOUNTANT, "Бухгалтер"),
        (["administrator", "manager"], Role.ADMINISTRATOR, "Администратор"),
    ],
)
def test_the_strongest_role_wins(groups, role, label):
    user = UserFactory()
    user.groups.add(*Group.objects.filter(name__in=groups))
    user = User.objects.get(pk=user.pk)
    assert user.role == role
    assert user.role_label == label


@pytest.mark.django_db
def test_a_group_that_is_not_a_role_gives_no_role():
    user = UserFactory()
    user.groups.add(Group.objects.create(name="Склад"))
    assert User.objects.get(pk=user.pk).role is None


@pytest.mark.django_db
def test_a_superuser_counts_as_administrator():
    user = UserFactory(is_superuser=True)
    assert user.role == Role.ADMINISTRATOR


def test_time_zones_offered_are_european_asian_and_utc():
    names = [name for name, _label in TIME_ZONE_CHOICES]
    assert "Europe/Moscow" in names
    assert "Asia/Vladivostok" in names
    assert "UTC" in names
    assert "America/New_York" not in names
    assert names == sorted(names)


def test_new_user_defaults():
    user = User(username="x")
    assert (user.time_zone, user.language) == ("Europe/Moscow", "ru")

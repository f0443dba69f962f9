"""Who sees which rows: the role table and the one mechanism every app uses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404

from crm.accounts.access import (
    access_object,
    can_administer,
    can_see_off_book,
    scope_condition,
    user_scope,
    visible_to,
)
from crm.accounts.roles import ROLE_ORDER, ROLE_SCOPES, Area, Role, Scope
from crm.accounts.tests.factories import UserFactory
from crm.clients.models import Client
from crm.clients.tests.factories import ClientFactory

# DESIGN.md §1 written out: role, area → what the role sees there.
EXPECTED_SCOPES = [
    (Role.MANAGER, Area.SALES, Scope.OWN),
    (Role.MANAGER, Area.MONEY, Scope.OWN),
    (Role.MANAGER, Area.ADMIN, Scope.NONE),
    (Role.HEAD_OF_SALES, Area.SALES, Scope.DEPARTMENT),
    (Role.HEAD_OF_SALES, Area.MONEY, Scope.DEPARTMENT),
    (Role.HEAD_OF_SALES, Area.ADMIN, Scope.NONE),
    (Role.ACCOUNTANT, Area.SALES, Scope.ALL),
    (Role.ACCOUNTANT, Area.MONEY, Scope.ALL),
    (Role.ACCOUNTANT, Area.ADMIN, Scope.NONE),
    (Role.ADMINISTRATOR, Area.SALES, Scope.ALL),
    (Role.ADMINISTRATOR, Area.MONEY, Scope.ALL),
    (Role.ADMINISTRATOR, Area.ADMIN, Scope.ALL),
]


def test_the_role_table_has_every_role_and_area():
    assert {(role, area) for role, area, _scope in EXPECTED_SCOPES} == {
        (role, area) for role in Role for area in Area
    }
    assert ROLE_ORDER == [Role.ADMINISTRATOR, Role.ACCOUNTANT, Role.HEAD_OF_SALES, Role.MANAGER]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "area", "scope"), EXPECTED_SCOPES)
def test_user_scope_per_role_and_area(role, area, scope):
    assert ROLE_SCOPES[role][area] == scope
    assert user_scope(UserFactory(role=role), area) == scope


@pytest.mark.django_db
@pytest.mark.parametrize("area", list(Area))
def test_no_scope_without_a_role_when_inactive_or_anonymous(area):
    assert user_scope(UserFactory(), area) == Scope.NONE
    assert user_scope(UserFactory(role=Role.ADMINISTRATOR, is_active=False), area) == Scope.NONE
    assert user_scope(AnonymousUser(), area) == Scope.NONE
    assert user_scope(None, area) == Scope.NONE


@pytest.mark.django_db
@pytest.mark.parametrize("area", list(Area))
def test_a_superuser_without_groups_sees_all(area):
    assert user_scope(UserFactory(is_superuser=True), area) == Scope.ALL


@pytest.fixture
def clients(manager, colleague, other_manager):
    return {
        "mine": ClientFactory(name="ООО «Моё»", owner=manager),
        "colleague's": ClientFactory(name="ООО «Коллеги»", owner=colleague),
        "other department's": ClientFactory(name="ООО «Регион»", owner=other_manager),
        "mine, other department": ClientFactory(
            name="ООО «Моё в регионе»", owner=manager, department=other_manager.department
        ),
    }


def _visible(user, clients) -> set[str]:
    names = {client.pk: name for name, client in clients.items()}
    return {names[client.pk] for client in visible_to(user, Client.objects.all())}


EVERYONE = {"mine", "colleague's", "other department's", "mine, other department"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", {"mine", "mine, other department"}),
        ("colleague", {"colleague's"}),
        ("other_manager", {"other department's"}),
        ("head", {"mine", "colleague's"}),
        ("accountant", EVERYONE),
        ("administrator", EVERYONE),
    ],
)
def test_visible_to_on_clients(request, clients, who, expected):
    assert _visible(request.getfixturevalue(who), clients) == expected


@pytest.mark.django_db
def test_a_head_sees_own_clients_outside_the_department_too(clients, head, other_department):
    ClientFactory(name="ООО «Головное»", owner=head, department=other_department)
    visible = {c.name for c in visible_to(head, Client.objects.all())}
    assert visible == {"ООО «Моё»", "ООО «Коллеги»", "ООО «Головное»"}


@pytest.mark.django_db
def test_a_head_without_a_department_sees_only_own(clients):
    head = UserFactory(department=None, role=Role.HEAD_OF_SALES)
    ClientFactory(name="ООО «Своё»", owner=head, department=None)
    assert [c.name for c in visible_to(head, Client.objects.all())] == ["ООО «Своё»"]


@pytest.mark.django_db
def test_a_user_without_a_role_sees_nothing(clients, department):
    nobody = UserFactory(department=department)
    ClientFactory(owner=nobody)  # even what they own
    assert list(visible_to(nobody, Client.objects.all())) == []


@pytest.mark.django_db
def test_an_inactive_user_sees_nothing(clients, manager):
    manager.is_active = False
    assert list(visible_to(manager, Client.objects.all())) == []


@pytest.mark.django_db
def test_visible_to_keeps_the_queryset_filters(clients, administrator):
    queryset = Client.objects.filter(name__startswith="ООО «Моё")
    assert visible_to(administrator, queryset) is queryset
    assert scope_condition(administrator, Client) is None


@pytest.mark.django_db
def test_access_object_opens_a_visible_row(clients, manager):
    assert access_object(manager, Client.objects.all(), clients["mine"].pk) == clients["mine"]
    assert access_object(manager, Client.objects.all(), str(clients["mine"].pk)) == clients["mine"]


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["colleague's", "other department's", 999999, "abc", None, "1.5"])
def test_access_object_answers_404_for_anothers_row_and_for_garbage(clients, manager, pk):
    key = clients[pk].pk if pk in clients else pk
    with pytest.raises(Http404):
        access_object(manager, Client.objects.all(), key)


@pytest.mark.django_db
def test_access_object_for_a_user_without_a_role_is_404(clients, department):
    with pytest.raises(Http404):
        access_object(UserFactory(department=department), Client.objects.all(), clients["mine"].pk)


@pytest.mark.django_db
def test_many_to_many_owner_fields_count_as_own(monkeypatch, manager, colleague):
    """A model whose "own" rows are given by a many-to-many relation (co-executors)."""
    monkeypatch.setattr(Group, "access_area", Area.SALES, raising=False)
    monkeypatch.setattr(Group, "access_owner_fields", ("user",), raising=False)
    mine = Group.objects.create(name="Соисполнители 1")
    theirs = Group.objects.create(name="Соисполнители 2")
    mine.user_set.add(manager, colleague)
    theirs.user_set.add(colleague)

    visible = visible_to(manager, Group.objects.filter(name__startswith="Соисполнители"))
    assert list(visible) == [mine]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "administers", "off_book"),
    [
        ("manager", False, False),
        ("head", False, False),
        ("accountant", False, False),
        ("administrator", True, True),
    ],
)
def test_administration_and_off_book_cash(request, who, administers, off_book):
    user = request.getfixturevalue(who)
    assert can_administer(user) is administers
    assert can_see_off_book(user) is off_book


def test_anonymous_can_do_nothing():
    assert can_administer(AnonymousUser()) is False
    assert can_see_off_book(AnonymousUser()) is False

"""Writes on users, departments and roles; each one is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from crm.accounts import services
from crm.accounts.models import Department, User
from crm.accounts.roles import Role
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_user_create_sets_password_role_and_audits(administrator, department):
    user = services.user_create(
        by=administrator,
        username="petrova",
        password="Кр3пкий-пароль",
        role=Role.MANAGER,
        last_name="Петрова",
        first_name="Мария",
        email="petrova@svod.test",
        department=department,
    )

    user = User.objects.get(pk=user.pk)
    assert user.check_password("Кр3пкий-пароль")
    assert user.role == Role.MANAGER
    assert list(user.groups.values_list("name", flat=True)) == ["manager"]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_id, entry.object_repr) == (
        administrator,
        "create",
        str(user.pk),
        "Петрова М.",
    )
    assert entry.changes == {
        "username": [None, "petrova"],
        "last_name": [None, "Петрова"],
        "first_name": [None, "Мария"],
        "middle_name": [None, ""],
        "email": [None, "petrova@svod.test"],
        "position": [None, ""],
        "phone": [None, ""],
        "department": [None, "Отдел продаж «Москва»"],
        "is_active": [None, True],
        "time_zone": [None, "Europe/Moscow"],
        "language": [None, "ru"],
        "email_signature": [None, ""],
        "role": [None, "Менеджер"],
    }


def test_user_create_without_password_cannot_log_in(administrator):
    user = services.user_create(by=administrator, username="nopass", password=None, role=None)
    assert user.has_usable_password() is False
    assert user.role is None


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"username": "manager"}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": "ok", "email": "not-an-email"}, "email"),
        ({"username": "ok", "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_user_create_with_bad_data_changes_nothing(administrator, manager, fields, error_field):
    users_before = User.objects.count()
    with pytest.raises(ValidationError) as error:
        services.user_create(by=administrator, password="x" * 12, role=Role.MANAGER, **fields)
    assert error_field in error.value.message_dict
    assert User.objects.count() == users_before
    assert AuditEntry.objects.count() == 0


def test_user_update_changes_card_and_role_and_audits_the_difference(administrator, manager):
    services.user_update(
        by=administrator, user=manager, role=Role.HEAD_OF_SALES, position="Руководитель"
    )

    manager = User.objects.get(pk=manager.pk)
    assert (manager.position, manager.role) == ("Руководитель", Role.HEAD_OF_SALES)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("update", administrator)
    assert entry.changes == {
        "position": ["", "Руководитель"],
        "role": ["Менеджер", "Руководитель отдела продаж"],
    }


def test_user_update_of_an_instance_already_changed_by_a_form_still_audits_the_change(
    administrator, manager
):
    """A ModelForm copies cleaned values onto the instance before the service sees it."""
    manager.position = "Старший менеджер"
    services.user_update(
        by=administrator, user=manager, role=Role.MANAGER, position="Старший менеджер"
    )
    assert AuditEntry.objects.get().changes == {"position": ["", "Старший менеджер"]}


def test_user_update_without_changes_writes_no_history(administrator, manager):
    services.user_update(by=administrator, user=manager, role=Role.MANAGER, phone="")
    assert AuditEntry.objects.count() == 0


def test_user_update_with_bad_data_changes_nothing(administrator, manager, other_manager):
    with pytest.raises(ValidationError):
        services.user_update(
            by=administrator, user=manager, role=Role.ADMINISTRATOR, username="other"
        )
    manager = User.objects.get(pk=manager.pk)
    assert (manager.username, manager.role) == ("manager", Role.MANAGER)
    assert AuditEntry.objects.count() == 0


def test_deactivating_a_user_deletes_their_api_tokens(administrator, manager, colleague):
    Token.objects.create(user=manager)
    kept = Token.objects.create(user=colleague)

    services.user_update(by=administrator, user=manager, role=Role.MANAGER, is_active=False)

    assert list(Token.objects.all()) == [kept]
    assert AuditEntry.objects.get().changes == {"is_active": [True, False]}


def test_deactivating_through_a_form_changed_instance_deletes_tokens_too(administrator, manager):
    Token.objects.create(user=manager)
    manager.is_active = False  # what UserForm.is_valid() does to the instance
    services.user_update(by=administrator, user=manager, role=Role.MANAGER, is_active=False)
    assert Token.objects.count() == 0


def test_saving_an_inactive_user_again_keeps_other_tokens(administrator, manager):
    manager.is_active = False
    manager.save()
    token = Token.objects.create(user=manager)  # e.g. created in the admin meanwhile
    services.user_update(by=administrator, user=manager, role=Role.MANAGER, phone="+7 900")
    assert list(Token.objects.all()) == [token]


def test_profile_update_changes_profile_fields_and_audits(manager):
    services.profile_update(user=manager, position="Старший менеджер", language="en")

    manager = User.objects.get(pk=manager.pk)
    assert (manager.position, manager.language) == ("Старший менеджер", "en")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.changes) == (
        manager,
        "update",
        {"position": ["", "Старший менеджер"], "language": ["ru", "en"]},
    )


@pytest.mark.parametrize("field", ["department", "is_active", "is_superuser", "username", "groups"])
def test_profile_update_refuses_fields_that_are_not_the_profile(manager, other_department, field):
    with pytest.raises(ValueError, match="Not profile fields"):
        services.profile_update(user=manager, **{field: other_department})
    manager = User.objects.get(pk=manager.pk)
    assert (manager.department.name, manager.is_active, manager.is_superuser) == (
        "Отдел продаж «Москва»",
        True,
        False,
    )
    assert AuditEntry.objects.count() == 0


def test_profile_update_with_a_bad_email_changes_nothing(manager):
    with pytest.raises(ValidationError) as error:
        services.profile_update(user=manager, email="плохой", position="Новая")
    assert list(error.value.message_dict) == ["email"]
    manager = User.objects.get(pk=manager.pk)
    assert (manager.email, manager.position) == ("manager@svod.test", "")
    assert AuditEntry.objects.count() == 0


def test_department_create_and_update_are_audited(administrator, head):
    department = services.department_save(by=administrator, department=None, name="Опт")
    services.department_save(by=administrator, department=department, head=head)

    created, updated = AuditEntry.objects.order_by("id")
    assert (created.action, created.changes) == (
        "create",
        {"name": [None, "Опт"], "is_active": [None, True]},
    )
    assert (updated.action, updated.changes) == ("update", {"head": [None, str(head)]})


def test_department_with_a_taken_name_is_refused(administrator, department):
    with pytest.raises(ValidationError) as error:
        services.department_save(by=administrator, department=None, name=department.name)
    assert list(error.value.message_dict) == ["name"]
    assert Department.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_role_permissions_are_set_and_audited(administrator):
    add_user = Permission.objects.get(codename="add_user")
    view_job = Permission.objects.get(codename="view_job")
    before = sorted(
        Group.objects.get(name="accountant").permissions.values_list("codename", flat=True)
    )
    assert "add_user" not in before

    group = services.role_set_permissions(
        by=administrator, role=Role.ACCOUNTANT, permissions=[view_job, add_user]
    )

    assert set(group.permissions.values_list("codename", flat=True)) == {"add_user", "view_job"}
    entry = AuditEntry.objects.get()
    assert (entry.object_repr, entry.changes) == (
        "accountant",
        {"permissions": [before, ["add_user", "view_job"]]},
    )
    assert Group.objects.get(name="accountant") == group

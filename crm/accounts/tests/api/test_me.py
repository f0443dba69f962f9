"""/api/v1/me/: the current user's profile."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def test_get_me(api, manager, department):
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": manager.pk,
        "username": "manager",
        "last_name": manager.last_name,
        "first_name": "Анна",
        "middle_name": "",
        "email": "manager@svod.test",
        "position": "",
        "phone": "",
        "email_signature": "",
        "time_zone": "Europe/Moscow",
        "language": "ru",
        "role": "manager",
        "department": department.pk,
    }


def test_get_me_of_a_user_without_a_role(department):
    user = User.objects.create_user(username="norole", department=department)
    client = APIClient()
    client.force_authenticate(user)
    body = client.get("/api/v1/me/").json()
    assert (body["role"], body["department"]) == (None, department.pk)


def test_patch_me_updates_the_profile_and_audits(api, manager):
    response = api.patch(
        "/api/v1/me/",
        {"position": "Старший менеджер", "time_zone": "Asia/Novosibirsk"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["position"] == "Старший менеджер"
    assert response.json()["time_zone"] == "Asia/Novosibirsk"
    user = User.objects.get(pk=manager.pk)
    assert (user.position, user.time_zone) == ("Старший менеджер", "Asia/Novosibirsk")
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.actor, entry.changes) == (
        "api",
        manager,
        {
            "position": ["", "Старший менеджер"],
            "time_zone": ["Europe/Moscow", "Asia/Novosibirsk"],
        },
    )


def test_patch_me_ignores_role_department_and_username(api, manager, other_department):
    response = api.patch(
        "/api/v1/me/",
        {
            "department": other_department.pk,
            "role": "administrator",
            "username": "boss",
            "id": 1,
            "is_superuser": True,
            "phone": "+7 900 000-00-00",
        },
        format="json",
    )

    assert response.status_code == 200
    user = User.objects.get(pk=manager.pk)
    assert (user.department, user.role, user.username, user.is_superuser) == (
        manager.department,
        Role.MANAGER,
        "manager",
        False,
    )
    assert user.phone == "+7 900 000-00-00"
    assert AuditEntry.objects.get().changes == {"phone": ["", "+7 900 000-00-00"]}


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"email": "не почта"}, {"email": ["Введите правильный адрес электронной почты."]}),
        (
            {"language": "de", "email": "ok@svod.test"},
            {"language": ["Значения de нет среди допустимых вариантов."]},
        ),
        (
            {"time_zone": "Mars/Olympus"},
            {"time_zone": ["Значения Mars/Olympus нет среди допустимых вариантов."]},
        ),
    ],
)
def test_patch_me_with_bad_data_answers_in_russian_and_changes_nothing(api, manager, data, fields):
    response = api.patch("/api/v1/me/", data, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Проверьте данные: есть ошибки в полях.",
            "fields": fields,
        }
    }
    user = User.objects.get(pk=manager.pk)
    assert (user.email, user.language, user.time_zone) == (
        "manager@svod.test",
        "ru",
        "Europe/Moscow",
    )
    assert AuditEntry.objects.count() == 0


def test_me_cannot_be_replaced_or_deleted(api, manager):
    assert api.put("/api/v1/me/", {"position": "x"}, format="json").status_code == 405
    assert api.delete("/api/v1/me/").status_code == 405
    assert User.objects.filter(pk=manager.pk, position="").exists()

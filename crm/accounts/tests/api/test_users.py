"""/api/v1/users/ and /api/v1/departments/, authentication by session and by token."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crm.accounts.models import Department
from crm.accounts.roles import Role
from crm.accounts.services import user_update
from crm.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_ACTIVE = {"manager", "colleague", "other", "head", "accountant", "admin"}


@pytest.fixture
def staff(manager, colleague, other_manager, head, accountant, administrator):
    UserFactory(username="retired", department=manager.department, is_active=False)
    return {
        u.username: u for u in (manager, colleague, other_manager, head, accountant, administrator)
    }


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", {"manager"}),
        ("head", {"manager", "colleague", "head"}),
        ("accountant", ALL_ACTIVE),
        ("admin", ALL_ACTIVE),
    ],
)
def test_users_are_scoped_to_what_the_user_may_see(staff, who, expected):
    response = as_user(staff[who]).get("/api/v1/users/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(expected)
    assert {u["username"] for u in body["results"]} == expected


def test_a_user_outside_the_scope_is_404(staff):
    response = as_user(staff["manager"]).get(f"/api/v1/users/{staff['colleague'].pk}/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Объект не найден.", "fields": {}}
    }


def test_user_fields(staff, department):
    body = as_user(staff["head"]).get(f"/api/v1/users/{staff['colleague'].pk}/").json()
    colleague = staff["colleague"]
    assert body == {
        "id": colleague.pk,
        "username": "colleague",
        "full_name": f"{colleague.last_name} Анна",
        "last_name": colleague.last_name,
        "first_name": "Анна",
        "middle_name": "",
        "email": "colleague@svod.test",
        "position": "",
        "phone": "",
        "department": department.pk,
        "department_name": "Отдел продаж «Москва»",
        "role": "manager",
        "is_active": True,
    }


def test_a_user_without_department_or_role(staff):
    nobody = UserFactory(username="nobody", department=None)
    body = as_user(staff["admin"]).get(f"/api/v1/users/{nobody.pk}/").json()
    assert (body["department"], body["department_name"], body["role"]) == (None, "", None)


def test_users_are_paginated(staff):
    for _ in range(4):
        UserFactory(role=Role.MANAGER)
    client = as_user(staff["admin"])

    first = client.get("/api/v1/users/", {"page_size": 4}).json()
    last = client.get("/api/v1/users/", {"page_size": 4, "page": 3}).json()

    assert first["count"] == 10
    assert len(first["results"]) == 4
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/users/?page=2&page_size=4"
    assert len(last["results"]) == 2
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/v1/users/?page=2&page_size=4"


def test_users_are_filtered_and_ordered(staff, other_department):
    client = as_user(staff["admin"])
    in_regions = client.get("/api/v1/users/", {"department": other_department.pk}).json()
    ordered = client.get("/api/v1/users/", {"ordering": "-username"}).json()
    assert [u["username"] for u in in_regions["results"]] == ["other"]
    assert [u["username"] for u in ordered["results"]] == sorted(ALL_ACTIVE, reverse=True)


def test_users_are_read_only(staff):
    client = as_user(staff["admin"])
    response = client.post("/api/v1/users/", {"username": "new"}, format="json")
    assert response.status_code == 405
    assert not staff["admin"].__class__.objects.filter(username="new").exists()


@pytest.mark.parametrize(
    "path", ["/api/v1/users/", "/api/v1/me/", "/api/v1/departments/", "/api/v1/notifications/"]
)
def test_unauthenticated_requests_are_refused_in_the_error_format(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Учетные данные не были предоставлены.",
            "fields": {},
        }
    }


def test_a_token_made_by_the_management_command_authenticates(staff):
    out = io.StringIO()
    call_command("drf_create_token", "head", stdout=out)
    token = Token.objects.get(user=staff["head"])
    assert token.key in out.getvalue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "head"
    assert {u["username"] for u in client.get("/api/v1/users/").json()["results"]} == {
        "manager",
        "colleague",
        "head",
    }


def assert_refused(response, message: str) -> None:
    """A bad or deleted token: 401, code authentication_failed (token authentication is the
    first class, so DRF asks for credentials with WWW-Authenticate)."""
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "authentication_failed", "message": message, "fields": {}}
    }


def test_a_wrong_token_is_refused(staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/me/")
    assert_refused(response, "Недействительный токен.")


def test_a_deactivated_users_token_stops_working(staff):
    token = Token.objects.create(user=staff["manager"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200

    user_update(by=staff["admin"], user=staff["manager"], role=Role.MANAGER, is_active=False)

    assert_refused(client.get("/api/v1/me/"), "Недействительный токен.")


def test_session_authentication_works_for_the_api(client, staff):
    client.force_login(staff["manager"])
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "manager"


def test_departments_lists_active_ones(staff, department, other_department):
    Department.objects.create(name="Закрытый", is_active=False)
    body = as_user(staff["manager"]).get("/api/v1/departments/").json()
    assert body["results"] == [
        {"id": department.pk, "name": "Отдел продаж «Москва»", "head": None, "is_active": True},
        {
            "id": other_department.pk,
            "name": "Отдел продаж «Регионы»",
            "head": None,
            "is_active": True,
        },
    ]

"""/api/v1/notifications/ and /api/v1/audit/, and the one error format of the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.test import APIClient

from crm.accounts.models import Department
from crm.core.api.errors import exception_handler
from crm.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_notifications_are_the_users_own_and_filterable(api, manager, colleague):
    read = Notification.objects.create(
        user=manager, title="Прочитано", read_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    unread = Notification.objects.create(user=manager, title="Новое", url="/clients/5/")
    Notification.objects.create(user=colleague, title="Чужое")
    api.force_authenticate(manager)

    everything = api.get("/api/v1/notifications/").json()
    unread_only = api.get("/api/v1/notifications/", {"read_at__isnull": "true"}).json()

    assert [n["id"] for n in everything["results"]] == [unread.pk, read.pk]
    assert everything["results"][0] == {
        "id": unread.pk,
        "title": "Новое",
        "body": "",
        "url": "/clients/5/",
        "created_at": everything["results"][0]["created_at"],
        "read_at": None,
    }
    assert [n["title"] for n in unread_only["results"]] == ["Новое"]


def test_read_all_marks_only_the_users_notifications(api, manager, colleague):
    Notification.objects.create(user=manager, title="1")
    Notification.objects.create(user=manager, title="2")
    Notification.objects.create(user=colleague, title="3")
    api.force_authenticate(manager)

    response = api.post("/api/v1/notifications/read-all/")

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert list(
        Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True)
    ) == ["3"]


def test_notifications_cannot_be_created_through_the_api(api, manager):
    api.force_authenticate(manager)
    response = api.post("/api/v1/notifications/", {"title": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_audit_is_forbidden_to_non_administrators(api, request, who, department):
    AuditEntry.objects.create(
        source="web",
        action="create",
        content_type=ContentType.objects.get_for_model(Department),
        object_id=str(department.pk),
        object_repr=str(department),
    )
    api.force_authenticate(request.getfixturevalue(who))
    response = api.get("/api/v1/audit/")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "У вас недостаточно прав для выполнения данного действия.",
            "fields": {},
        }
    }


def test_audit_lists_entries_for_an_administrator(api, administrator, manager, department):
    entry = AuditEntry.objects.create(
        actor=manager,
        source="api",
        action="update",
        content_type=ContentType.objects.get_for_model(Department),
        object_id=str(department.pk),
        object_repr=str(department),
        changes={"is_active": [True, False]},
        comment="закрыт",
    )
    AuditEntry.objects.create(
        source="worker",
        action="create",
        content_type=ContentType.objects.get_for_model(Department),
        object_id="999",
        object_repr="Другой",
    )
    api.force_authenticate(administrator)

    listed = api.get("/api/v1/audit/").json()
    filtered = api.get("/api/v1/audit/", {"source": "api"}).json()
    one = api.get(f"/api/v1/audit/{entry.pk}/").json()

    assert listed["count"] == 2
    assert filtered["count"] == 1
    assert one == {
        "id": entry.pk,
        "at": one["at"],
        "actor": str(manager),
        "source": "api",
        "action": "update",
        "object_type": "department",
        "object_id": str(department.pk),
        "object_repr": "Отдел продаж «Москва»",
        "changes": {"is_active": [True, False]},
        "comment": "закрыт",
    }
    assert filtered["results"] == [one]


def test_audit_is_read_only(api, administrator):
    api.force_authenticate(administrator)
    response = api.post("/api/v1/audit/", {"object_repr": "x"}, format="json")
    assert response.status_code == 405
    assert AuditEntry.objects.count() == 0


# --- the error format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            DjangoValidationError({"inn": ["ИНН должен состоять из 10 или 12 цифр."]}),
            400,
            {
                "code": "invalid",
                "message": "Проверьте данные: есть ошибки в полях.",
                "fields": {"inn": ["ИНН должен состоять из 10 или 12 цифр."]},
            },
        ),
        (
            DjangoValidationError("Клиент в архиве: сначала восстановите его."),
            400,
            {
                "code": "invalid",
                "message": "Клиент в архиве: сначала восстановите его.",
                "fields": {},
            },
        ),
        (
            exceptions.ValidationError(["Первая ошибка.", "Вторая ошибка."]),
            400,
            {"code": "invalid", "message": "Первая ошибка. Вторая ошибка.", "fields": {}},
        ),
        (
            exceptions.ValidationError({"amount": {"0": ["Не число."]}}),
            400,
            {
                "code": "invalid",
                "message": "Проверьте данные: есть ошибки в полях.",
                "fields": {"amount": {"0": ["Не число."]}},
            },
        ),
        (
            Http404(),
            404,
            {"code": "not_found", "message": "Объект не найден.", "fields": {}},
        ),
        (
            exceptions.NotAuthenticated(),
            401,
            {
                "code": "not_authenticated",
                "message": "Учетные данные не были предоставлены.",
                "fields": {},
            },
        ),
        (
            exceptions.AuthenticationFailed(),
            401,
            {
                "code": "authentication_failed",
                "message": "Некорректные учетные данные.",
                "fields": {},
            },
        ),
    ],
)
def test_errors_are_answered_in_one_russian_format(error, status, body):
    response = exception_handler(error, {})
    assert response.status_code == status
    assert response.data == {"error": body}


def test_throttling_is_answered_with_its_code():
    response = exception_handler(exceptions.Throttled(wait=30), {})
    assert response.status_code == 429
    assert response.data["error"]["code"] == "throttled"
    assert response.data["error"]["message"].startswith("Запрос был проигнорирован.")
    assert response["Retry-After"] == "30"


def test_an_unexpected_error_is_left_to_django():
    assert exception_handler(ZeroDivisionError(), {}) is None

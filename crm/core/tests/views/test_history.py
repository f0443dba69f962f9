"""The history fragment of an object (`core:history`): access per registered model."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.accounts.roles import Role
from crm.accounts.services import department_save, user_update
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def history_url(label: str, object_id: object) -> str:
    return reverse("core:history", args=[label, object_id])


@pytest.fixture
def promoted(administrator, manager):
    """The administrator changed the manager's position and role."""
    user_update(
        by=administrator,
        user=manager,
        role=Role.HEAD_OF_SALES,
        position="Старший менеджер",
    )
    return manager


@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_user_history_is_forbidden_to_everyone_but_administrators(client, request, promoted, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(history_url("accounts.user", promoted.pk))
    assert response.status_code == 403
    assert "Старший менеджер" not in response.content.decode()


def test_administrator_sees_the_change_in_the_user_history(client, administrator, promoted):
    client.force_login(administrator)

    response = client.get(history_url("accounts.user", promoted.pk))

    assert response.status_code == 200
    assert response.templates[0].name == "core/partials/_history.html"
    entries = list(response.context["entries"])
    assert [entry.changes for entry in entries] == [
        {"position": ["", "Старший менеджер"], "role": ["Менеджер", "Руководитель отдела продаж"]}
    ]
    html = response.content.decode()
    assert "<html" not in html
    assert "Должность" in html
    assert "<del>—</del> → <ins>Старший менеджер</ins>" in html
    assert "Роль:" in html
    assert "<del>Менеджер</del> → <ins>Руководитель отдела продаж</ins>" in html
    assert str(administrator) in html
    assert "Система" in html  # changed by a service call, outside a request


def test_department_history_for_an_administrator(client, administrator, department):
    department_save(by=administrator, department=department, name="Отдел продаж «Центр»")
    client.force_login(administrator)

    response = client.get(history_url("accounts.department", department.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>Отдел продаж «Москва»</del> → <ins>Отдел продаж «Центр»</ins>" in html


def test_object_without_changes_shows_an_empty_history(client, administrator, head):
    client.force_login(administrator)
    response = client.get(history_url("accounts.user", head.pk))
    assert response.status_code == 200
    assert "Изменений пока нет." in response.content.decode()


@pytest.mark.parametrize(
    ("label", "object_id"),
    [
        ("no.such", "1"),
        ("accounts.group", "1"),
        ("core.auditentry", "1"),
        ("accounts.user", "999999"),
        ("accounts.user", "abc"),
        ("accounts.department", "abc"),
    ],
)
def test_unknown_label_or_object_is_404(client, administrator, label, object_id):
    client.force_login(administrator)
    assert client.get(history_url(label, object_id)).status_code == 404


def test_history_needs_a_login(client, manager):
    response = client.get(history_url("accounts.user", manager.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEntry.objects.count() == 0

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.clients.models import Client
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_list_is_scoped_and_paginated(api, manager, other_manager):
    ClientFactory(owner=manager, name="ООО «Своё»")
    ClientFactory(owner=other_manager, name="ООО «Чужое»")
    api.force_authenticate(manager)
    body = api.get("/api/v1/clients/").json()
    assert body["count"] == 1
    assert [row["name"] for row in body["results"]] == ["ООО «Своё»"]
    assert set(body) == {"count", "next", "previous", "results"}


def test_another_managers_client_is_404_with_the_error_format(api, manager, other_manager):
    other = ClientFactory(owner=other_manager)
    api.force_authenticate(manager)
    response = api.get(f"/api/v1/clients/{other.pk}/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Объект не найден.", "fields": {}}
    }
    response = api.patch(f"/api/v1/clients/{other.pk}/", {"name": "Взлом"}, format="json")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "Взлом"


def test_create_with_bad_inn_is_a_russian_400_naming_the_field(api, manager):
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/clients/", {"name": "ООО «Ромашка»", "inn": "7707083894"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Проверьте данные: есть ошибки в полях.",
            "fields": {"inn": ["Неверный ИНН: не сходится контрольное число"]},
        }
    }
    assert Client.objects.count() == 0


def test_create_ignores_owner_and_status_from_the_body(api, manager, other_manager):
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/clients/",
        {
            "name": "ООО «Ромашка»",
            "inn": "7707083893",
            "phone": "8 495 123 45 67",
            "source": LeadSourceFactory(name="Сайт").pk,
            "owner": other_manager.pk,
            "status": "archived",
        },
        format="json",
    )
    assert response.status_code == 201
    created = Client.objects.get()
    assert (created.owner, created.status, created.phone) == (manager, "active", "+74951234567")
    assert response.json()["phone"] == "+74951234567"


def test_detail_has_contacts(api, manager):
    from crm.clients import services

    own = ClientFactory(owner=manager)
    services.contact_add(by=manager, client=own, first_name="Мария", position="Бухгалтер")
    api.force_authenticate(manager)
    body = api.get(f"/api/v1/clients/{own.pk}/").json()
    assert [(c["full_name"], c["position"], c["is_main"]) for c in body["contacts"]] == [
        ("Мария", "Бухгалтер", True)
    ]


def test_lead_sources_list_has_the_defaults_in_order(api, manager):
    from crm.clients.models import LeadSource

    LeadSource.objects.filter(name="Тендер").update(is_active=False)
    api.force_authenticate(manager)
    assert [row["name"] for row in api.get("/api/v1/lead-sources/").json()] == [
        "Сайт",
        "Реклама в интернете",
        "Рекомендация",
        "Выставка",
        "Холодный звонок",
        "Повторное обращение",
        "Социальные сети",
    ]

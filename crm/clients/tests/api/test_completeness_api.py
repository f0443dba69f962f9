from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.clients.tests.factories import ClientFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_client_has_read_only_completeness(api, manager):
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/clients/",
        {
            "name": "ООО «Ромашка»",
            "inn": "7707083893",
            "source": LeadSourceFactory(name="Сайт").pk,
            "completeness": 100,
            "completeness_missing": [],
            "needs_completion": True,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["completeness"], body["needs_completion"]) == (30, False)
    assert body["completeness_missing"] == [
        "decision_maker",
        "address",
        "industry",
        "phone",
        "email",
        "registration",
        "bank_account",
        "region",
    ]
    listed = api.get("/api/v1/clients/").json()["results"][0]
    assert listed["completeness"] == 30


def test_create_refused_by_an_entry_rule_is_a_400_with_the_message(api, manager):
    api.force_authenticate(manager)
    response = api.post("/api/v1/clients/", {"name": "ООО «Ромашка»"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Чтобы создать клиента, заполните: Источник",
            "fields": {},
        }
    }


def test_entry_rules_of_a_point(api, manager):
    own = ClientFactory(owner=manager, inn="", kpp="")
    api.force_authenticate(manager)
    response = api.get(f"/api/v1/clients/{own.pk}/entry-rules/", {"point": "first_invoice"})
    assert response.status_code == 200
    assert response.json() == {
        "point": "first_invoice",
        "ok": False,
        "codes": ["inn", "kpp", "legal_address"],
        "violations": ["ИНН", "КПП", "Юридический адрес"],
        "message": "Чтобы выставить счёт, заполните у клиента: ИНН, КПП, Юридический адрес",
    }
    response = api.get(f"/api/v1/clients/{own.pk}/entry-rules/", {"point": "creation"})
    assert response.json()["violations"] == ["Источник"]


def test_entry_rules_met(api, manager):
    own = ClientFactory(owner=manager, phone="+74951234567")
    api.force_authenticate(manager)
    response = api.get(f"/api/v1/clients/{own.pk}/entry-rules/", {"point": "first_deal"})
    assert response.json() == {
        "point": "first_deal",
        "ok": True,
        "codes": [],
        "violations": [],
        "message": "",
    }


def test_entry_rules_unknown_point_and_someone_elses_client(api, manager, other_manager):
    own = ClientFactory(owner=manager)
    other = ClientFactory(owner=other_manager)
    api.force_authenticate(manager)
    response = api.get(f"/api/v1/clients/{own.pk}/entry-rules/", {"point": "payday"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "point": [
            "Неизвестный момент проверки «payday»: допустимы creation, first_deal, first_invoice"
        ]
    }
    assert api.get(f"/api/v1/clients/{other.pk}/entry-rules/").status_code == 404


def test_entry_rules_need_authentication(api, manager):
    own = ClientFactory(owner=manager)
    response = api.get(f"/api/v1/clients/{own.pk}/entry-rules/")
    assert response.status_code == 401  # token authentication first: WWW-Authenticate: Token
    assert response.json()["error"]["code"] == "not_authenticated"

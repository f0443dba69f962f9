"""/api/v1/pipelines/, stages/, lost-reasons/: everyone logged in reads, administrators write."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from crm.activities.models import ActivityKind
from crm.core.models import AuditEntry, AuditSource
from crm.sales.models import LostReason, Pipeline, Stage
from crm.sales.tests.factories import pipeline, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_pipelines_with_nested_stages_for_everyone(api, manager):
    api.force_authenticate(manager)
    response = api.get("/api/v1/pipelines/")
    assert response.status_code == 200
    [sale] = response.json()
    assert (sale["code"], sale["name"], sale["is_default"], sale["is_active"]) == (
        "sale",
        "Продажа",
        True,
        True,
    )
    assert [s["code"] for s in sale["stages"]] == [
        "interest",
        "proposal_sent",
        "decision",
        "invoice",
        "paid",
        "won",
        "lost",
    ]
    first, sent = sale["stages"][:2]
    assert first == {
        "id": stage("interest").pk,
        "pipeline": pipeline().pk,
        "code": "interest",
        "name": "Интерес зарегистрирован",
        "order": 10,
        "kind": "open",
        "probability": 10,
        "time_limit_days": 2,
        "may_skip": False,
        "required_fields": ["lines"],
        "color": "#64748b",
        "requirements": [],
    }
    email = ActivityKind.objects.get(code="email")
    assert sent["requirements"] == [
        {
            "kind": "document",
            "document": "proposal_issued",
            "activity_kind": None,
            "title": "Коммерческое предложение выставлено",
        },
        {"kind": "activity", "document": "", "activity_kind": email.pk, "title": email.name},
    ]
    assert api.get(f"/api/v1/pipelines/{sale['id']}/").json() == sale


def test_pipeline_list_queries_do_not_grow(api, manager, administrator):
    api.force_authenticate(manager)
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/pipelines/")
    api.force_authenticate(administrator)
    for code in ("a", "b", "c"):
        api.post("/api/v1/pipelines/", {"name": code, "code": code}, format="json")
    api.force_authenticate(manager)
    with CaptureQueriesContext(connection) as four:
        response = api.get("/api/v1/pipelines/")
    assert len(response.json()) == 4
    assert len(four) == len(one)


def test_lost_reasons_read_only(api, manager):
    LostReason.objects.filter(name="Дорого").update(is_active=False)
    api.force_authenticate(manager)
    rows = api.get("/api/v1/lost-reasons/").json()
    assert rows[0] == {
        "id": LostReason.objects.get(name="Дорого").pk,
        "name": "Дорого",
        "order": 10,
        "is_active": False,
    }
    active = api.get("/api/v1/lost-reasons/", {"active": "1"}).json()
    assert "Дорого" not in [row["name"] for row in active]
    assert len(active) == len(rows) - 1
    assert api.post("/api/v1/lost-reasons/", {"name": "x"}, format="json").status_code == 405


def test_reading_needs_a_login(api):
    assert api.get("/api/v1/pipelines/").status_code in (401, 403)
    assert api.get("/api/v1/stages/").status_code in (401, 403)
    assert api.get("/api/v1/lost-reasons/").status_code in (401, 403)


def test_writes_are_for_administrators(api, manager):
    api.force_authenticate(manager)
    response = api.post("/api/v1/pipelines/", {"name": "x", "code": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Изменять воронки продаж может только администратор"
    )
    target = stage("decision")
    assert api.patch(f"/api/v1/stages/{target.pk}/", {"probability": 1}).status_code == 403
    assert api.delete(f"/api/v1/stages/{target.pk}/").status_code == 403
    assert api.post(f"/api/v1/stages/{target.pk}/move/", {"direction": "up"}).status_code == 403
    assert Pipeline.objects.count() == 1
    assert Stage.objects.get(pk=target.pk).probability == 50
    assert not AuditEntry.objects.exists()


def test_administrator_creates_and_edits(api, administrator):
    api.force_authenticate(administrator)
    response = api.post(
        "/api/v1/pipelines/", {"name": "Сервис", "code": "service", "order": 5}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert [(s["code"], s["kind"]) for s in body["stages"]] == [
        ("new", "open"),
        ("won", "won"),
        ("lost", "lost"),
    ]
    response = api.patch(f"/api/v1/pipelines/{body['id']}/", {"name": "Сервис и ремонт"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["code"], response.json()["order"]) == (
        "Сервис и ремонт",
        "service",
        5,
    )
    call = ActivityKind.objects.get(code="call")
    response = api.post(
        "/api/v1/stages/",
        {
            "pipeline": body["id"],
            "name": "Диагностика",
            "code": "diag",
            "kind": "open",
            "probability": 30,
            "time_limit_days": 3,
            "required_fields": ["contact"],
            "documents": ["proposal_issued"],
            "activity_kinds": [call.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["order"], created["probability"], created["time_limit_days"]) == (20, 30, 3)
    assert [r["kind"] for r in created["requirements"]] == ["document", "activity"]
    response = api.patch(f"/api/v1/stages/{created['id']}/", {"probability": 45}, format="json")
    assert response.status_code == 200
    assert response.json()["probability"] == 45
    assert len(response.json()["requirements"]) == 2  # kept by a partial update
    response = api.post(f"/api/v1/stages/{created['id']}/move/", {"direction": "up"})
    assert [s["code"] for s in response.json()] == ["diag", "new", "won", "lost"]
    assert api.delete(f"/api/v1/stages/{created['id']}/").status_code == 204
    listed = api.get("/api/v1/stages/", {"pipeline": body["id"]}).json()
    assert [s["code"] for s in listed] == ["new", "won", "lost"]
    sources = set(AuditEntry.objects.values_list("source", flat=True))
    assert sources == {AuditSource.API}


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "", "code": "x"}, {"name": ["Заполните поле «название»"]}),
        ({"name": "x", "code": "sale"}, {"code": ["Воронка с кодом «sale» уже есть"]}),
        (
            {"name": "x", "code": "x", "is_default": "может"},
            {"is_default": ["Поле «По умолчанию»: ожидалось true или false"]},
        ),
    ],
)
def test_bad_pipeline_input(api, administrator, payload, fields):
    api.force_authenticate(administrator)
    response = api.post("/api/v1/pipelines/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert Pipeline.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"probability": 150}, {"probability": ["Вероятность — целое число от 0 до 100"]}),
        ({"kind": "won"}, {"kind": ["В воронке должен быть ровно один этап «Успех» (сейчас: 2)"]}),
        ({"code": "interest"}, {"code": ["Этап с кодом «interest» в этой воронке уже есть"]}),
        (
            {"required_fields": "amount"},
            {"required_fields": ["Поле «Обязательно заполнить для выхода»: ожидался список"]},
        ),
    ],
)
def test_bad_stage_input(api, administrator, payload, fields):
    api.force_authenticate(administrator)
    target = stage("decision")
    response = api.patch(f"/api/v1/stages/{target.pk}/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    target.refresh_from_db()
    assert (target.probability, target.kind, target.code) == (50, "open", "decision")
    assert not AuditEntry.objects.exists()


def test_bad_stage_create_and_move(api, administrator):
    api.force_authenticate(administrator)
    response = api.post("/api/v1/stages/", {"pipeline": 999999, "name": "x", "code": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"pipeline": ["Нет такой воронки: 999999"]}
    response = api.post(f"/api/v1/stages/{stage('decision').pk}/move/", {"direction": "left"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"direction": ["Направление — «up» или «down»"]}
    response = api.delete(f"/api/v1/stages/{stage('won').pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "В воронке должен быть ровно один этап «Успех» (сейчас: 0)"
    )
    assert Stage.objects.count() == 7

"""/api/v1/deals/: list with filters, retrieve, create, update, move (200 / 400 with Russian
problems and nothing changed), close-lost, reopen, stage changes; 404 for others' deals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from crm.clients.tests.factories import ClientFactory
from crm.sales.models import AutomationRule, Deal, DealStageChange, DealStatus
from crm.sales.tests.factories import (
    DealFactory,
    PipelineFactory,
    StageFactory,
    lost_reason,
    stage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rules():
    AutomationRule.objects.update(is_active=False)


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def url(deal: Deal, action: str = "") -> str:
    return f"/api/v1/deals/{deal.pk}/" + (f"{action}/" if action else "")


def test_list_is_scoped_and_filtered(api, manager, other_manager):
    mine = DealFactory(manager=manager, title="Моя", stage=stage("decision"))
    DealFactory(manager=manager, title="Вторая")
    DealFactory(manager=other_manager, title="Чужая")
    body = api.get("/api/v1/deals/").json()
    assert body["count"] == 2
    assert sorted(row["title"] for row in body["results"]) == ["Вторая", "Моя"]
    body = api.get("/api/v1/deals/", {"stage": stage("decision").pk}).json()
    assert [row["number"] for row in body["results"]] == [mine.number]
    assert body["results"][0]["stage_code"] == "decision"
    assert body["results"][0]["stage_name"] == "Ожидание решения"


def test_retrieve_and_404_for_others(api, manager, other_manager):
    deal = DealFactory(manager=manager, amount=Decimal("10.50"))
    body = api.get(url(deal)).json()
    assert (body["number"], body["amount"], body["status"]) == (deal.number, "10.50", "open")
    other = DealFactory(manager=other_manager)
    response = api.get(url(other))
    assert response.status_code == 404
    assert api.post(url(other, "move"), {"stage": "decision"}, format="json").status_code == 404


def test_create(api, manager):
    client = ClientFactory(owner=manager)
    response = api.post(
        "/api/v1/deals/",
        {
            "client": client.pk,
            "title": "Поставка",
            "expected_close_date": "2026-12-20",
            "lines": [{"name": "Монтаж", "quantity": "2", "price": "1500.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("С-")
    assert (body["stage_code"], body["amount"], body["manager"]) == (
        "interest",
        "3000.00",
        manager.pk,
    )
    assert [line["name"] for line in body["lines"]] == ["Монтаж"]


def test_create_bad_input_in_russian(api, manager, other_manager):
    foreign = ClientFactory(owner=other_manager)
    response = api.post(
        "/api/v1/deals/", {"client": foreign.pk, "title": "X", "status": "won"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["client"] == ["Клиент не найден"]
    assert fields["status"][0].startswith("Поле «status» здесь не меняется")
    client = ClientFactory(owner=manager)
    response = api.post(
        "/api/v1/deals/", {"client": client.pk, "title": "", "amount": "-1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "title": ["Укажите название сделки"],
        "amount": ["Сумма — неотрицательное число с точностью до копеек"],
    }
    assert not Deal.objects.exists()


def test_update_and_not_mass_assignable(api, manager, colleague):
    deal = DealFactory(manager=manager, title="Старое")
    response = api.patch(url(deal), {"title": "Новое", "amount": "99.90"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["amount"]) == ("Новое", "99.90")
    for field, value in (
        ("status", "won"),
        ("stage", stage("won").pk),
        ("department", None),
    ):
        response = api.patch(url(deal), {field: value, "title": "Ещё"}, format="json")
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
    response = api.patch(url(deal), {"manager": colleague.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "manager": ["Назначить ответственным этого сотрудника вы не можете"]
    }
    deal.refresh_from_db()
    assert (deal.title, deal.status, deal.manager) == ("Новое", DealStatus.OPEN, manager)


def test_move_ok_by_id_and_by_code(api, manager):
    deal = DealFactory(manager=manager, stage=stage("proposal_sent"))
    response = api.post(url(deal, "move"), {"stage": stage("decision").pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["stage_code"] == "decision"
    response = api.post(
        url(deal, "move"), {"stage": "invoice", "comment": "Счёт готов"}, format="json"
    )
    assert response.status_code == 200
    changes = api.get(url(deal, "stage-changes")).json()
    assert [(c["from_stage_name"], c["to_stage_name"], c["comment"]) for c in changes] == [
        ("КП отправлено", "Ожидание решения", ""),
        ("Ожидание решения", "Счёт выставлен", "Счёт готов"),
    ]


def test_move_refused_answers_problems_and_changes_nothing(api, manager):
    deal = DealFactory(manager=manager)
    response = api.post(url(deal, "move"), {"stage": "proposal_sent"}, format="json")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems[0] == {
        "code": "field_required",
        "message": "Чтобы уйти с этапа «Интерес зарегистрирован», заполните поле «Товары и услуги»",
        "field": "lines",
    }
    assert [p["code"] for p in problems] == [
        "field_required",
        "document_missing",
        "activity_missing",
    ]
    deal.refresh_from_db()
    assert deal.stage == stage("interest")
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_move_to_unknown_stage_and_another_pipelines_stage(api, manager):
    deal = DealFactory(manager=manager)
    foreign = StageFactory(pipeline=PipelineFactory(), name="Чужой этап")
    for value in (999999, "nonexistent", foreign.pk):
        response = api.post(url(deal, "move"), {"stage": value}, format="json")
        assert response.status_code == 400
        assert response.json()["problems"] == [
            {
                "code": "unknown_stage",
                "message": "Этап не найден в воронке сделки",
                "field": "stage",
            }
        ]
    response = api.post(url(deal, "move"), {}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()["error"]["fields"]
    deal.refresh_from_db()
    assert deal.stage == stage("interest")


def test_move_with_data_fills_fields(api, manager):
    deal = DealFactory(manager=manager, stage=stage("invoice"))
    response = api.post(
        url(deal, "move"), {"stage": "paid", "data": {"amount": "-3"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {
            "code": "invalid",
            "message": "Сумма — неотрицательное число с точностью до копеек",
            "field": "amount",
        }
    ]
    response = api.post(
        url(deal, "move"), {"stage": "paid", "data": {"amount": "500"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["amount"] == "500.00"


def test_close_lost_needs_reason_then_reopen(api, manager):
    deal = DealFactory(manager=manager, stage=stage("decision"))
    response = api.post(url(deal, "close-lost"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {
            "code": "lost_reason_required",
            "message": "Укажите причину проигрыша",
            "field": "lost_reason",
        }
    ]
    response = api.post(url(deal, "close-lost"), {"reason": 999999}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == (
        "Причина проигрыша не найдена или не используется"
    )
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN
    response = api.post(
        url(deal, "close-lost"),
        {"reason": lost_reason().pk, "comment": "Дорого"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["lost_reason"]) == (
        "lost",
        lost_reason().pk,
    )
    response = api.post(url(deal, "move"), {"stage": "decision"}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == (
        "Сделка закрыта — сначала откройте её заново"
    )
    response = api.post(url(deal, "reopen"), format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stage_code"]) == ("open", "decision")


def test_move_check(api, manager):
    deal = DealFactory(manager=manager, stage=stage("decision"))
    body = api.get(url(deal, "move-check"), {"stage": "paid"}).json()
    assert [p["code"] for p in body["problems"]] == ["skip_refused", "field_required"]
    assert api.get(url(deal, "move-check"), {"stage": "invoice"}).json() == {"problems": []}


def _list_queries(api) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/deals/")
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(api, manager, colleague):
    from crm.sales.tests.factories import DealLineFactory

    def make(count):
        for _ in range(count):
            deal = DealFactory(manager=manager, co_executors=[colleague])
            DealLineFactory(deal=deal)

    make(3)
    _list_queries(api)  # the user's role and stand-ins are cached on the user after this
    few = _list_queries(api)
    make(27)
    assert _list_queries(api) == few

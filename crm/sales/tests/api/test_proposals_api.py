# ruff: noqa: F811  (pytest fixtures imported from proposal_fixtures)
"""/api/v1/proposals/: list and retrieve scoped to the user, create from a deal, update a
draft, issue, send, PDF; bad input answers 400 in Russian and changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from crm.activities.models import Activity
from crm.sales.models import Proposal, ProposalStatus
from crm.sales.services import proposals as services
from crm.sales.tests.proposal_fixtures import (  # noqa: F401 (fixtures)
    EXAMPLE_LINES,
    T0,
    deal,
    ivanov,
    organization,
    romashka,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return T0


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def stranger(other_manager):
    client = APIClient()
    client.force_authenticate(other_manager)
    return client


@pytest.fixture
def draft(at_t0, deal, manager):
    return services.proposal_create(deal=deal, by=manager)


def test_create_from_a_deal(api, at_t0, deal):
    response = api.post("/api/v1/proposals/", {"deal": deal.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["number"] == ""
    assert body["total"] == "7703.68"
    assert body["valid_until"] == "2026-12-06"
    assert [line["vat_rate"] for line in body["lines"]] == ["22", "10", "22"]
    assert body["file_name"] == f"КП-черновик-{body['id']}.pdf"


def test_create_for_a_deal_not_visible(stranger, deal):
    response = stranger.post("/api/v1/proposals/", {"deal": deal.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"deal": ["Сделка не найдена"]}
    assert not Proposal.objects.exists()


def test_list_and_retrieve_are_scoped(api, stranger, draft):
    assert [row["id"] for row in api.get("/api/v1/proposals/").json()["results"]] == [draft.pk]
    assert stranger.get("/api/v1/proposals/").json()["results"] == []
    assert stranger.get(f"/api/v1/proposals/{draft.pk}/").status_code == 404
    assert stranger.post(f"/api/v1/proposals/{draft.pk}/issue/").status_code == 404
    assert stranger.get(f"/api/v1/proposals/{draft.pk}/pdf/").status_code == 404
    assert api.get(f"/api/v1/proposals/?deal={draft.deal_id}&status=draft").json()["count"] == 1
    assert api.get("/api/v1/proposals/?status=sent").json()["count"] == 0


def test_update_draft_lines(api, draft):
    response = api.patch(
        f"/api/v1/proposals/{draft.pk}/",
        {"lines": EXAMPLE_LINES, "terms": "Срок поставки 10 дней"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["total"], body["vat_amount"], body["amount_without_vat"]) == (
        "19143.48",
        "861.75",
        "18281.73",
    )
    assert body["terms"] == "Срок поставки 10 дней"


def test_update_bad_line_is_refused(api, draft):
    lines = [EXAMPLE_LINES[0], {**EXAMPLE_LINES[1], "discount_percent": "150"}]
    response = api.patch(f"/api/v1/proposals/{draft.pk}/", {"lines": lines}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "lines": ["Строка 2: скидка должна быть от 0 до 100 %"]
    }
    draft.refresh_from_db()
    assert draft.total.to_eng_string() == "7703.68"


def test_issue_then_edit_is_refused(api, draft):
    response = api.post(f"/api/v1/proposals/{draft.pk}/issue/")
    assert response.status_code == 200
    assert response.json()["number"] == "КП-2026-0001"
    assert response.json()["seller"]["inn"] == "7707083893"
    refused = api.patch(f"/api/v1/proposals/{draft.pk}/", {"terms": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["status"] == [
        "КП-2026-0001 от 26.11.2026 уже выставлено — изменить его нельзя. "
        "Чтобы исправить, создайте новую версию."
    ]
    version = api.post(f"/api/v1/proposals/{draft.pk}/new-version/")
    assert version.status_code == 201
    assert version.json()["version"] == 2
    assert version.json()["previous"] == draft.pk


def test_send(api, draft, deal):
    bad = api.post(f"/api/v1/proposals/{draft.pk}/send/", {"to": []}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"to": ["Укажите хотя бы одного получателя"]}
    bad = api.post(f"/api/v1/proposals/{draft.pk}/send/", {"to": ["x@"]}, format="json")
    assert bad.json()["error"]["fields"] == {"to": ["«x@» — не адрес эл. почты"]}
    assert mail.outbox == []
    assert not Activity.objects.exists()

    response = api.post(
        f"/api/v1/proposals/{draft.pk}/send/", {"to": ["ivanov@romashka.test"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == ProposalStatus.SENT
    assert body["number"] == "КП-2026-0001"
    activity = Activity.objects.get(pk=body["activity"])
    assert activity.kind.code == "email"
    assert activity.deal_link.deal == deal
    [letter] = mail.outbox
    assert letter.subject == "Коммерческое предложение № КП-2026-0001 от ООО «Свод»"
    assert letter.attachments[0][1].startswith(b"%PDF")


def test_pdf(api, draft):
    response = api.get(f"/api/v1/proposals/{draft.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")


def test_list_queries_do_not_grow(api, at_t0, deal, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/proposals/").status_code == 200
        return len(queries)

    services.proposal_create(deal=deal, by=manager)
    count()  # caches (content types, the user's substitutions) fill on the first request
    one = count()
    for _ in range(4):
        services.proposal_create(deal=deal, by=manager)
    assert count() == one

# ruff: noqa: F811  (pytest fixtures imported from proposal_fixtures)
"""Pages of proposals: the deal tab, «Создать КП», the editor (save, bad lines, issue, live
totals), print and PDF, the e-mail dialog, decisions and versions; another manager gets 404."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from crm.activities.models import Activity
from crm.sales.models import Proposal, ProposalStatus
from crm.sales.services import proposals as services
from crm.sales.tests.factories import stage
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
def draft(at_t0, deal, manager):
    return services.proposal_create(deal=deal, by=manager)


@pytest.fixture
def issued(draft, manager):
    return services.proposal_issue(proposal=draft, by=manager)


def _formset(lines: list[dict], **header: str) -> dict[str, str]:
    data = {
        "date": "2026-11-26",
        "valid_until": "2026-12-06",
        "organization": header.pop("organization"),
        "contact": header.pop("contact", ""),
        "currency": "RUB",
        "prices_include_vat": "on",
        "terms": "Оплата по счёту",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data


def test_deal_tab_lists_proposals(client, manager, deal, issued):
    client.force_login(manager)
    response = client.get(reverse("sales:deal_proposals", args=[deal.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "КП-2026-0001" in html
    assert "Выставлено" in html
    assert "7\u00a0703,68" in html
    assert reverse("sales:proposal_create", args=[deal.pk]) in html


def test_create_from_the_deal_opens_the_editor(client, at_t0, manager, deal):
    client.force_login(manager)
    response = client.post(reverse("sales:proposal_create", args=[deal.pk]))
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:proposal_detail", args=[proposal.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Станок сверлильный СС-12"' in html
    assert "Выставить и отправить" in html
    assert proposal.lines.count() == 3


def test_editor_saves_the_draft(client, manager, draft, organization, ivanov):
    client.force_login(manager)
    response = client.post(
        reverse("sales:proposal_detail", args=[draft.pk]),
        _formset(
            EXAMPLE_LINES, organization=str(organization.pk), contact=str(ivanov.pk), action="save"
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.total == Decimal("19143.48")
    assert draft.vat_amount == Decimal("861.75")
    assert draft.terms == "Оплата по счёту"
    assert draft.status == ProposalStatus.DRAFT


def test_editor_names_the_bad_line_and_changes_nothing(client, manager, draft, organization):
    client.force_login(manager)
    lines = [dict(EXAMPLE_LINES[0]), dict(EXAMPLE_LINES[1], quantity="0")]
    response = client.post(
        reverse("sales:proposal_detail", args=[draft.pk]),
        _formset(lines, organization=str(organization.pk), action="issue"),
    )
    assert response.status_code == 200
    assert "Строка 2: количество должно быть больше нуля" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT
    assert draft.total == Decimal("7703.68")


def test_issue_and_send_goes_to_the_letter(client, manager, draft, organization, ivanov):
    client.force_login(manager)
    response = client.post(
        reverse("sales:proposal_detail", args=[draft.pk]),
        _formset(
            EXAMPLE_LINES,
            organization=str(organization.pk),
            contact=str(ivanov.pk),
            action="issue_send",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:proposal_send", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.number == "КП-2026-0001"
    letter = client.get(response["Location"])
    html = letter.content.decode()
    assert 'value="ivanov@romashka.test"' in html
    assert "Коммерческое предложение № КП-2026-0001 от ООО «Свод»" in html
    assert "КП-2026-0001.pdf" in html


def test_live_totals(client, manager, draft, organization):
    client.force_login(manager)
    response = client.post(
        reverse("sales:proposal_totals", args=[draft.pk]),
        _formset(
            [*EXAMPLE_LINES, {"name": "Без цены", "quantity": "x"}],
            organization=str(organization.pk),
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "19\u00a0143,48" in html
    assert "В том числе НДС 22 %" in html and "634,48" in html
    assert "В том числе НДС 10 %" in html and "227,27" in html
    assert 'id="line-sum-0"' in html and "3\u00a0518,50" in html
    assert "Строка 4: «x» — не число" in html
    draft.refresh_from_db()
    assert draft.total == Decimal("7703.68")  # nothing saved


def test_issued_page_refuses_edits(client, manager, issued, organization):
    client.force_login(manager)
    page = client.get(reverse("sales:proposal_detail", args=[issued.pk]))
    assert page.status_code == 200
    assert "Новая версия" in page.content.decode()
    response = client.post(
        reverse("sales:proposal_detail", args=[issued.pk]),
        _formset(EXAMPLE_LINES, organization=str(organization.pk), action="save"),
        follow=True,
    )
    assert "уже выставлено — изменить его нельзя" in response.content.decode()
    issued.refresh_from_db()
    assert issued.total == Decimal("7703.68")


def test_print_and_pdf(client, manager, issued):
    client.force_login(manager)
    page = client.get(reverse("sales:proposal_print", args=[issued.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ" in html
    assert "№ КП-2026-0001" in html
    assert "Семь тысяч семьсот три рубля 68 копеек" in html
    assert "В том числе НДС 22 %:" in html
    assert "Петров Пётр Петрович" in html
    pdf = client.get(reverse("sales:proposal_pdf", args=[issued.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "filename*=UTF-8''%D0%9A%D0%9F-2026-0001.pdf" in pdf["Content-Disposition"]


def test_send_page(client, manager, issued, deal):
    client.force_login(manager)
    url = reverse("sales:proposal_send", args=[issued.pk])
    bad = client.post(url, {"to": "кому-то", "subject": "Тема", "body": "Текст"})
    assert bad.status_code == 200
    assert "«кому-то» — не адрес эл. почты" in bad.content.decode()
    assert mail.outbox == []

    response = client.post(url, {"to": "ivanov@romashka.test", "subject": "", "body": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk]) + "?tab=proposals"
    [letter] = mail.outbox
    assert letter.attachments[0][0] == "КП-2026-0001.pdf"
    tab = client.get(reverse("sales:deal_proposals", args=[deal.pk])).content.decode()
    assert "Отправлено" in tab
    assert "КП-2026-0001.pdf" in tab
    assert "Позвонить и узнать решение клиента по коммерческому предложению" in tab
    deal.refresh_from_db()
    assert deal.stage == stage("proposal_sent")


def test_decisions_and_new_version(client, manager, issued):
    client.force_login(manager)
    response = client.post(reverse("sales:proposal_new_version", args=[issued.pk]))
    new = Proposal.objects.get(previous=issued)
    assert response["Location"] == reverse("sales:proposal_detail", args=[new.pk])
    client.post(reverse("sales:proposal_decision", args=[issued.pk, "accepted"]))
    issued.refresh_from_db()
    assert issued.status == ProposalStatus.ACCEPTED
    assert (
        client.post(reverse("sales:proposal_decision", args=[issued.pk, "maybe"])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("sales:proposal_detail", "get"),
        ("sales:proposal_print", "get"),
        ("sales:proposal_pdf", "get"),
        ("sales:proposal_send", "get"),
        ("sales:proposal_send", "post"),
        ("sales:proposal_totals", "post"),
        ("sales:proposal_issue", "post"),
        ("sales:proposal_new_version", "post"),
    ],
)
def test_another_manager_gets_404(client, other_manager, issued, name, method):
    client.force_login(other_manager)
    response = getattr(client, method)(reverse(name, args=[issued.pk]))
    assert response.status_code == 404
    assert mail.outbox == []
    assert not Activity.objects.exists()


def test_another_managers_deal_tab_and_create_answer_404(client, other_manager, deal):
    client.force_login(other_manager)
    assert client.get(reverse("sales:deal_proposals", args=[deal.pk])).status_code == 404
    assert client.post(reverse("sales:proposal_create", args=[deal.pk])).status_code == 404
    assert not Proposal.objects.exists()


def test_co_executor_of_the_deal_sees_its_proposals(client, colleague, deal, issued, other_manager):
    deal.co_executors.add(other_manager)
    client.force_login(other_manager)
    assert client.get(reverse("sales:proposal_detail", args=[issued.pk])).status_code == 200


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_deal_tab_queries_do_not_grow_with_proposals(client, at_t0, manager, deal):
    client.force_login(manager)
    url = reverse("sales:deal_proposals", args=[deal.pk])
    services.proposal_create(deal=deal, by=manager)
    _count_queries(client, url)  # caches fill on the first request
    one = _count_queries(client, url)
    for _ in range(4):
        services.proposal_issue(
            proposal=services.proposal_create(deal=deal, by=manager), by=manager
        )
    assert _count_queries(client, url) == one


@pytest.fixture
def _restore_language():
    """The middleware activates an English user's language in the test's thread."""
    language = translation.get_language()
    yield
    translation.activate(language)


def test_issued_page_without_a_buyer_snapshot_names_the_client(client, manager, issued):
    # the demo data stores sent proposals with an empty buyer; the page answered 500
    Proposal.objects.filter(pk=issued.pk).update(buyer={})
    client.force_login(manager)
    page = client.get(reverse("sales:proposal_detail", args=[issued.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Общество с ограниченной ответственностью «Ромашка», ИНН 7701234567" in html
    assert "7\u00a0703,68\u00a0₽" in html


def test_print_toolbar_speaks_the_users_language(client, manager, issued, _restore_language):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    html = client.get(reverse("sales:proposal_print", args=[issued.pk])).content.decode()
    assert "Back to the proposal" in html
    assert "Download PDF" in html
    assert "КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ" in html  # the document itself stays Russian

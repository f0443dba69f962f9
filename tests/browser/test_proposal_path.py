"""The seed's path "interest registered → proposal → e-mail → follow-up call in 3 days" in one
browser session: from the deal card «Создать КП» opens the editor with the deal's lines, a
product is picked from the catalog, «Выставить и отправить» issues it and opens the letter, and
after sending the deal card shows the sent proposal, the e-mail with its PDF and the planned
call."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.activities.models import Activity
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.sales.models import Proposal, ProposalStatus, VatKind
from crm.sales.tests.factories import (
    DealFactory,
    DealLineFactory,
    OrganizationFactory,
    ProductFactory,
    stage,
)
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def manager():
    return UserFactory(
        username="kotova",
        first_name="Мария",
        last_name="Котова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Москва»"),
    )


@pytest.fixture
def deal(manager):
    OrganizationFactory()
    client = ClientFactory(
        name="ООО «Ромашка»",
        inn="7701234567",
        kpp="770101001",
        owner=manager,
        legal_address="125009, г. Москва, ул. Тверская, д. 7",
    )
    person = ContactPersonFactory(
        last_name="Петрова",
        first_name="Ольга",
        middle_name="Ивановна",
        email="petrova@romashka.test",
    )
    ClientContact.objects.create(client=client, contact=person, is_main=True)
    deal = DealFactory(manager=manager, client=client, contact=person, title="Станки для цеха")
    drill = ProductFactory(name="Станок сверлильный СС-12", price=Decimal("48500.00"))
    DealLineFactory(
        deal=deal,
        product=drill,
        name=drill.name,
        quantity=Decimal("2"),
        price=Decimal("48500.00"),
        order=1,
    )
    ProductFactory(
        name="Руководство по эксплуатации",
        article="RE-1",
        price=Decimal("1200.00"),
        vat_kind=VatKind.REDUCED,
    )
    return deal


def test_proposal_from_deal_to_follow_up_call(page, manager, deal):
    login(page, "kotova")
    page.goto(f"/deals/{deal.pk}/?tab=proposals")
    page.locator("[data-proposal-create]").click()

    # The editor: the deal's line is there, totals come from the server.
    expect(page.locator("[data-line-row]:visible")).to_have_count(1)
    expect(page.locator("[data-line-row] [data-name]").first).to_have_value(
        "Станок сверлильный СС-12"
    )
    expect(page.locator("#proposal-totals [data-total]")).to_contain_text("97 000,00")
    expect(page.locator("#line-sum-0")).to_have_text("97\u00a0000,00")

    # A second line picked from the catalog: price, unit and 10 % VAT filled in.
    page.locator("[data-line-add]").click()
    name = page.locator("[data-line-row]").nth(1).locator("[data-name]")
    name.fill("Руковод")
    page.locator("[data-picker] button", has_text="Руководство по эксплуатации").click()
    row = page.locator("[data-line-row]").nth(1)
    expect(row.locator("[data-price]")).to_have_value("1200,00")
    expect(row.locator("[data-vat]")).to_have_value("10")
    expect(page.locator("#proposal-totals [data-total]")).to_contain_text("98 200,00")
    expect(page.locator("#proposal-totals")).to_contain_text("В том числе НДС 22 %")
    expect(page.locator("#proposal-totals")).to_contain_text("В том числе НДС 10 %")
    assert_fits_laptop(page)
    screenshot(page, "proposal-editor")

    page.locator("[data-proposal-issue-send]").click()

    # The letter: to the deal's contact, the number in the subject, the PDF attached.
    expect(page.get_by_label("Кому")).to_have_value("petrova@romashka.test")
    expect(page.get_by_label("Тема")).to_have_value(re.compile(r"КП-\d{4}-0001"))
    expect(page.locator("[data-attachment]")).to_have_text(re.compile(r"КП-\d{4}-0001\.pdf"))
    screenshot(page, "proposal-send")
    page.locator("[data-send]").click()

    # Back on the deal card: the sent proposal, the e-mail with its PDF, the planned call.
    page.wait_for_url(re.compile(rf"/deals/{deal.pk}/\?tab=proposals$"))
    tab = page.locator("[data-deal-proposals]")
    expect(tab).to_contain_text(re.compile(r"КП-\d{4}-0001"))
    expect(tab).to_contain_text("Отправлено")
    expect(tab.locator("[data-sent-emails]")).to_contain_text(re.compile(r"КП-\d{4}-0001\.pdf"))
    expect(tab.locator("[data-planned]")).to_contain_text(
        "Позвонить и узнать решение клиента по коммерческому предложению"
    )
    expect(page.locator(".deal-stage.is-current")).to_have_text("КП отправлено")
    screenshot(page, "proposal-sent-deal-card")

    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.SENT
    assert [letter.to for letter in mail.outbox] == [["petrova@romashka.test"]]
    assert Activity.objects.filter(deal_link__deal=deal, kind__code="call").count() == 1
    deal.refresh_from_db()
    assert deal.stage == stage("proposal_sent")


def test_print_form_page(page, manager, deal):
    from crm.sales.services import proposals as services

    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_issue(proposal=proposal, by=manager)
    login(page, "kotova")
    page.goto(f"/deals/proposals/{proposal.pk}/print/")
    expect(page.locator("h1")).to_have_text("КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ")
    expect(page.locator("body")).to_contain_text("Девяносто семь тысяч рублей 00 копеек")
    screenshot(page, "proposal-print")

    page.goto(f"/deals/proposals/{proposal.pk}/")
    expect(page.locator("[data-stored-lines]")).to_contain_text("Станок сверлильный СС-12")
    expect(page.locator("[data-proposal-new-version]")).to_be_visible()
    assert_fits_laptop(page)
    screenshot(page, "proposal-issued")

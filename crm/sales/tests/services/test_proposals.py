# ruff: noqa: F811  (pytest fixtures imported from proposal_fixtures)
"""Services of commercial proposals: draft from a deal, exact totals, issue with numbering,
immutability, versions, decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.core.models import AuditEntry
from crm.sales.models import Proposal, ProposalLine, ProposalStatus
from crm.sales.services import proposals as services
from crm.sales.tests.factories import OrganizationFactory
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


def _lines(proposal: Proposal) -> list[tuple]:
    return [
        (
            line.order,
            line.name,
            line.quantity,
            line.unit_name,
            line.price,
            line.discount_percent,
            line.vat_rate,
            line.amount_without_vat,
            line.vat_amount,
            line.total,
        )
        for line in proposal.lines.order_by("order")
    ]


# ---------------------------------------------------------------------------------------------
# Create


def test_create_copies_the_deal(at_t0, deal, manager, organization, ivanov):
    proposal = services.proposal_create(deal=deal, by=manager)

    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.number == ""
    assert proposal.client_id == deal.client_id
    assert proposal.contact_id == ivanov.pk
    assert proposal.manager_id == manager.pk
    assert proposal.department_id == manager.department_id
    assert proposal.organization_id == organization.pk
    assert proposal.date == dt.date(2026, 11, 26)
    assert proposal.valid_until == dt.date(2026, 12, 6)
    assert proposal.currency == "RUB"
    assert proposal.prices_include_vat is True
    # general → 22 % in 2026, reduced → 10 %, a free-text line at the general rate
    assert _lines(proposal) == [
        (
            1,
            "Станок сверлильный СС-12",
            Decimal("3.000"),
            "шт",
            Decimal("1234.56"),
            Decimal("0.00"),
            "22",
            Decimal("3035.80"),
            Decimal("667.88"),
            Decimal("3703.68"),
        ),
        (
            2,
            "Руководство по эксплуатации",
            Decimal("2.000"),
            "шт",
            Decimal("500.00"),
            Decimal("0.00"),
            "10",
            Decimal("909.09"),
            Decimal("90.91"),
            Decimal("1000.00"),
        ),
        (
            3,
            "Доставка",
            Decimal("1.000"),
            "усл",
            Decimal("3000.00"),
            Decimal("0.00"),
            "22",
            Decimal("2459.02"),
            Decimal("540.98"),
            Decimal("3000.00"),
        ),
    ]
    assert proposal.total == Decimal("7703.68")
    assert proposal.vat_amount == Decimal("1299.77")
    assert proposal.amount_without_vat == Decimal("6403.91")
    entry = AuditEntry.objects.get(
        content_type__model="proposal", object_id=str(proposal.pk), action="create"
    )
    assert entry.actor == manager


def test_create_rates_follow_the_proposal_date(deal, manager, time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 31, 9, 0, tzinfo=dt.UTC), tick=False)
    proposal = services.proposal_create(deal=deal, by=manager)
    assert [line.vat_rate for line in proposal.lines.order_by("order")] == ["20", "10", "20"]


def test_create_for_an_organization_without_vat(deal, manager, organization):
    organization.is_vat_payer = False
    organization.save()
    proposal = services.proposal_create(deal=deal, by=manager)
    assert {line.vat_rate for line in proposal.lines.all()} == {"none"}
    assert proposal.vat_amount == Decimal("0.00")


def test_create_without_organization_is_refused(deal, manager, organization):
    organization.is_active = False
    organization.save()
    with pytest.raises(ValidationError) as error:
        services.proposal_create(deal=deal, by=manager)
    assert error.value.message_dict == {"organization": [str(services.ERROR_NO_ORGANIZATION)]}
    assert not Proposal.objects.exists()


# ---------------------------------------------------------------------------------------------
# Totals


def test_hand_worked_example(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_save_draft(proposal=proposal, by=manager, data={}, lines=EXAMPLE_LINES)

    proposal.refresh_from_db()
    assert _lines(proposal) == [
        (
            1,
            "Станок сверлильный СС-12",
            Decimal("3.000"),
            "шт",
            Decimal("1234.56"),
            Decimal("5.00"),
            "22",
            Decimal("2884.02"),
            Decimal("634.48"),
            Decimal("3518.50"),
        ),
        (
            2,
            "Монтаж оборудования",
            Decimal("2.500"),
            "ч",
            Decimal("999.99"),
            Decimal("0.00"),
            "10",
            Decimal("2272.71"),
            Decimal("227.27"),
            Decimal("2499.98"),
        ),
        (
            3,
            "Обучение персонала",
            Decimal("1.000"),
            "усл",
            Decimal("15000.00"),
            Decimal("12.50"),
            "none",
            Decimal("13125.00"),
            Decimal("0.00"),
            Decimal("13125.00"),
        ),
    ]
    assert proposal.total == Decimal("19143.48")
    assert proposal.vat_amount == Decimal("861.75")
    assert proposal.amount_without_vat == Decimal("18281.73")


def test_prices_without_vat(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_save_draft(
        proposal=proposal, by=manager, data={"prices_include_vat": False}, lines=EXAMPLE_LINES
    )
    proposal.refresh_from_db()
    # 3 518,50 + 22 % = 774,07; 2 499,98 + 10 % = 250,00; 13 125,00 без НДС
    assert [(line.vat_amount, line.total) for line in proposal.lines.order_by("order")] == [
        (Decimal("774.07"), Decimal("4292.57")),
        (Decimal("250.00"), Decimal("2749.98")),
        (Decimal("0.00"), Decimal("13125.00")),
    ]
    assert proposal.amount_without_vat == Decimal("19143.48")
    assert proposal.vat_amount == Decimal("1024.07")
    assert proposal.total == Decimal("20167.55")


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "total"),
    [
        ("1", "10.10", "5", Decimal("9.59")),  # discount 0,505 → 0,51
        ("1", "10.30", "5", Decimal("9.78")),  # discount 0,515 → 0,52
        ("0.5", "10.01", "0", Decimal("5.01")),  # sum 5,005 → 5,01
        ("7", "99.99", "33.33", Decimal("466.64")),  # 699,93 − 233,29
    ],
)
def test_discount_rounding_half_up(at_t0, deal, manager, quantity, price, discount, total):
    proposal = services.proposal_create(deal=deal, by=manager)
    line = {
        "name": "X",
        "quantity": quantity,
        "price": price,
        "discount_percent": discount,
        "vat_rate": "none",
    }
    services.proposal_save_draft(proposal=proposal, by=manager, data={}, lines=[line])
    proposal.refresh_from_db()
    assert proposal.total == total


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"name": "", "quantity": "1", "price": "1"}, "Строка 1: укажите наименование"),
        (
            {"name": "X", "quantity": "0", "price": "1"},
            "Строка 1: количество должно быть больше нуля",
        ),
        ({"name": "X", "quantity": "abc", "price": "1"}, "Строка 1: «abc» — не число"),
        (
            {"name": "X", "quantity": "1", "price": "-1"},
            "Строка 1: цена не может быть отрицательной",
        ),
        (
            {"name": "X", "quantity": "1", "price": "1", "discount_percent": "101"},
            "Строка 1: скидка должна быть от 0 до 100 %",
        ),
        (
            {"name": "X", "quantity": "1", "price": "1", "vat_rate": "13"},
            "Строка 1: неизвестная ставка НДС «13»",
        ),
        (
            {"name": "X", "quantity": "1", "price": "1", "product": "999999"},
            "Строка 1: номенклатура не найдена",
        ),
    ],
)
def test_bad_lines_change_nothing(at_t0, deal, manager, line, message):
    proposal = services.proposal_create(deal=deal, by=manager)
    before = _lines(proposal)
    with pytest.raises(ValidationError) as error:
        services.proposal_save_draft(proposal=proposal, by=manager, data={}, lines=[line])
    assert error.value.message_dict == {"lines": [message]}
    proposal.refresh_from_db()
    assert _lines(proposal) == before
    assert proposal.total == Decimal("7703.68")


def test_no_lines_and_bad_header(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    with pytest.raises(ValidationError) as error:
        services.proposal_save_draft(
            proposal=proposal,
            by=manager,
            data={"valid_until": dt.date(2026, 11, 1), "currency": "XXX"},
            lines=[],
        )
    assert error.value.message_dict == {
        "valid_until": ["Срок действия не может быть раньше даты предложения"],
        "currency": ["Неизвестная валюта «XXX»"],
        "lines": ["Добавьте в предложение хотя бы одну строку"],
    }


def test_contact_of_another_client_is_refused(at_t0, deal, manager):
    from crm.clients.tests.factories import ContactPersonFactory

    stranger = ContactPersonFactory()
    proposal = services.proposal_create(deal=deal, by=manager)
    with pytest.raises(ValidationError) as error:
        services.proposal_save_draft(
            proposal=proposal, by=manager, data={"contact": stranger}, lines=None
        )
    assert error.value.message_dict == {
        "contact": ["Это контактное лицо не относится к клиенту «ООО «Ромашка»»"]
    }


# ---------------------------------------------------------------------------------------------
# Issue and numbering


def test_issue_numbers_and_snapshots(at_t0, deal, manager, organization):
    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_issue(proposal=proposal, by=manager)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ISSUED
    assert proposal.number == "КП-2026-0001"
    assert proposal.issued_at == T0
    assert proposal.issued_by == manager
    assert proposal.seller["inn"] == "7707083893"
    assert proposal.seller["bank"]["account"] == "40702810938000000001"
    assert proposal.seller["director"] == "Петров Пётр Петрович"
    assert proposal.buyer == {
        "name": "ООО «Ромашка»",
        "full_name": "Общество с ограниченной ответственностью «Ромашка»",
        "kind": "company",
        "inn": "7701234567",
        "kpp": "770101001",
        "ogrn": "",
        "address": "125009, г. Москва, ул. Тверская, д. 7, офис 12",
        "phone": deal.client.phone,
        "email": deal.client.email,
    }
    assert str(proposal) == "КП-2026-0001 от 26.11.2026"


def test_numbers_are_sequential_per_organization_and_year(at_t0, deal, manager, organization):
    other = OrganizationFactory(name="ИП Свод", inn="500100732259", kpp="", is_default=False)
    numbers = []
    for org, date in [
        (organization, dt.date(2026, 11, 26)),
        (organization, dt.date(2026, 11, 27)),
        (other, dt.date(2026, 11, 27)),
        (organization, dt.date(2027, 1, 10)),
        (organization, dt.date(2026, 12, 31)),
    ]:
        proposal = services.proposal_create(
            deal=deal, by=manager, data={"organization": org, "date": date}
        )
        services.proposal_issue(proposal=proposal, by=manager)
        numbers.append((org.name, proposal.number))
    assert numbers == [
        ("ООО «Свод»", "КП-2026-0001"),
        ("ООО «Свод»", "КП-2026-0002"),
        ("ИП Свод", "КП-2026-0001"),
        ("ООО «Свод»", "КП-2027-0001"),
        ("ООО «Свод»", "КП-2026-0003"),
    ]


def test_issued_proposal_is_immutable(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_issue(proposal=proposal, by=manager)
    before = _lines(proposal)
    message = (
        "КП-2026-0001 от 26.11.2026 уже выставлено — изменить его нельзя. "
        "Чтобы исправить, создайте новую версию."
    )
    with pytest.raises(ValidationError) as error:
        services.proposal_save_draft(
            proposal=proposal, by=manager, data={"terms": "Другие условия"}, lines=EXAMPLE_LINES
        )
    assert error.value.message_dict == {"status": [message]}
    with pytest.raises(ValidationError) as error:
        services.proposal_issue(proposal=proposal, by=manager)
    assert error.value.message_dict == {"status": [message]}
    proposal.refresh_from_db()
    assert _lines(proposal) == before
    assert proposal.number == "КП-2026-0001"


def test_issue_without_lines_is_refused(at_t0, deal, manager):
    deal.lines.all().delete()
    proposal = services.proposal_create(deal=deal, by=manager)
    with pytest.raises(ValidationError) as error:
        services.proposal_issue(proposal=proposal, by=manager)
    assert error.value.message_dict == {"lines": ["Добавьте в предложение хотя бы одну строку"]}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.number == ""


# ---------------------------------------------------------------------------------------------
# Versions and decisions


def test_new_version(at_t0, deal, manager, time_machine):
    first = services.proposal_create(deal=deal, by=manager)
    services.proposal_save_draft(proposal=first, by=manager, data={}, lines=EXAMPLE_LINES)
    services.proposal_issue(proposal=first, by=manager)

    time_machine.move_to(T0 + dt.timedelta(days=2), tick=False)
    second = services.proposal_new_version(proposal=first, by=manager)
    assert second.status == ProposalStatus.DRAFT
    assert second.version == 2
    assert second.previous_id == first.pk
    assert second.number == ""
    assert second.date == dt.date(2026, 11, 28)
    assert second.valid_until == dt.date(2026, 12, 8)
    assert [row[1:] for row in _lines(second)] == [row[1:] for row in _lines(first)]
    first.refresh_from_db()
    assert first.status == ProposalStatus.ISSUED  # until the new one is issued

    with pytest.raises(ValidationError) as error:
        services.proposal_new_version(proposal=first, by=manager)
    assert error.value.message_dict == {
        "status": ["У этого предложения уже есть новая версия: Черновик КП от 28.11.2026"]
    }
    with pytest.raises(ValidationError):
        services.proposal_new_version(proposal=second, by=manager)

    services.proposal_issue(proposal=second, by=manager)
    first.refresh_from_db()
    assert first.status == ProposalStatus.SUPERSEDED
    assert second.number == "КП-2026-0002"
    assert ProposalLine.objects.filter(proposal=first).count() == 3


def test_decisions(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    with pytest.raises(ValidationError) as error:
        services.proposal_accept(proposal=proposal, by=manager)
    assert error.value.message_dict == {
        "status": ["Решение клиента отмечается у выставленного или отправленного предложения"]
    }
    services.proposal_issue(proposal=proposal, by=manager)
    services.proposal_accept(proposal=proposal, by=manager)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    with pytest.raises(ValidationError):
        services.proposal_reject(proposal=proposal, by=manager)
    entry = AuditEntry.objects.filter(
        content_type__model="proposal", object_id=str(proposal.pk)
    ).latest("id")
    assert entry.comment == "Клиент принял предложение"
    assert entry.changes["status"] == ["issued", "accepted"]


def test_pdf_renders(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_save_draft(proposal=proposal, by=manager, data={}, lines=EXAMPLE_LINES)
    services.proposal_issue(proposal=proposal, by=manager)
    pdf = services.proposal_pdf(proposal)
    assert pdf.startswith(b"%PDF")
    assert services.file_name(proposal) == "КП-2026-0001.pdf"

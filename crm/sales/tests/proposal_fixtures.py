"""Fixtures of the proposal tests (imported by the test modules that use them): our
organization, a deal of ООО «Ромашка» with its contact and three lines from the catalog, the
hand-worked three-line example and a few helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.sales.models import VatKind
from crm.sales.tests.factories import (
    DealFactory,
    DealLineFactory,
    OrganizationFactory,
    ProductFactory,
)

#: Thursday 26 November 2026, 10:00 UTC (13:00 in Moscow).
T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)

#: The hand-worked example: prices include VAT.
#: 1) 3 × 1 234,56 − 5 %: 3 703,68 − 185,18 = 3 518,50;
#:    VAT 22 % = 3 518,50 × 22 / 122 = 634,4795 → 634,48
#: 2) 2,5 × 999,99 = 2 499,975 → 2 499,98; VAT 10 % = 2 499,98 × 10 / 110 = 227,27
#: 3) 1 × 15 000 − 12,5 % = 13 125,00; без НДС
#: total 19 143,48, VAT 861,75, without VAT 18 281,73
EXAMPLE_LINES = [
    {
        "name": "Станок сверлильный СС-12",
        "quantity": "3",
        "unit_name": "шт",
        "okei_code": "796",
        "price": "1234,56",
        "discount_percent": "5",
        "vat_rate": "22",
    },
    {
        "name": "Монтаж оборудования",
        "quantity": "2.5",
        "unit_name": "ч",
        "okei_code": "356",
        "price": "999.99",
        "discount_percent": "",
        "vat_rate": "10",
    },
    {
        "name": "Обучение персонала",
        "quantity": "1",
        "unit_name": "усл",
        "price": "15000",
        "discount_percent": "12.5",
        "vat_rate": "none",
    },
]


@pytest.fixture
def organization():
    return OrganizationFactory()


@pytest.fixture
def romashka(manager):
    return ClientFactory(
        name="ООО «Ромашка»",
        full_name="Общество с ограниченной ответственностью «Ромашка»",
        inn="7701234567",
        kpp="770101001",
        legal_address="125009, г. Москва, ул. Тверская, д. 7, офис 12",
        owner=manager,
    )


@pytest.fixture
def ivanov(romashka):
    person = ContactPersonFactory(
        last_name="Иванов", first_name="Иван", middle_name="Сергеевич", email="ivanov@romashka.test"
    )
    ClientContact.objects.create(client=romashka, contact=person, is_main=True)
    return person


@pytest.fixture
def deal(manager, romashka, ivanov, organization):
    deal = DealFactory(manager=manager, client=romashka, contact=ivanov, title="Станки для цеха")
    drill = ProductFactory(
        name="Станок сверлильный СС-12", price=Decimal("1234.56"), vat_kind=VatKind.GENERAL
    )
    book = ProductFactory(
        name="Руководство по эксплуатации", price=Decimal("500.00"), vat_kind=VatKind.REDUCED
    )
    DealLineFactory(
        deal=deal,
        product=drill,
        name=drill.name,
        quantity=Decimal("3"),
        price=Decimal("1234.56"),
        order=1,
    )
    DealLineFactory(
        deal=deal,
        product=book,
        name=book.name,
        quantity=Decimal("2"),
        unit_name="шт",
        price=Decimal("500.00"),
        order=2,
    )
    DealLineFactory(
        deal=deal,
        product=None,
        name="Доставка",
        quantity=Decimal("1"),
        unit_name="усл",
        price=Decimal("3000.00"),
        order=3,
    )
    return deal

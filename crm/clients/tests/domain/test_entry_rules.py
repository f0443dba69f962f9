from __future__ import annotations

import pytest

from crm.clients.domain.completeness import ClientFacts
from crm.clients.domain.entry_rules import FIELDS, field_applies, field_label, missing_fields

INVOICE_RULES = ["inn", "kpp", "legal_address"]


def test_company_without_requisites_lacks_them_in_the_order_of_the_card():
    facts = ClientFacts(kind="company", phone=True)
    assert missing_fields(facts, ["legal_address", "kpp", "inn"]) == [
        "inn",
        "kpp",
        "legal_address",
    ]


def test_filled_fields_pass():
    facts = ClientFacts(kind="company", inn=True, kpp=True, legal_address=True)
    assert missing_fields(facts, INVOICE_RULES) == []


@pytest.mark.parametrize(
    ("facts", "missing"),
    [
        (ClientFacts(), ["phone_or_email"]),
        (ClientFacts(phone=True), []),
        (ClientFacts(email=True), []),
        (ClientFacts(contact=True), ["phone_or_email"]),
        (ClientFacts(contact=True, contact_reachable=True), []),
    ],
)
def test_phone_or_email_is_met_by_the_card_or_a_contact(facts, missing):
    assert missing_fields(facts, ["phone_or_email"]) == missing


def test_decision_maker_and_address_composites():
    assert missing_fields(ClientFacts(contact_reachable=True), ["decision_maker"]) == [
        "decision_maker"
    ]
    assert missing_fields(ClientFacts(decision_maker=True), ["decision_maker"]) == []
    assert missing_fields(ClientFacts(actual_address=True), ["address"]) == []
    assert missing_fields(ClientFacts(actual_address=True), ["legal_address"]) == ["legal_address"]


def test_rules_that_do_not_apply_to_the_kind_never_block():
    # КПП of an entrepreneur, ОГРН of a person, a code nobody knows.
    assert missing_fields(ClientFacts(kind="entrepreneur"), ["kpp", "inn"]) == ["inn"]
    assert missing_fields(ClientFacts(kind="person"), ["ogrn", "fax"]) == []


def test_applicability_and_labels():
    assert field_applies("kpp", "company")
    assert not field_applies("kpp", "entrepreneur")
    assert not field_applies("kpp", "person")
    assert field_applies("ogrn", "entrepreneur")
    assert not field_applies("ogrn", "person")
    assert not field_applies("fax", "company")
    assert [field_label(code) for code in ("inn", "kpp", "legal_address", "phone_or_email")] == [
        "ИНН",
        "КПП",
        "Юридический адрес",
        "Телефон или e-mail",
    ]
    assert field_label("fax") == "fax"
    assert len(FIELDS) == 18

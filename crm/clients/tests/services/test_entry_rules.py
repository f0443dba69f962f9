"""Entry rules with the defaults of migration 0002: a source on creation (every kind), a phone
or e-mail before the first deal (every kind), ИНН + КПП + legal address before a company's
first invoice, ИНН + legal address before an entrepreneur's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.clients import services
from crm.clients.models import Client, ClientKind, EntryRule
from crm.clients.selectors.entry_rules import (
    ensure_entry_rules,
    entry_rule_report,
    entry_rule_violations,
)
from crm.clients.services.entry_rules import entry_rules_save
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def rules() -> set[tuple[str, str, str]]:
    return set(EntryRule.objects.values_list("client_kind", "point", "field"))


def test_creation_without_a_source_is_refused_and_nothing_is_written(manager):
    with pytest.raises(ValidationError) as error:
        services.client_create(by=manager, name="ООО «Ромашка»", phone="+74951234567")
    assert error.value.messages == ["Чтобы создать клиента, заполните: Источник"]
    assert not hasattr(error.value, "error_dict")
    assert Client.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_creation_message_names_every_missing_field_in_card_order(manager):
    EntryRule.objects.create(client_kind="company", point="creation", field="legal_address")
    EntryRule.objects.create(client_kind="company", point="creation", field="inn")
    with pytest.raises(ValidationError) as error:
        services.client_create(by=manager, name="ООО «Ромашка»")
    assert error.value.messages == [
        "Чтобы создать клиента, заполните: ИНН, Юридический адрес, Источник"
    ]
    # Field errors come first: the rules are checked on a card whose fields are right.
    with pytest.raises(ValidationError) as error:
        services.client_create(by=manager, name="", inn="7707083894")
    assert set(error.value.message_dict) == {"name", "inn"}


def test_first_invoice_guard_names_the_fields(manager):
    company = ClientFactory(owner=manager, inn="", kpp="")
    assert entry_rule_violations(company, "first_invoice") == ["ИНН", "КПП", "Юридический адрес"]
    with pytest.raises(ValidationError) as error:
        ensure_entry_rules(company, "first_invoice")
    assert error.value.messages == [
        "Чтобы выставить счёт, заполните у клиента: ИНН, КПП, Юридический адрес"
    ]
    with pytest.raises(ValidationError) as error:
        ensure_entry_rules(company, "first_deal")
    assert error.value.messages == ["Чтобы создать сделку, заполните у клиента: Телефон или e-mail"]

    services.contact_add(by=manager, client=company, first_name="Анна", email="anna@example.ru")
    ensure_entry_rules(company, "first_deal")  # a contact's e-mail is enough
    assert entry_rule_report(company) == {
        "creation": ["source"],
        "first_deal": [],
        "first_invoice": ["inn", "kpp", "legal_address"],
    }


def test_rules_depend_on_the_kind(manager):
    entrepreneur = ClientFactory(owner=manager, kind=ClientKind.ENTREPRENEUR, inn="", kpp="")
    person = ClientFactory(owner=manager, kind=ClientKind.PERSON, inn="", kpp="")
    assert entry_rule_violations(entrepreneur, "first_invoice") == ["ИНН", "Юридический адрес"]
    assert entry_rule_violations(person, "first_invoice") == []


def test_unknown_point_is_a_russian_error(manager):
    client = ClientFactory(owner=manager)
    with pytest.raises(ValidationError) as error:
        entry_rule_violations(client, "first_contract")
    assert error.value.message_dict == {
        "point": [
            "Неизвестный момент проверки «first_contract»: допустимы creation, first_deal, "
            "first_invoice"
        ]
    }


def test_needs_completion_comes_off_when_creation_and_first_deal_rules_are_met(manager):
    client = services.client_create(by=manager, name="ООО «Звонок»", allow_incomplete=True)
    assert client.needs_completion is True
    client.refresh_from_db()
    assert client.needs_completion is True

    services.client_update(by=manager, client=client, source=LeadSourceFactory(name="Сайт"))
    client.refresh_from_db()
    assert client.needs_completion is True  # no phone or e-mail yet: first deal rule

    services.client_update(by=manager, client=client, phone="8 495 123-45-67")
    client.refresh_from_db()
    assert client.needs_completion is False
    # The first invoice rules do not hold the mark.
    assert entry_rule_violations(client, "first_invoice") == ["ИНН", "КПП", "Юридический адрес"]


def test_allow_incomplete_that_meets_the_rules_is_not_marked(manager):
    client = services.client_create(
        by=manager,
        name="ООО «Всё есть»",
        phone="+74951234567",
        source=LeadSourceFactory(name="Сайт"),
        allow_incomplete=True,
    )
    client.refresh_from_db()
    assert client.needs_completion is False


def test_save_matrix_replaces_the_rules_and_audits_each(administrator):
    entry_rules_save(
        by=administrator,
        rules=[
            ("company", "creation", "source"),
            ("company", "first_invoice", "inn"),
            ("person", "first_deal", "decision_maker"),
        ],
    )
    assert rules() == {
        ("company", "creation", "source"),
        ("company", "first_invoice", "inn"),
        ("person", "first_deal", "decision_maker"),
    }
    created = AuditEntry.objects.filter(action="create", content_type__model="entryrule")
    deleted = AuditEntry.objects.filter(action="delete", content_type__model="entryrule")
    assert created.count() == 1
    assert created.get().changes == {
        "client_kind": [None, "Физическое лицо"],
        "point": [None, "Перед первой сделкой"],
        "field": [None, "ЛПР с телефоном или e-mail"],
    }
    assert deleted.count() == 9  # 11 defaults − 2 kept


def test_save_matrix_refuses_a_rule_that_does_not_apply(administrator):
    before = rules()
    with pytest.raises(ValidationError) as error:
        entry_rules_save(
            by=administrator,
            rules=[("entrepreneur", "first_invoice", "kpp"), ("person", "creation", "ogrn")],
        )
    assert error.value.messages == [
        "Правило «КПП» для «ИП» не применяется",
        "Правило «ОГРН/ОГРНИП» для «Физическое лицо» не применяется",
    ]
    assert rules() == before
    assert AuditEntry.objects.count() == 0

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.clients import services
from crm.clients.models import BankAccount, Client, ClientKind, ClientStatus, ContactPerson
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.audit import audit_source
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

VALID_INN = "7707083893"


def test_create_normalizes_and_audits(manager):
    source = LeadSourceFactory(name="Сайт")
    client = services.client_create(
        by=manager,
        kind=ClientKind.COMPANY,
        name="  ООО «Ромашка» ",
        inn=VALID_INN,
        kpp="773601001",
        phone="8 (495) 123-45-67",
        email="Info@Romashka.RU",
        source=source,
    )
    client.refresh_from_db()
    assert (client.name, client.phone, client.email) == (
        "ООО «Ромашка»",
        "+74951234567",
        "info@romashka.ru",
    )
    assert client.owner == manager
    assert client.department == manager.department
    entry = AuditEntry.objects.get(object_id=str(client.pk), content_type__model="client")
    assert entry.action == "create"
    assert entry.actor == manager
    assert entry.source == "system"
    assert entry.changes["inn"] == [None, VALID_INN]
    assert entry.changes["source"] == [None, "Сайт"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": ""}, {"name": ["Укажите наименование клиента"]}),
        ({"inn": "7707083894"}, {"inn": ["Неверный ИНН: не сходится контрольное число"]}),
        ({"inn": "123456789047"}, {"inn": ["ИНН должен содержать 10 цифр"]}),
        (
            {"kpp": "77360100"},
            {"kpp": ["КПП — 9 знаков: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры"]},
        ),
        ({"ogrn": "1027700132194"}, {"ogrn": ["Неверный ОГРН: не сходится контрольная цифра"]}),
        ({"phone": "позвонить"}, {"phone": ["«позвонить» — не номер телефона"]}),
        ({"email": "нет-почты"}, {"email": ["«нет-почты» — не адрес e-mail"]}),
        (
            {"kind": ClientKind.ENTREPRENEUR, "inn": "123456789047", "kpp": "773601001"},
            {"kpp": ["КПП бывает только у организации"]},
        ),
        (
            {"kind": ClientKind.PERSON, "inn": "123456789047", "ogrn": "304500116000157"},
            {"ogrn": ["У физического лица нет ОГРН"]},
        ),
    ],
)
def test_create_refuses_bad_fields_and_writes_nothing(manager, fields, errors):
    data = {"kind": ClientKind.COMPANY, "name": "ООО «Ромашка»", **fields}
    with pytest.raises(ValidationError) as error:
        services.client_create(by=manager, **data)
    assert error.value.message_dict == errors
    assert Client.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_inactive_owner_is_refused(manager, colleague):
    colleague.is_active = False
    colleague.save()
    with pytest.raises(ValidationError) as error:
        services.client_create(by=manager, name="ООО «Ромашка»", owner=colleague)
    assert error.value.message_dict == {
        "owner": ["Ответственный отключён — выберите работающего сотрудника"]
    }


def test_update_records_before_and_after(manager):
    client = ClientFactory(owner=manager, name="ООО «Старое»", region="")
    with audit_source("api"):
        services.client_update(by=manager, client=client, name="ООО «Новое»", region="Москва")
    entry = AuditEntry.objects.get(action="update")
    assert entry.source == "api"
    assert entry.changes == {"name": ["ООО «Старое»", "ООО «Новое»"], "region": ["", "Москва"]}


def test_update_without_change_writes_no_history(manager):
    client = ClientFactory(owner=manager, name="ООО «Как было»")
    services.client_update(by=manager, client=client, name="ООО «Как было»")
    assert AuditEntry.objects.filter(action="update").count() == 0


def test_update_with_bad_inn_changes_nothing(manager):
    client = ClientFactory(owner=manager, inn=VALID_INN)
    with pytest.raises(ValidationError):
        services.client_update(by=manager, client=client, inn="1111111111", name="Другое")
    client.refresh_from_db()
    assert client.inn == VALID_INN
    assert client.name != "Другое"


def test_update_refuses_status_and_unknown_fields(manager):
    client = ClientFactory(owner=manager)
    with pytest.raises(ValueError, match="status"):
        services.client_update(by=manager, client=client, status=ClientStatus.ARCHIVED)


def test_archive_and_restore_are_audited(manager):
    client = ClientFactory(owner=manager)
    services.client_set_status(by=manager, client=client, status=ClientStatus.ARCHIVED)
    services.client_set_status(by=manager, client=client, status=ClientStatus.ARCHIVED)
    services.client_set_status(by=manager, client=client, status=ClientStatus.ACTIVE)
    actions = list(
        AuditEntry.objects.filter(object_id=str(client.pk))
        .order_by("id")
        .values_list("action", "changes")
    )
    assert actions == [
        ("archive", {"status": ["active", "archived"]}),
        ("restore", {"status": ["archived", "active"]}),
    ]


def test_bank_account_checked_against_bik(manager):
    client = ClientFactory(owner=manager)
    with pytest.raises(ValidationError) as error:
        services.bank_account_add(
            by=manager, client=client, bik="044525225", account="40702810000000000001"
        )
    assert error.value.message_dict == {
        "account": ["Расчётный счёт не соответствует БИК: не сходится контрольный ключ"]
    }
    account = services.bank_account_add(
        by=manager,
        client=client,
        bik="044525225",
        account="40702810200000000001",
        correspondent_account="30101810400000000225",
        bank_name="ПАО Сбербанк",
    )
    assert account.is_main is True
    with pytest.raises(ValidationError) as error:
        services.bank_account_add(
            by=manager, client=client, bik="044525225", account="40702810200000000001"
        )
    assert error.value.message_dict == {"account": ["Этот счёт у клиента уже есть"]}
    assert BankAccount.objects.count() == 1


def test_contact_add_links_one_person_to_two_clients(manager):
    first, second = ClientFactory(owner=manager), ClientFactory(owner=manager)
    person = services.contact_add(
        by=manager,
        client=first,
        first_name="Мария",
        last_name="Соколова",
        mobile_phone="8 916 555-44-33",
        position="Главный бухгалтер",
    )
    services.contact_add(by=manager, client=second, contact=person, position="Консультант")
    assert person.mobile_phone == "+79165554433"
    assert list(person.clients.order_by("id")) == [first, second]
    assert first.contact_links.get().is_main is True
    with pytest.raises(ValidationError) as error:
        services.contact_add(by=manager, client=second, contact=person)
    assert error.value.message_dict == {"contact": ["Этот человек уже есть в контактах клиента"]}


def test_contact_without_first_name_is_refused(manager):
    client = ClientFactory(owner=manager)
    with pytest.raises(ValidationError) as error:
        services.contact_add(by=manager, client=client, first_name=" ", email="x@y.ru")
    assert error.value.message_dict == {"first_name": ["Укажите имя контактного лица"]}
    assert ContactPerson.objects.count() == 0

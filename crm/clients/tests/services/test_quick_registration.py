from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.clients import services
from crm.clients.models import Client, ClientKind, ContactPerson, EntryRule
from crm.clients.services.quick_registration import (
    client_quick_register,
    split_name_or_inn,
    split_person_name,
)
from crm.clients.tests.factories import LeadSourceFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ENTREPRENEUR_INN = "500100732259"


@pytest.fixture
def source():
    return LeadSourceFactory(name="Холодный звонок")


def test_caller_with_name_phone_and_contact(manager, source):
    client = client_quick_register(
        by=manager,
        name_or_inn="  ООО «Ромашка» ",
        phone="8 (495) 123-45-67",
        contact_name="Петров Игорь",
        source=source,
    )
    assert (client.kind, client.name, client.inn, client.phone, client.source) == (
        ClientKind.COMPANY,
        "ООО «Ромашка»",
        "",
        "+74951234567",
        source,
    )
    assert client.owner == manager
    assert client.needs_completion is False  # the default rules of creation and deal are met
    assert client.completeness == 20  # phone 10 + source 10
    link = client.contact_links.select_related("contact").get()
    assert (link.is_main, link.contact.last_name, link.contact.first_name) == (
        True,
        "Петров",
        "Игорь",
    )
    assert (link.contact.phone, link.contact.mobile_phone) == ("+74951234567", "")
    assert AuditEntry.objects.filter(action="create").count() == 2  # the client and the person


def test_only_an_inn_of_twelve_digits_makes_an_entrepreneur(manager, source):
    client = client_quick_register(
        by=manager,
        name_or_inn=ENTREPRENEUR_INN,
        email="Ivanov@Mail.ru",
        contact_name="Иван Петрович",
        source=source,
    )
    assert (client.kind, client.name, client.inn, client.email) == (
        ClientKind.ENTREPRENEUR,
        f"Клиент ИНН {ENTREPRENEUR_INN}",
        ENTREPRENEUR_INN,
        "ivanov@mail.ru",
    )
    person = ContactPerson.objects.get()
    assert (person.first_name, person.middle_name, person.email) == (
        "Иван",
        "Петрович",
        "ivanov@mail.ru",
    )


def test_mobile_number_goes_to_the_contacts_mobile(manager, source):
    client = client_quick_register(
        by=manager,
        name_or_inn="Сидорова Анна",
        phone="+7 916 123-45-67",
        contact_name="Анна",
        source=source,
        kind=ClientKind.PERSON,
    )
    person = client.contacts.get()
    assert (person.phone, person.mobile_phone) == ("", "+79161234567")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"name_or_inn": " ", "phone": "+74951234567"},
            {"name_or_inn": ["Укажите название или ИНН"]},
        ),
        ({"name_or_inn": "ООО «Ромашка»"}, {"phone": ["Укажите телефон или e-mail"]}),
        (
            {"name_or_inn": "ООО «Ромашка»", "phone": "+74951234567", "source": None},
            {"source": ["Укажите источник"]},
        ),
        (
            {"name_or_inn": "7707083894", "phone": "+74951234567"},
            {"name_or_inn": ["Неверный ИНН: не сходится контрольное число"]},
        ),
        (
            {"name_or_inn": "ООО «Ромашка»", "phone": "позвонить"},
            {"phone": ["«позвонить» — не номер телефона"]},
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(manager, source, fields, errors):
    data = {"source": source, **fields}
    with pytest.raises(ValidationError) as error:
        client_quick_register(by=manager, **data)
    assert error.value.message_dict == errors
    assert Client.objects.count() == 0
    assert ContactPerson.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_rules_of_creation_mark_instead_of_refusing(manager, source):
    EntryRule.objects.create(client_kind="company", point="creation", field="inn")
    client = client_quick_register(
        by=manager, name_or_inn="ООО «Без ИНН»", phone="+74951234567", source=source
    )
    assert client.needs_completion is True
    services.client_update(by=manager, client=client, inn="7707083893")
    client.refresh_from_db()
    assert client.needs_completion is False


def test_contact_failure_leaves_nothing(manager, source, monkeypatch):
    from crm.clients.services import quick_registration

    def broken_contact_add(**kwargs):
        raise ValidationError({"first_name": ["Укажите имя контактного лица"]})

    monkeypatch.setattr(quick_registration, "contact_add", broken_contact_add)
    with pytest.raises(ValidationError):
        client_quick_register(
            by=manager,
            name_or_inn="ООО «Ромашка»",
            phone="+74951234567",
            contact_name="Игорь",
            source=source,
        )
    assert Client.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "name", "inn"),
    [
        ("7707083893", "", "7707083893"),
        (" 770 708-3893 ", "", "7707083893"),
        ("ООО «Ромашка»", "ООО «Ромашка»", ""),
        ("Ромашка   77", "Ромашка 77", ""),
        ("", "", ""),
    ],
)
def test_split_name_or_inn(text, name, inn):
    parsed = split_name_or_inn(text)
    assert (parsed.name, parsed.inn) == (name, inn)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", {}),
        ("Игорь", {"first_name": "Игорь"}),
        ("Анна Сергеевна", {"first_name": "Анна", "middle_name": "Сергеевна"}),
        ("Игорь Ильич", {"first_name": "Игорь", "middle_name": "Ильич"}),
        ("Петров Игорь", {"last_name": "Петров", "first_name": "Игорь"}),
        ("Петрова Анна", {"last_name": "Петрова", "first_name": "Анна"}),
        ("Ольга Никитична", {"first_name": "Ольга", "middle_name": "Никитична"}),
        (
            "Петров Игорь Олегович",
            {"last_name": "Петров", "first_name": "Игорь", "middle_name": "Олегович"},
        ),
    ],
)
def test_split_person_name(text, parts):
    assert split_person_name(text) == parts

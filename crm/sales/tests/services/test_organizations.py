import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.models import AuditAction, AuditEntry
from crm.sales.models import Organization, OrganizationBankAccount
from crm.sales.services import organizations as services
from crm.sales.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SBER = {
    "bik": "044525225",
    "bank_name": "ПАО Сбербанк",
    "correspondent_account": "30101810400000000225",
    "account": "40702810938000000001",
    "currency": "RUB",
    "is_main": False,
}


def _data(**overrides):
    data = {
        "name": "ООО «Ромашка»",
        "full_name": "Общество с ограниченной ответственностью «Ромашка»",
        "inn": "7707083893",
        "kpp": "770701001",
        "ogrn": "1027700132195",
        "legal_address": "г. Москва, ул. Ленина, д. 1",
        "postal_address": "",
        "phone": "",
        "email": "",
        "director": "Иванов И. И.",
        "director_position": "",
        "chief_accountant": "",
        "is_vat_payer": True,
        "is_default": False,
        "is_active": True,
    }
    return data | overrides


def test_default_organization_none_and_contract():
    assert services.default_organization() is None
    organization = OrganizationFactory()
    assert services.default_organization() == organization
    assert services.organization_requisites(organization) == {
        "name": "ООО «Свод»",
        "full_name": "Общество с ограниченной ответственностью «Свод»",
        "inn": "7707083893",
        "kpp": "770701001",
        "ogrn": "1027700132195",
        "address": "101000, г. Москва, ул. Мясницкая, д. 1",
        "postal_address": "",
        "phone": "+7 495 123-45-67",
        "email": "sales@svod.test",
        "bank": {
            "bik": "044525225",
            "bank_name": "ПАО Сбербанк",
            "correspondent_account": "30101810400000000225",
            "account": "40702810938000000001",
        },
        "director": "Петров Пётр Петрович",
        "director_position": "Генеральный директор",
        "chief_accountant": "Сидорова Мария Ивановна",
        "is_vat_payer": True,
    }


def test_requisites_without_bank_account():
    organization = OrganizationFactory(bank_account=False)
    assert services.organization_requisites(organization)["bank"] == {
        "bik": "",
        "bank_name": "",
        "correspondent_account": "",
        "account": "",
    }


def test_first_organization_becomes_default_and_audited(administrator):
    organization = services.organization_save(by=administrator, data=_data())
    assert organization.is_default
    assert organization.director_position == "Генеральный директор"
    entry = AuditEntry.objects.get(content_type__model="organization")
    assert entry.action == AuditAction.CREATE
    assert entry.changes["inn"] == [None, "7707083893"]


def test_exactly_one_default(administrator):
    first = services.organization_save(by=administrator, data=_data())
    second = services.organization_save(
        by=administrator, data=_data(name="ИП Петров", inn="770708389324", kpp="", ogrn="")
    )
    assert not second.is_default
    services.organization_make_default(by=administrator, organization=second)
    first.refresh_from_db()
    assert not first.is_default
    assert list(Organization.objects.filter(is_default=True)) == [second]
    assert services.default_organization() == second
    # The default cannot be unmarked directly.
    with pytest.raises(ValidationError) as error:
        services.organization_save(
            by=administrator,
            organization=second,
            data=_data(name="ИП Петров", inn="770708389324", kpp="", ogrn="", is_default=False),
        )
    assert error.value.message_dict["is_default"] == [
        "Одна организация должна быть по умолчанию: отметьте «по умолчанию» у другой организации"
    ]
    # Marking the first one default in its form takes the mark from the second.
    services.organization_save(by=administrator, organization=first, data=_data(is_default=True))
    second.refresh_from_db()
    assert not second.is_default
    with pytest.raises(ValidationError) as error:
        services.organization_save(
            by=administrator, organization=first, data=_data(is_default=True, is_active=False)
        )
    assert error.value.message_dict["is_active"] == [
        "Организация по умолчанию должна использоваться: снимите «по умолчанию» или отметьте "
        "«используется»"
    ]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"name": "", "full_name": " ", "inn": "", "legal_address": ""},
            {
                "name": ["Укажите краткое название организации"],
                "full_name": ["Укажите полное наименование организации"],
                "inn": ["Укажите ИНН организации"],
                "legal_address": ["Укажите юридический адрес"],
            },
        ),
        ({"inn": "7707083894"}, {"inn": ["Неверный ИНН: не сходится контрольное число"]}),
        (
            {"inn": "77070838"},
            {
                "inn": [
                    "ИНН должен содержать 10 цифр (организация) или 12 цифр (ИП, физическое лицо)"
                ]
            },
        ),
        (
            {"kpp": "77070100"},
            {"kpp": ["КПП — 9 знаков: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры"]},
        ),
        ({"ogrn": "1027700132194"}, {"ogrn": ["Неверный ОГРН: не сходится контрольная цифра"]}),
        ({"ogrn": "304770100000005"}, {"ogrn": ["ОГРН организации — 13 цифр"]}),
        (
            {"inn": "770708389324", "kpp": "770701001", "ogrn": ""},
            {"kpp": ["КПП бывает только у организации (ИНН из 10 цифр), не у ИП"]},
        ),
        ({"email": "not-mail"}, {"email": ["«not-mail» — не адрес эл. почты"]}),
    ],
)
def test_organization_bad_input(administrator, overrides, errors):
    with pytest.raises(ValidationError) as error:
        services.organization_save(by=administrator, data=_data(**overrides))
    assert error.value.message_dict == errors
    assert not Organization.objects.exists()
    assert not AuditEntry.objects.exists()


def test_entrepreneur_ogrnip_accepted(administrator):
    organization = services.organization_save(
        by=administrator, data=_data(inn="770708389324", kpp="", ogrn="304770100000005")
    )
    assert organization.ogrn == "304770100000005"


def test_only_administrator(manager):
    with pytest.raises(PermissionDenied):
        services.organization_save(by=manager, data=_data())
    organization = OrganizationFactory()
    with pytest.raises(PermissionDenied):
        services.bank_account_save(by=manager, organization=organization, data=SBER)
    with pytest.raises(PermissionDenied):
        services.bank_account_delete(by=manager, bank_account=organization.bank_accounts.get())


def test_bank_accounts(administrator):
    organization = OrganizationFactory(bank_account=False)
    account = services.bank_account_save(
        by=administrator,
        organization=organization,
        data=SBER | {"account": "4070 2810 9380 0000 0001"},
    )
    assert account.account == "40702810938000000001"
    assert account.is_main  # the first account is the main one
    second = services.bank_account_save(
        by=administrator,
        organization=organization,
        data=SBER | {"account": "40702810238000000002", "is_main": True},
    )
    account.refresh_from_db()
    assert second.is_main and not account.is_main
    assert services.organization_requisites(organization)["bank"]["account"] == (
        "40702810238000000002"
    )
    services.bank_account_delete(by=administrator, bank_account=second)
    account.refresh_from_db()
    assert account.is_main
    comments = list(
        AuditEntry.objects.filter(object_id=str(organization.pk))
        .order_by("id")
        .values_list("comment", flat=True)
    )
    assert comments == [
        "Добавлен банковский счёт 40702810938000000001",
        "Добавлен банковский счёт 40702810238000000002",
        "Удалён банковский счёт 40702810238000000002",
    ]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"bik": "", "bank_name": "", "account": ""},
            {
                "bik": ["Укажите БИК банка"],
                "bank_name": ["Укажите название банка"],
                "account": ["Укажите расчётный счёт"],
            },
        ),
        ({"bik": "04452522"}, {"bik": ["БИК — 9 цифр"]}),
        (
            {"account": "40702810038000000001"},
            {"account": ["Расчётный счёт не соответствует БИК: не сходится контрольный ключ"]},
        ),
        ({"account": "407028109380"}, {"account": ["Расчётный счёт — 20 цифр"]}),
        (
            {"correspondent_account": "30101810400000000226"},
            {
                "correspondent_account": [
                    "Корр. счёт не соответствует БИК: не сходится контрольный ключ"
                ]
            },
        ),
        ({"currency": "руб"}, {"currency": ["Валюта — трёхбуквенный код, например RUB"]}),
    ],
)
def test_bank_account_bad_input(administrator, overrides, errors):
    organization = OrganizationFactory(bank_account=False)
    with pytest.raises(ValidationError) as error:
        services.bank_account_save(
            by=administrator, organization=organization, data=SBER | overrides
        )
    assert error.value.message_dict == errors
    assert not OrganizationBankAccount.objects.exists()


def test_bank_account_duplicate(administrator):
    organization = OrganizationFactory()
    with pytest.raises(ValidationError) as error:
        services.bank_account_save(by=administrator, organization=organization, data=SBER)
    assert error.value.message_dict == {"account": ["Этот расчётный счёт у организации уже есть"]}

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.clients.domain import requisites
from crm.clients.domain.normalize import normalize_phone
from crm.clients.models import Client, ClientKind
from crm.demo.seed import demo_logins, resolve_scale, seed
from crm.sales.models import Deal, Proposal

pytestmark = pytest.mark.django_db


def test_small_demo_is_realistic_and_valid():
    counts = seed("small")
    assert counts["users"] == 8
    assert counts["clients"] == 63  # 60 generated + 3 real-looking duplicates
    roles = {user.username: user.role for user in User.objects.all()}
    assert roles == {
        "admin": Role.ADMINISTRATOR,
        "rop": Role.HEAD_OF_SALES,
        "rop2": Role.HEAD_OF_SALES,
        "ivanova": Role.MANAGER,
        "petrov": Role.MANAGER,
        "sidorova": Role.MANAGER,
        "kuznetsov": Role.MANAGER,
        "buh": Role.ACCOUNTANT,
    }
    kinds = set(Client.objects.values_list("kind", flat=True))
    assert kinds == {ClientKind.COMPANY, ClientKind.ENTREPRENEUR, ClientKind.PERSON}
    for client in Client.objects.exclude(inn=""):
        length = 10 if client.kind == ClientKind.COMPANY else 12
        assert requisites.check_inn(client.inn, length=length) is None, client.inn
    for client in Client.objects.exclude(ogrn=""):
        length = 13 if client.kind == ClientKind.COMPANY else 15
        assert requisites.check_ogrn(client.ogrn, length=length) is None, client.ogrn
    for client in Client.objects.exclude(kpp=""):
        assert requisites.check_kpp(client.kpp) is None
        assert client.kpp[:4] == client.inn[:4] or not client.inn
    for client in Client.objects.exclude(phone=""):
        assert normalize_phone(client.phone) == client.phone
    for account in Client.objects.filter(bank_accounts__isnull=False).values_list(
        "bank_accounts__bik", "bank_accounts__account", "bank_accounts__correspondent_account"
    ):
        bik, number, correspondent = account
        assert requisites.is_valid_account(bik, number)
        assert requisites.is_valid_account(bik, correspondent, correspondent=True)
    assert Client.objects.filter(comment="Заведён повторно при входящем звонке").count() == 3
    assert all(c.name_search == c.name.lower().replace("ё", "е") for c in Client.objects.all())


def test_managers_own_clients_in_their_department():
    seed("small")
    for client in Client.objects.select_related("owner"):
        assert client.owner.role == Role.MANAGER
        assert client.department_id == client.owner.department_id


def test_seed_is_reproducible():
    seed("small")
    first = list(Client.objects.order_by("id").values_list("name", "inn"))
    Proposal.objects.all().delete()
    Deal.objects.all().delete()
    Client.objects.all().delete()
    seed("small")
    assert list(Client.objects.order_by("id").values_list("name", "inn")) == first


def test_if_empty_keeps_an_existing_base(capsys):
    call_command("seed_demo", "--scale", "5")
    before = list(Client.objects.order_by("id").values_list("id", flat=True))
    assert len(before) == 7  # 5 generated, 2 of them companies with ИНН, each copied once
    call_command("seed_demo", "--if-empty")
    assert list(Client.objects.order_by("id").values_list("id", flat=True)) == before
    assert "демо-данные не загружаются" in capsys.readouterr().out


def test_bad_scale_is_refused():
    with pytest.raises(
        CommandError, match="Размер «huge» не понят: small, large или число клиентов"
    ):
        call_command("seed_demo", "--scale", "huge")
    assert User.objects.count() == 0
    assert resolve_scale("large") == 100_000
    assert resolve_scale("250") == 250


def test_printed_logins_cover_every_role():
    assert demo_logins() == [
        ("admin", "Администратор"),
        ("rop", "Руководитель отдела продаж"),
        ("ivanova", "Менеджер"),
        ("buh", "Бухгалтер"),
    ]

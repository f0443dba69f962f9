from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.clients.models import Client, ClientStatus
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def names(response):
    return [client.name for client in response.context["page"].object_list]


@pytest.fixture
def base(manager, colleague, other_manager):
    return {
        "own": ClientFactory(owner=manager, name="ООО «Своё»"),
        "colleague": ClientFactory(owner=colleague, name="ООО «Коллеги»"),
        "other": ClientFactory(owner=other_manager, name="ООО «Чужое»"),
    }


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("manager", ["ООО «Своё»"]),
        ("head", ["ООО «Коллеги»", "ООО «Своё»"]),
        ("accountant", ["ООО «Коллеги»", "ООО «Своё»", "ООО «Чужое»"]),
        ("administrator", ["ООО «Коллеги»", "ООО «Своё»", "ООО «Чужое»"]),
    ],
)
def test_list_is_scoped_by_role(client, base, request, user, expected):
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("clients:list"))
    assert response.status_code == 200
    assert names(response) == expected


def test_search_by_name_inn_and_phone(client, manager):
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", phone="+74951234567")
    ClientFactory(owner=manager, name="ООО «Василёк»", inn="", phone="")
    client.force_login(manager)
    for query in ("ромаш", "770708", "8 (495) 123-45-67"):
        assert names(client.get(reverse("clients:list"), {"q": query})) == ["ООО «Ромашка»"]


def test_htmx_request_gets_only_the_rows(client, manager, base):
    client.force_login(manager)
    response = client.get(reverse("clients:list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<table" in content
    assert "<aside" not in content


def test_list_query_count_does_not_grow_with_rows(client, administrator, manager):
    client.force_login(administrator)
    ClientFactory.create_batch(3, owner=manager)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("clients:list"))
    ClientFactory.create_batch(40, owner=manager)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("clients:list"))
    assert len(response.context["page"].object_list) == 43
    assert len(many) == len(few)


def test_card_of_another_managers_client_is_404(client, manager, base):
    client.force_login(manager)
    assert client.get(reverse("clients:detail", args=[base["own"].pk])).status_code == 200
    for name in ("colleague", "other"):
        pk = base[name].pk
        assert client.get(reverse("clients:detail", args=[pk])).status_code == 404
        assert client.get(reverse("clients:tab", args=[pk, "requisites"])).status_code == 404
        assert client.get(reverse("core:history", args=["clients.client", pk])).status_code == 404
        assert client.post(reverse("clients:archive", args=[pk])).status_code == 404
    assert Client.objects.filter(status=ClientStatus.ARCHIVED).count() == 0


def test_unknown_tab_is_404(client, manager, base):
    client.force_login(manager)
    assert client.get(reverse("clients:tab", args=[base["own"].pk, "secret"])).status_code == 404


def test_create_with_bad_inn_shows_the_field_error(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("clients:create"), {"kind": "company", "name": "ООО «Ромашка»", "inn": "7707083894"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "source": ["Обязательное поле."],
        "inn": ["Неверный ИНН: не сходится контрольное число"],
    }
    assert Client.objects.count() == 0


def test_manager_cannot_give_a_client_away(client, manager, other_manager):
    client.force_login(manager)
    response = client.post(
        reverse("clients:create"),
        {
            "kind": "company",
            "name": "ООО «Ромашка»",
            "owner": other_manager.pk,
            "source": LeadSourceFactory(name="Сайт").pk,
        },
    )
    created = Client.objects.get()
    assert response.status_code == 302
    assert created.owner == manager
    assert created.department == manager.department


def test_head_can_reassign_within_the_form(client, head, colleague):
    client.force_login(head)
    client.post(
        reverse("clients:create"),
        {
            "kind": "company",
            "name": "ООО «Ромашка»",
            "owner": colleague.pk,
            "department": colleague.department.pk,
            "source": LeadSourceFactory(name="Сайт").pk,
        },
    )
    assert Client.objects.get().owner == colleague


def test_archive_hides_from_list_and_history_shows_it(client, manager, base):
    client.force_login(manager)
    own = base["own"]
    client.post(reverse("clients:archive", args=[own.pk]))
    assert names(client.get(reverse("clients:list"))) == []
    assert names(client.get(reverse("clients:list"), {"archived": "on"})) == ["ООО «Своё»"]
    history = client.get(reverse("core:history", args=["clients.client", own.pk]))
    assert "Архивирование" in history.content.decode()
    assert AuditEntry.objects.get(action="archive").source == "web"


def test_contact_and_bank_account_forms(client, manager, base):
    client.force_login(manager)
    own = base["own"]
    response = client.post(
        reverse("clients:contact_add", args=[own.pk]),
        {"first_name": "Мария", "last_name": "Соколова", "phone": "12", "position": "Бухгалтер"},
    )
    assert response.context["form"].errors == {
        "phone": ["«12» — такого номера не бывает: проверьте код и число цифр"]
    }
    response = client.post(
        reverse("clients:bank_account_add", args=[own.pk]),
        {"bik": "044525225", "account": "40702810200000000001"},
    )
    assert response.status_code == 302
    assert own.bank_accounts.get().account == "40702810200000000001"


def test_editing_through_the_page_records_before_and_after(client, manager):
    own = ClientFactory(owner=manager, name="ООО «Старое»", region="")
    client.force_login(manager)
    response = client.post(
        reverse("clients:edit", args=[own.pk]),
        {
            "kind": "company",
            "name": "ООО «Новое»",
            "inn": own.inn,
            "kpp": own.kpp,
            "region": "Москва",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="update", object_id=str(own.pk))
    assert entry.source == "web"
    assert entry.changes["name"] == ["ООО «Старое»", "ООО «Новое»"]
    assert entry.changes["region"] == ["", "Москва"]


def test_history_names_fields_and_choices_in_russian(client, manager):
    from crm.clients import services
    from crm.clients.models import LeadSource

    created = services.client_create(
        by=manager, kind="company", name="ООО «Ромашка»", source=LeadSource.objects.first()
    )
    services.contact_add(by=manager, client=created, first_name="Мария", position="Бухгалтер")
    client.force_login(manager)
    html = client.get(reverse("core:history", args=["clients.client", created.pk])).content.decode()
    assert "Вид:</span>" in html
    assert "<ins>Организация</ins>" in html
    assert "<ins>Действует</ins>" in html
    assert "Контакты:</span>" in html
    assert "company" not in html

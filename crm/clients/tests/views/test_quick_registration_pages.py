from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.clients.models import Client, ClientKind
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db

QUICK = "clients:quick"
DUPLICATES = "clients:quick_duplicates"


@pytest.fixture
def source():
    return LeadSourceFactory(name="Рекомендация")


@pytest.fixture
def existing(manager, other_manager):
    return {
        "own": ClientFactory(owner=manager, name="ООО «Ромашка»", phone="+74951234567"),
        "other": ClientFactory(
            owner=other_manager, name="АО «Ромашка»", inn="7707083893", phone=""
        ),
    }


def test_page_is_one_short_form_focused_on_the_first_field(client, manager):
    client.force_login(manager)
    response = client.get(reverse(QUICK))
    assert response.status_code == 200
    content = response.content.decode()
    assert list(response.context["form"].fields) == [
        "name_or_inn",
        "phone",
        "email",
        "contact_name",
        "source",
        "kind",
    ]
    assert 'name="name_or_inn"' in content and "autofocus" in content
    assert 'hx-trigger="input changed delay:300ms' in content
    assert response.context["form"]["kind"].value() == ClientKind.COMPANY


def test_candidates_link_to_cards_the_user_may_open_only(client, manager, other_manager, existing):
    client.force_login(manager)
    response = client.get(
        reverse(DUPLICATES), {"name_or_inn": "Ромашка", "phone": "8 495 123-45-67"}
    )
    rows = response.context["duplicates"]
    assert [(row["client"].name, row["visible"]) for row in rows] == [
        ("АО «Ромашка»", False),
        ("ООО «Ромашка»", True),
    ]
    assert "Совпадает телефон +74951234567" in rows[1]["reasons"]
    content = response.content.decode()
    assert reverse("clients:detail", args=[existing["own"].pk]) in content
    assert "Открыть карточку" in content
    assert reverse("clients:detail", args=[existing["other"].pk]) not in content
    assert f"ведёт {other_manager.short_name}" in content


def test_inn_typed_finds_the_card_by_inn(client, manager, existing):
    client.force_login(manager)
    response = client.get(reverse(DUPLICATES), {"name_or_inn": "7707083893"})
    rows = response.context["duplicates"]
    assert [row["client"].name for row in rows] == ["АО «Ромашка»"]
    assert rows[0]["reasons"][0] == "Совпадает ИНН 7707083893"
    assert rows[0]["score"] >= 90


def test_nothing_typed_or_nothing_found(client, manager, existing):
    client.force_login(manager)
    response = client.get(reverse(DUPLICATES), {"name_or_inn": "Ро"})
    assert response.context["duplicates"] == []
    assert "Начните вводить" not in response.content.decode()
    assert "Похожих клиентов не найдено." in response.content.decode()


def test_duplicate_check_query_count_is_fixed(client, manager, other_manager):
    client.force_login(manager)
    ClientFactory(owner=other_manager, name="ООО «Ромашка Сервис»")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(DUPLICATES), {"name_or_inn": "Ромашка Сервис"})
    for n in range(2, 9):
        ClientFactory(owner=other_manager if n % 2 else manager, name="АО «Ромашка Сервис»")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(DUPLICATES), {"name_or_inn": "Ромашка Сервис"})
    assert len(response.context["duplicates"]) == 8
    assert len(many) == len(few)


def test_saving_opens_the_new_card(client, manager, source):
    client.force_login(manager)
    response = client.post(
        reverse(QUICK),
        {
            "name_or_inn": "ООО «Новый звонок»",
            "phone": "+7 495 765-43-21",
            "contact_name": "Смирнова Ольга",
            "source": source.pk,
            "kind": "company",
        },
    )
    created = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[created.pk])
    assert (created.name, created.phone, created.owner) == (
        "ООО «Новый звонок»",
        "+74957654321",
        manager,
    )
    assert created.contacts.get().full_name == "Смирнова Ольга"
    card = client.get(response["Location"]).content.decode()
    assert "Клиент «ООО «Новый звонок»» зарегистрирован." in card


def test_missing_source_and_contact_way_are_russian_errors(client, manager, existing):
    client.force_login(manager)
    response = client.post(
        reverse(QUICK), {"name_or_inn": "ООО «Ромашка»", "source": "", "kind": "company"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "source": ["Укажите источник"],
        "phone": ["Укажите телефон или e-mail"],
    }
    assert Client.objects.count() == 2
    # The candidates are shown again beside the form.
    assert [row["client"].name for row in response.context["duplicates"]] == [
        "АО «Ромашка»",
        "ООО «Ромашка»",
    ]


def test_service_errors_land_on_the_quick_fields(client, manager, source):
    client.force_login(manager)
    response = client.post(
        reverse(QUICK),
        {
            "name_or_inn": "7707083894",
            "email": "info@example.ru",
            "source": source.pk,
            "kind": "company",
        },
    )
    assert response.context["form"].errors == {
        "name_or_inn": ["Неверный ИНН: не сходится контрольное число"]
    }
    assert Client.objects.count() == 0


def test_a_card_that_breaks_rules_is_marked_and_the_message_says_what_to_fill(
    client, manager, source
):
    from crm.clients.models import EntryRule

    EntryRule.objects.create(client_kind="company", point="first_deal", field="inn")
    client.force_login(manager)
    response = client.post(
        reverse(QUICK),
        {"name_or_inn": "ООО «Без ИНН»", "email": "a@b.ru", "source": source.pk, "kind": "company"},
        follow=True,
    )
    created = Client.objects.get()
    assert created.needs_completion is True
    assert "Карточку нужно дозаполнить: ИНН." in response.content.decode()


def test_list_header_has_the_entry_point(client, manager):
    client.force_login(manager)
    content = client.get(reverse("clients:list")).content.decode()
    assert reverse(QUICK) in content
    assert "Быстрая регистрация" in content

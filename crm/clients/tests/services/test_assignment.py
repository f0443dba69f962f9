"""The notice to a new owner of clients: from the card (service, form), from a group change;
never to someone who took the clients themselves, never when the owner did not change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.clients.models import Client
from crm.clients.services import client_update
from crm.clients.services.group_changes import group_change_apply
from crm.clients.tests.factories import ClientFactory
from crm.core.models import Job, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def romashka(manager):
    return ClientFactory(name="ООО «Ромашка»", inn="7707083893", owner=manager)


def notices() -> list[tuple[str, str, str, str]]:
    return list(
        Notification.objects.order_by("pk").values_list("user__username", "title", "body", "url")
    )


def test_a_new_owner_of_a_card_is_notified_with_the_client_and_a_link(
    head, manager, colleague, romashka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_update(by=head, client=romashka, owner=colleague)

    url = f"/clients/{romashka.pk}/"
    assert notices() == [
        (
            "colleague",
            "Вам передан клиент: ООО «Ромашка»",
            f"Передал: {head.full_name}\nКлиент: ООО «Ромашка», ИНН 7707083893\nОткрыть: {url}",
            url,
        )
    ]
    (job,) = Job.objects.filter(kind="core.send_email")
    assert job.payload == {
        "subject": "Вам передан клиент: ООО «Ромашка»",
        "body": notices()[0][2],
        "to": [colleague.email],
    }


def test_taking_a_card_oneself_notifies_nobody(head, romashka):
    client_update(by=head, client=romashka, owner=head)

    assert Client.objects.get(pk=romashka.pk).owner == head
    assert notices() == []


def test_saving_a_card_with_the_same_owner_notifies_nobody(head, manager, romashka):
    client_update(by=head, client=romashka, owner=manager, region="Москва")

    assert Client.objects.get(pk=romashka.pk).region == "Москва"
    assert notices() == []


def test_a_refused_change_notifies_nobody(head, colleague, romashka):
    with pytest.raises(ValidationError, match="ИНН"):
        client_update(by=head, client=romashka, owner=colleague, inn="123")

    assert Client.objects.get(pk=romashka.pk).owner.username == "manager"
    assert notices() == []


def test_changing_the_owner_in_the_cards_form_notifies_the_new_owner(
    client, head, manager, colleague, romashka
):
    client.force_login(head)
    form = {
        "kind": "company",
        "name": "ООО «Ромашка»",
        "inn": romashka.inn,
        "kpp": romashka.kpp,
        "department": manager.department_id,
    }

    response = client.post(
        reverse("clients:edit", args=[romashka.pk]), {**form, "owner": manager.pk}
    )
    assert response.status_code == 302
    assert notices() == []  # the owner did not change

    response = client.post(
        reverse("clients:edit", args=[romashka.pk]), {**form, "owner": colleague.pk}
    )
    assert response.status_code == 302
    assert [(user, title, url) for user, title, _body, url in notices()] == [
        ("colleague", "Вам передан клиент: ООО «Ромашка»", f"/clients/{romashka.pk}/")
    ]

    response = client.post(reverse("clients:edit", args=[romashka.pk]), {**form, "owner": head.pk})
    assert response.status_code == 302
    assert Client.objects.get(pk=romashka.pk).owner == head
    assert len(notices()) == 1  # taken by the head themselves: nobody new is told


def test_a_group_change_of_owner_sends_one_notice_listing_the_clients(head, manager, colleague):
    names = [f"ООО «Клиент {letter}»" for letter in "АБВГДЕЖ"]
    for name in names:
        ClientFactory(name=name, owner=manager)
    ClientFactory(name="ООО «Уже у коллеги»", owner=colleague)

    group_change_apply(by=head, clients=Client.objects.all(), action="owner", value=colleague.pk)

    url = f"/clients/?owner={colleague.pk}"
    assert notices() == [
        (
            "colleague",
            "Вам передано 7 клиентов",
            f"Передал: {head.full_name}\n"
            "Клиенты: ООО «Клиент А», ООО «Клиент Б», ООО «Клиент В», ООО «Клиент Г», "
            "ООО «Клиент Д»\n"
            "и ещё 2\n"
            f"Открыть: {url}",
            url,
        )
    ]


@pytest.mark.parametrize(
    ("count", "title"),
    [(1, "Вам передан клиент: ООО «Клиент 1»"), (3, "Вам переданы 3 клиента")],
)
def test_a_group_change_titles_by_count(head, manager, colleague, count, title):
    for number in range(1, count + 1):
        ClientFactory(name=f"ООО «Клиент {number}»", owner=manager)

    group_change_apply(by=head, clients=Client.objects.all(), action="owner", value=colleague.pk)

    assert [row[1] for row in notices()] == [title]


def test_a_group_change_to_oneself_or_of_another_field_notifies_nobody(head, manager):
    ClientFactory.create_batch(2, owner=manager)

    group_change_apply(by=head, clients=Client.objects.all(), action="owner", value=head.pk)
    group_change_apply(by=head, clients=Client.objects.all(), action="region", value="Москва")

    assert set(Client.objects.values_list("owner__username", "region")) == {("head", "Москва")}
    assert notices() == []

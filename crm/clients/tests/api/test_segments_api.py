"""API of contacts, saved filters, group change and the tag/industry catalogs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from crm.clients import services
from crm.clients.models import Client, ContactPerson, GroupChange, Industry, SavedFilter, Tag
from crm.clients.tests.factories import ClientFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


# Contacts -------------------------------------------------------------------------------------


@pytest.fixture
def people(manager, other_manager):
    own = ClientFactory(owner=manager, name="ООО «Своё»")
    other = ClientFactory(owner=other_manager, name="ООО «Чужое»")
    ivanov = services.contact_add(
        by=manager, client=own, first_name="Иван", last_name="Иванов", position="Директор"
    )
    services.contact_add(by=manager, client=other, contact=ivanov, position="Консультант")
    services.contact_add(by=other_manager, client=other, first_name="Пётр", last_name="Петров")
    return {"own": own, "other": other, "ivanov": ivanov}


def test_contacts_are_those_of_visible_clients(api, manager, people):
    api.force_authenticate(manager)
    body = api.get("/api/v1/contacts/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["full_name"] == "Иванов Иван"
    # Only the places at clients the manager may see.
    assert row["clients"] == [
        {
            "id": people["own"].pk,
            "name": "ООО «Своё»",
            "position": "Директор",
            "is_main": True,
            "is_decision_maker": False,
        }
    ]
    petrov = ContactPerson.objects.get(last_name="Петров")
    assert api.get(f"/api/v1/contacts/{petrov.pk}/").status_code == 404


def test_contacts_filter_by_client_and_search(api, administrator, people):
    api.force_authenticate(administrator)
    by_client = api.get("/api/v1/contacts/", {"client": people["other"].pk}).json()
    assert [row["full_name"] for row in by_client["results"]] == ["Иванов Иван", "Петров Пётр"]
    found = api.get("/api/v1/contacts/", {"q": "петр"}).json()
    assert [row["full_name"] for row in found["results"]] == ["Петров Пётр"]


def test_create_contact_needs_a_visible_client(api, manager, people):
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/contacts/",
        {"client": people["other"].pk, "first_name": "Олег", "phone": "8 495 123 45 67"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"client": ["Клиент не найден или недоступен вам"]}
    response = api.post(
        "/api/v1/contacts/",
        {
            "client": people["own"].pk,
            "first_name": "Олег",
            "last_name": "Олегов",
            "phone": "8 495 123 45 67",
            "position": "Бухгалтер",
            "is_decision_maker": True,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["full_name"], body["phone"]) == ("Олегов Олег", "+74951234567")
    assert body["clients"][0]["position"] == "Бухгалтер"
    assert body["clients"][0]["is_decision_maker"] is True


def test_create_contact_validation_is_russian_and_writes_nothing(api, manager, people):
    api.force_authenticate(manager)
    before = ContactPerson.objects.count()
    response = api.post(
        "/api/v1/contacts/",
        {"client": people["own"].pk, "first_name": " ", "phone": "12", "email": "нет"},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"first_name", "phone", "email"}
    assert fields["first_name"] == ["Укажите имя контактного лица"]
    assert fields["email"] == ["«нет» — не адрес e-mail"]
    assert ContactPerson.objects.count() == before


def test_patch_contact_is_audited_and_scoped(api, manager, other_manager, people):
    api.force_authenticate(manager)
    ivanov = people["ivanov"]
    response = api.patch(
        f"/api/v1/contacts/{ivanov.pk}/", {"email": "Ivanov@Example.RU"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["email"] == "ivanov@example.ru"
    entry = AuditEntry.objects.filter(content_type__model="contactperson").latest("id")
    assert (entry.action, entry.changes) == ("update", {"email": ["", "ivanov@example.ru"]})
    petrov = ContactPerson.objects.get(last_name="Петров")
    response = api.patch(f"/api/v1/contacts/{petrov.pk}/", {"first_name": "Х"}, format="json")
    assert response.status_code == 404
    bad = api.patch(f"/api/v1/contacts/{ivanov.pk}/", {"phone": "12"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["phone"]
    assert api.put(f"/api/v1/contacts/{ivanov.pk}/", {}, format="json").status_code == 405


def test_contact_list_queries_are_fixed(api, administrator, manager):
    api.force_authenticate(administrator)

    def add(count):
        for index in range(count):
            card = ClientFactory(owner=manager)
            services.contact_add(by=manager, client=card, first_name=f"Имя{index}")

    add(3)
    api.get("/api/v1/contacts/")  # the user's role is cached on the first request
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/contacts/")
    add(20)
    with CaptureQueriesContext(connection) as many:
        body = api.get("/api/v1/contacts/").json()
    assert body["count"] == 23
    assert len(many) == len(few)


# Saved filters --------------------------------------------------------------------------------


def test_saved_filters_are_own_only(api, manager, colleague):
    theirs = SavedFilter.objects.create(user=colleague, name="Их", query="kind=company")
    api.force_authenticate(manager)
    created = api.post(
        "/api/v1/saved-filters/", {"name": "ИП", "query": "kind=entrepreneur&page=2"}
    )
    assert created.status_code == 201
    assert created.json()["query"] == "kind=entrepreneur"
    listing = api.get("/api/v1/saved-filters/").json()
    assert [row["name"] for row in listing] == ["ИП"]
    assert api.delete(f"/api/v1/saved-filters/{theirs.pk}/").status_code == 404
    duplicate = api.post("/api/v1/saved-filters/", {"name": "ип", "query": ""})
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["fields"] == {
        "name": ["Фильтр с таким названием у вас уже есть — выберите другое"]
    }
    mine = SavedFilter.objects.get(user=manager)
    assert api.delete(f"/api/v1/saved-filters/{mine.pk}/").status_code == 204
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Их"]


# Group change ---------------------------------------------------------------------------------


@pytest.fixture
def cards(manager, colleague, other_manager):
    return {
        "own1": ClientFactory(owner=manager, name="А-своя", region="Омск"),
        "own2": ClientFactory(owner=manager, name="Б-своя"),
        "colleague": ClientFactory(owner=colleague, name="В-коллеги"),
        "other": ClientFactory(owner=other_manager, name="Г-чужая"),
    }


def test_group_change_by_ids_preview_apply_and_undo(api, manager, cards):
    vip = Tag.objects.create(name="VIP")
    api.force_authenticate(manager)
    ids = [card.pk for card in cards.values()]
    payload = {"ids": ids, "action": "add_tags", "value": [vip.pk]}
    preview = api.post("/api/v1/clients/group-change/", {**payload, "preview": True}, format="json")
    assert preview.json() == {"count": 2, "message": "Будет изменено 2 карточки"}
    assert not Client.objects.filter(tags=vip).exists()
    applied = api.post("/api/v1/clients/group-change/", payload, format="json")
    assert applied.status_code == 201
    body = applied.json()
    assert (body["action"], body["description"], body["count"]) == (
        "add_tags",
        "Добавить метки: VIP",
        2,
    )
    assert sorted(Client.objects.filter(tags=vip).values_list("name", flat=True)) == [
        "А-своя",
        "Б-своя",
    ]
    undone = api.post("/api/v1/clients/group-change/undo/")
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert not Client.objects.filter(tags=vip).exists()


def test_group_change_by_filter(api, administrator, cards):
    api.force_authenticate(administrator)
    retail = Industry.objects.create(name="Розница")
    response = api.post(
        "/api/v1/clients/group-change/",
        {"filter": {"region": "Омск"}, "action": "industry", "value": retail.pk},
        format="json",
    )
    assert response.status_code == 201
    assert list(Client.objects.filter(industry=retail).values_list("name", flat=True)) == ["А-своя"]
    as_text = api.post(
        "/api/v1/clients/group-change/",
        {"filter": "region=Омск", "action": "size", "value": "micro", "preview": True},
        format="json",
    )
    assert as_text.json()["count"] == 1


def test_group_change_errors(api, manager, colleague, cards):
    api.force_authenticate(manager)
    missing = api.post("/api/v1/clients/group-change/", {"action": "archive"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {
        "ids": ["Укажите карточки (ids) или фильтр списка (filter)"]
    }
    reassign = api.post(
        "/api/v1/clients/group-change/",
        {"ids": [cards["own1"].pk], "action": "owner", "value": colleague.pk},
        format="json",
    )
    assert reassign.status_code == 403
    assert reassign.json()["error"]["message"] == (
        "Менять ответственного и отдел группой могут только руководитель отдела и администратор"
    )
    others = api.post(
        "/api/v1/clients/group-change/",
        {"ids": [cards["other"].pk], "action": "archive"},
        format="json",
    )
    assert others.status_code == 400
    assert others.json()["error"]["message"] == "Ни одна карточка не изменится — менять нечего"
    assert GroupChange.objects.count() == 0
    nothing = api.post("/api/v1/clients/group-change/undo/")
    assert nothing.status_code == 400
    assert nothing.json()["error"]["message"] == "Нет группового изменения, которое можно отменить"


def test_undo_refused_after_a_later_change_over_the_api(api, manager, cards):
    api.force_authenticate(manager)
    ids = [cards["own1"].pk, cards["own2"].pk]
    api.post(
        "/api/v1/clients/group-change/",
        {"ids": ids, "action": "region", "value": "Тверь"},
        format="json",
    )
    api.patch(f"/api/v1/clients/{cards['own1'].pk}/", {"region": "Псков"}, format="json")
    api.patch(f"/api/v1/clients/{cards['own2'].pk}/", {"region": "Псков"}, format="json")
    response = api.post("/api/v1/clients/group-change/undo/")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "Отменить нельзя: после группового изменения изменено 2 карточки"
    )


# Catalogs -------------------------------------------------------------------------------------


def test_tags_and_industries_lists(api, manager):
    Tag.objects.create(name="VIP")
    Tag.objects.create(name="Амбассадор")
    api.force_authenticate(manager)
    tags = api.get("/api/v1/tags/").json()
    assert [row["name"] for row in tags] == ["VIP", "Амбассадор"]
    industries = api.get("/api/v1/industries/").json()
    assert [row["name"] for row in industries] == sorted(
        Industry.objects.values_list("name", flat=True)
    )
    assert api.post("/api/v1/tags/", {"name": "Новая"}).status_code == 405

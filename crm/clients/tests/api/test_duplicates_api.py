from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.clients.models import Client, ClientContact, ClientDuplicate, ClientStatus, Merge
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def error(fields, message="Проверьте данные: есть ошибки в полях."):
    return {"error": {"code": "invalid", "message": message, "fields": fields}}


def test_duplicate_check_finds_candidates_and_says_which_may_be_opened(api, manager, other_manager):
    own = ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", kpp="770701001")
    other = ClientFactory(
        owner=other_manager, name="АО «Ромашка Плюс»", inn="", kpp="", phone="+74951234567"
    )
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/clients/duplicate-check/",
        {"name": "Ромашка", "inn": "7707083893", "phone": "8 (495) 123-45-67"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "candidates": [
            {
                "id": own.pk,
                "name": "ООО «Ромашка»",
                "inn": "7707083893",
                "owner": manager.full_name,
                "score": 100,
                "reasons": ["Похожее название (100 %)", "Совпадает ИНН 7707083893"],
                "can_open": True,
            },
            {
                "id": other.pk,
                "name": "АО «Ромашка Плюс»",
                "inn": "",
                "owner": other_manager.full_name,
                "score": 80,
                "reasons": ["Совпадает телефон +74951234567"],
                "can_open": False,
            },
        ]
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, error({}, "Укажите хотя бы одно: наименование, ИНН, телефон или e-mail")),
        (
            {"inn": "77070838"},
            error({"inn": ["ИНН — 10 цифр у организации или 12 у ИП и физического лица"]}),
        ),
        ({"name": "Ромашка", "kpp": "12"}, error({"kpp": ["КПП — 9 знаков"]})),
        (
            {"phone": "12"},
            error({"phone": ["«12» — такого номера не бывает: проверьте код и число цифр"]}),
        ),
        ({"email": "не почта"}, error({"email": ["«не почта» — не адрес e-mail"]})),
    ],
)
def test_duplicate_check_bad_input_is_a_russian_400(api, manager, body, expected):
    api.force_authenticate(manager)
    response = api.post("/api/v1/clients/duplicate-check/", body, format="json")
    assert response.status_code == 400
    assert response.json() == expected


def test_pairs_list_is_scoped_and_filtered(api, manager, other_manager):
    a, b = ClientFactory(owner=manager, name="А"), ClientFactory(owner=manager, name="Б")
    hidden = ClientFactory(owner=other_manager, name="В")
    ClientDuplicate.objects.create(first=a, second=b, score=90, reasons=["Совпадает ИНН"])
    ClientDuplicate.objects.create(first=b, second=hidden, score=95, reasons=["Похожее"])
    api.force_authenticate(manager)
    body = api.get("/api/v1/client-duplicates/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["first"]["name"], row["second"]["name"], row["score"], row["reasons"]) == (
        "А",
        "Б",
        90,
        ["Совпадает ИНН"],
    )
    assert row["status"] == "new"
    assert api.get("/api/v1/client-duplicates/?min_score=91").json()["count"] == 0
    response = api.get("/api/v1/client-duplicates/?min_score=много")
    assert response.status_code == 400
    assert response.json() == error(
        {"min_score": ["Минимальное сходство — целое число от 0 до 100"]}
    )


@pytest.fixture
def couple(manager):
    kept = ClientFactory(owner=manager, name="ООО «Ромашка»", phone="+74951234567")
    merged = ClientFactory(
        owner=manager, name="Ромашка ООО", inn="", kpp="", phone="+74957654321", email="a@b.ru"
    )
    person = ContactPersonFactory()
    ClientContact.objects.create(client=merged, contact=person, is_main=True)
    return kept, merged, person


def test_merge_and_undo(api, manager, couple):
    kept, merged, _person = couple
    api.force_authenticate(manager)
    response = api.post(
        "/api/v1/clients/merge/",
        {"kept": kept.pk, "merged": merged.pk, "choices": {"phone": "merged"}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    merge = Merge.objects.get()
    assert (body["id"], body["phone"], body["email"], body["merge_id"]) == (
        kept.pk,
        "+74957654321",
        "a@b.ru",
        merge.pk,
    )
    assert list(ClientContact.objects.values_list("client_id", flat=True)) == [kept.pk]
    merged.refresh_from_db()
    assert merged.status == ClientStatus.MERGED

    response = api.post(f"/api/v1/merges/{merge.pk}/undo/")
    assert response.status_code == 200
    assert response.json()["undone_at"] is not None
    merged.refresh_from_db()
    kept.refresh_from_db()
    assert (merged.status, kept.phone) == (ClientStatus.ACTIVE, "+74951234567")
    assert list(ClientContact.objects.values_list("client_id", flat=True)) == [merged.pk]

    response = api.post(f"/api/v1/merges/{merge.pk}/undo/")
    assert response.status_code == 400
    assert response.json() == error({}, "Это объединение уже отменено")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kept": None}, {"kept": ["Это поле не может быть пустым."]}),
        ({"kept": "один"}, {"kept": ["Введите правильное число."]}),
        (
            {"choices": {"phone": "their"}},
            {"choices": ["Для поля «phone» выберите, чьё значение оставить: «kept» или «merged»"]},
        ),
        ({"choices": {"secret": "kept"}}, {"choices": ["Поля «secret» нет среди объединяемых"]}),
    ],
)
def test_merge_bad_input_is_a_russian_400_naming_the_field(api, manager, couple, body, fields):
    kept, merged, _person = couple
    body = {"kept": kept.pk, "merged": merged.pk, **body}
    api.force_authenticate(manager)
    response = api.post("/api/v1/clients/merge/", body, format="json")
    assert response.status_code == 400
    assert response.json() == error(fields)
    assert Merge.objects.count() == 0
    assert Client.objects.filter(status=ClientStatus.MERGED).count() == 0


def test_merge_without_the_merged_card_names_it(api, manager, couple):
    api.force_authenticate(manager)
    response = api.post("/api/v1/clients/merge/", {"kept": couple[0].pk}, format="json")
    assert response.status_code == 400
    assert response.json() == error({"merged": ["Обязательное поле."]})


def test_merge_of_a_card_with_itself_is_a_400(api, manager, couple):
    api.force_authenticate(manager)
    body = {"kept": couple[0].pk, "merged": couple[0].pk}
    response = api.post("/api/v1/clients/merge/", body, format="json")
    assert response.status_code == 400
    assert response.json() == error({"merged": ["Нельзя объединить карточку саму с собой"]})


def test_merge_with_another_users_card_is_404(api, manager, other_manager, couple):
    kept, merged, _person = couple
    stranger = ClientFactory(owner=other_manager)
    api.force_authenticate(manager)
    for body in (
        {"kept": kept.pk, "merged": stranger.pk},
        {"kept": stranger.pk, "merged": merged.pk},
    ):
        response = api.post("/api/v1/clients/merge/", body, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Merge.objects.count() == 0


def test_undo_of_another_users_merge_is_404(api, manager, other_manager, couple):
    kept, merged, _person = couple
    api.force_authenticate(manager)
    merge_id = api.post(
        "/api/v1/clients/merge/", {"kept": kept.pk, "merged": merged.pk}, format="json"
    ).json()["merge_id"]
    api.force_authenticate(other_manager)
    assert api.post(f"/api/v1/merges/{merge_id}/undo/").status_code == 404
    assert api.post("/api/v1/merges/999999/undo/").status_code == 404
    assert Merge.objects.get().undone_at is None


def test_anonymous_gets_401(api):
    assert api.post("/api/v1/clients/duplicate-check/", {"name": "x"}).status_code == 401
    assert api.get("/api/v1/client-duplicates/").status_code == 401

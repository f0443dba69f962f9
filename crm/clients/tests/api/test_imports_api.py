"""POST /api/v1/clients/import/, …/import/{id}/apply/, GET /api/v1/clients/export.csv|xlsx."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from crm.clients.models import Client, ImportBatch, ImportStatus
from crm.clients.tests.factories import ClientFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/import/"
GOOD_CSV = "ИНН;Наименование;Источник\n7707083893;ООО «Ромашка»;Сайт\n5001007329;ООО «Лютик»;Сайт\n"


@pytest.fixture
def api():
    return APIClient()


def upload(text: str, name: str = "clients.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_preview_answers_rows_errors_and_duplicates_without_writing(api, manager):
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", kpp="")
    api.force_authenticate(manager)
    response = api.post(
        URL,
        {"file": upload(GOOD_CSV + "7707083894;ООО «Василёк»;Сайт\n"), "kind": "clients"},
        format="multipart",
    )
    assert response.status_code == 200
    body = response.json()
    batch = ImportBatch.objects.get()
    assert body["batch"] == batch.pk
    assert (body["status"], body["rows_total"], body["applied"]) == ("failed", 3, False)
    assert body["columns"] == [
        {"index": 0, "title": "ИНН", "field": "inn"},
        {"index": 1, "title": "Наименование", "field": "name"},
        {"index": 2, "title": "Источник", "field": "source"},
    ]
    assert body["errors"] == [
        {
            "row": 4,
            "field": "inn",
            "label": "ИНН",
            "message": "Неверный ИНН: не сходится контрольное число",
            "text": "Строка 4, ИНН: Неверный ИНН: не сходится контрольное число",
        }
    ]
    existing = Client.objects.get()
    assert body["duplicates"] == [
        {
            "row": 2,
            "existing": {
                "id": existing.pk,
                "name": "ООО «Ромашка»",
                "owner": manager.short_name,
                "score": 100,
                "reasons": ["Совпадает ИНН 7707083893", "Похожее название (100 %)"],
            },
            "repeats_row": None,
            "repeats_reasons": [],
        }
    ]
    assert Client.objects.count() == 1


def test_apply_creates_all_rows_audited_as_import(api, manager):
    api.force_authenticate(manager)
    response = api.post(URL, {"file": upload(GOOD_CSV), "apply": "true"}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    clients = list(Client.objects.order_by("pk"))
    assert [c.name for c in clients] == ["ООО «Ромашка»", "ООО «Лютик»"]
    assert body["created_ids"] == [c.pk for c in clients]
    assert (body["status"], body["applied"], body["errors"]) == ("applied", True, [])
    assert set(AuditEntry.objects.values_list("source", flat=True)) == {"import"}


def test_apply_with_an_error_writes_nothing(api, manager):
    api.force_authenticate(manager)
    response = api.post(
        URL,
        {"file": upload(GOOD_CSV + "7812345675;;Сайт\n"), "apply": "1"},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == {
        "code": "import_invalid",
        "message": "В файле есть ошибки (1) — ничего не загружено. Исправьте файл и "
        "загрузите снова.",
        "fields": {},
    }
    assert [e["text"] for e in body["errors"]] == [
        "Строка 4, Наименование: Укажите наименование клиента"
    ]
    assert body["status"] == "failed"
    assert Client.objects.count() == 0


def test_mapping_by_column_title_or_index(api, head, colleague):
    api.force_authenticate(head)
    text = (
        f"Название фирмы;Код;Кто ведёт;Откуда\nООО «Ромашка»;7707083893;{colleague.username};Сайт\n"
    )
    mapping = {"Название фирмы": "name", "1": "inn", "Кто ведёт": "owner", "Откуда": "source"}
    response = api.post(
        URL,
        {"file": upload(text), "mapping": json.dumps(mapping), "apply": "true"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    client = Client.objects.get()
    assert (client.name, client.inn, client.owner) == ("ООО «Ромашка»", "7707083893", colleague)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"file": ["Приложите файл CSV или XLSX"]}),
        (
            {"file": SimpleUploadedFile("clients.txt", b"x")},
            {"file": ["Загрузите файл CSV или XLSX: «clients.txt» — файл другого типа"]},
        ),
        (
            {"file": SimpleUploadedFile("clients.xlsx", b"garbage")},
            {
                "file": [
                    "Файл повреждён или это не XLSX: сохраните его в Excel как «Книга Excel "
                    "(*.xlsx)»"
                ]
            },
        ),
        (
            {"file": "GOOD", "kind": "deals"},
            {"kind": ["Выберите, что загружаем: клиентов или контакты"]},
        ),
        (
            {"file": "GOOD", "mapping": "[1]"},
            {"mapping": ["Соответствие колонок — не JSON-объект"]},
        ),
        (
            {"file": "GOOD", "mapping": '{"Телефон": "phone"}'},
            {"mapping": ["В файле нет колонки «Телефон»"]},
        ),
        (
            {"file": "GOOD", "mapping": '{"0": "inn", "2": "source", "1": "owner"}'},
            {
                "mapping": [
                    "Назначать ответственных может только руководитель или администратор: "
                    "уберите колонку «Ответственный» — клиенты будут записаны на вас",
                    "Укажите, в какой колонке «Наименование»",
                ]
            },
        ),
    ],
)
def test_bad_requests_get_the_error_format_and_write_nothing(api, manager, data, fields):
    api.force_authenticate(manager)
    if data.get("file") == "GOOD":
        data = {**data, "file": upload(GOOD_CSV)}
    response = api.post(URL, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert Client.objects.count() == 0


def test_apply_a_previewed_batch_only_your_own(api, manager, colleague):
    api.force_authenticate(colleague)
    batch_id = api.post(URL, {"file": upload(GOOD_CSV)}, format="multipart").json()["batch"]
    api.force_authenticate(manager)
    assert api.post(f"{URL}{batch_id}/apply/").status_code == 404
    api.force_authenticate(colleague)
    response = api.post(f"{URL}{batch_id}/apply/", {"skip_duplicates": False}, format="json")
    assert response.status_code == 201
    assert Client.objects.filter(owner=colleague).count() == 2
    assert ImportBatch.objects.get().status == ImportStatus.APPLIED
    again = api.post(f"{URL}{batch_id}/apply/")
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "Этот файл уже загружен в базу"


def test_import_needs_authentication(api):
    response = api.post(URL, {"file": upload(GOOD_CSV)}, format="multipart")
    assert response.status_code in (401, 403)
    assert ImportBatch.objects.count() == 0


def test_export_csv_is_scoped_filtered_and_neutralized(api, manager, other_manager):
    ClientFactory(owner=manager, name="@Ромашка", inn="7707083893")
    ClientFactory(owner=manager, name="ООО «Лютик»")
    ClientFactory(owner=other_manager, name="ООО «Чужое»")
    api.force_authenticate(manager)
    response = api.get("/api/v1/clients/export.csv", {"q": "ромашка"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0][:4] == ["Наименование", "Полное наименование", "Вид", "ИНН"]
    assert [row[0] for row in rows[1:]] == ["'@Ромашка"]

    response = api.get("/api/v1/clients/export.csv", HTTP_ACCEPT="text/csv")
    content = b"".join(response.streaming_content).decode()
    names = [row[0] for row in csv.reader(io.StringIO(content[1:]), delimiter=";")][1:]
    assert names == ["'@Ромашка", "ООО «Лютик»"]


def test_export_xlsx(api, manager):
    ClientFactory(owner=manager, name="ООО «Ромашка»")
    api.force_authenticate(manager)
    response = api.get("/api/v1/clients/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:1] == ["ООО «Ромашка»"]


def test_export_needs_authentication_and_answers_json(api):
    response = api.get("/api/v1/clients/export.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_a_large_file_is_applied_by_the_worker(api, manager, monkeypatch):
    from crm.clients.services import imports
    from crm.core.jobs import run_pending

    monkeypatch.setattr(imports, "INLINE_APPLY_ROWS", 1)
    api.force_authenticate(manager)
    response = api.post(URL, {"file": upload(GOOD_CSV), "apply": "true"}, format="multipart")
    assert response.status_code == 202
    body = response.json()
    batch_id = body["batch"]
    assert body["job"]["status"] == "queued"
    assert Client.objects.count() == 0

    run_pending(worker_id="t")
    state = api.get(f"{URL}{batch_id}/").json()
    clients = list(Client.objects.order_by("pk"))
    assert state == {
        "batch": batch_id,
        "kind": "clients",
        "file_name": "clients.csv",
        "status": "applied",
        "rows_total": 2,
        "errors": [],
        "created_ids": [c.pk for c in clients],
        "job": {"id": body["job"]["id"], "status": "done"},
    }


def test_batch_state_keeps_the_errors_and_is_only_yours(api, manager, colleague):
    api.force_authenticate(manager)
    batch_id = api.post(
        URL, {"file": upload(GOOD_CSV + "7707083894;ООО «Василёк»;Сайт\n")}, format="multipart"
    ).json()["batch"]
    state = api.get(f"{URL}{batch_id}/").json()
    assert state["status"] == "failed"
    assert state["errors"] == [
        {
            "row": 4,
            "field": "inn",
            "label": "ИНН",
            "message": "Неверный ИНН: не сходится контрольное число",
            "text": "Строка 4, ИНН: Неверный ИНН: не сходится контрольное число",
        }
    ]
    assert state["job"] is None
    api.force_authenticate(colleague)
    assert api.get(f"{URL}{batch_id}/").status_code == 404


def test_default_source_by_name_in_the_mapping(api, manager):
    api.force_authenticate(manager)
    text = "Наименование\nООО «Ромашка»\n"
    mapping = {"Наименование": "name", "source_default": "тендер"}
    response = api.post(
        URL,
        {"file": upload(text), "mapping": json.dumps(mapping), "apply": "true"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert Client.objects.get().source.name == "Тендер"
    mapping["source_default"] = "Газета"
    response = api.post(URL, {"file": upload(text), "mapping": json.dumps(mapping)})
    assert response.json()["error"]["fields"] == {
        "mapping": ["Нет источника «Газета» в справочнике"]
    }

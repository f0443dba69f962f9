"""Import pages (upload → mapping → preview → apply) and the export of the client list."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from crm.clients.models import Client, ImportBatch, ImportStatus, Industry, LeadSource, Tag
from crm.clients.tests.factories import ClientFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "ИНН;Наименование;Телефон;Источник\n"
    "7707083893;ООО «Ромашка»;8 495 123-45-67;Сайт\n"
    "5001007329;ООО «Лютик»;;Выставка\n"
)


def csv_file(text: str, name: str = "clients.csv", encoding: str = "utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "clients.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def post_upload(client, upload, kind="clients"):
    return client.post(reverse("clients:import"), {"kind": kind, "file": upload})


# --- Import --------------------------------------------------------------------------------


def test_upload_mapping_preview_apply(client, manager):
    client.force_login(manager)
    page = client.get(reverse("clients:import"))
    assert page.status_code == 200
    assert "Импорт клиентов и контактов" in page.content.decode()

    response = post_upload(client, csv_file(GOOD_CSV, encoding="cp1251"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:import_mapping", args=[batch.pk])
    assert (batch.file_name, batch.kind, batch.rows_total, batch.by) == (
        "clients.csv",
        "clients",
        2,
        manager,
    )

    mapping_page = client.get(response["Location"])
    content = mapping_page.content.decode()
    assert mapping_page.status_code == 200
    assert [c["title"] for c in mapping_page.context["columns"]] == [
        "ИНН",
        "Наименование",
        "Телефон",
        "Источник",
    ]
    assert [c["selected"] for c in mapping_page.context["columns"]] == [
        "inn",
        "name",
        "phone",
        "source",
    ]
    assert [c["samples"] for c in mapping_page.context["columns"]][1] == [
        "ООО «Ромашка»",
        "ООО «Лютик»",
    ]
    assert '<option value="inn" selected>ИНН</option>' in content
    assert 'value="owner"' not in content  # a manager's clients are their own

    response = client.post(
        response["Location"],
        {"column_0": "inn", "column_1": "name", "column_2": "", "column_3": "source"},
    )
    assert response["Location"] == reverse("clients:import_preview", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.mapping == {"0": "inn", "1": "name", "3": "source"}

    preview = client.get(response["Location"])
    content = preview.content.decode()
    assert preview.status_code == 200
    assert preview.context["errors_count"] == 0
    assert preview.context["create_count"] == 2
    assert "Загрузить в базу" in content
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED

    response = client.post(reverse("clients:import_apply", args=[batch.pk]))
    assert response.status_code == 302
    assert sorted(Client.objects.values_list("name", "phone")) == [
        ("ООО «Лютик»", ""),
        ("ООО «Ромашка»", ""),  # the phone column was left out of the mapping
    ]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert len(batch.created_ids) == 2
    assert set(AuditEntry.objects.values_list("source", flat=True)) == {"import"}

    result = client.get(reverse("clients:import_preview", args=[batch.pk]))
    content = result.content.decode()
    assert "Загружено: 2, пропущено дублей: 0." in content
    assert "создано записей — 2, строк в файле — 2" in content
    assert [c.name for c in result.context["created"]] == ["ООО «Лютик»", "ООО «Ромашка»"]
    # An applied batch goes to its result, not back to the mapping.
    assert client.get(reverse("clients:import_mapping", args=[batch.pk]))["Location"] == (
        reverse("clients:import_preview", args=[batch.pk])
    )


def test_xlsx_upload_is_read(client, manager):
    client.force_login(manager)
    Industry.objects.create(name="Торговля")
    post_upload(
        client,
        xlsx_file(
            [
                ["Наименование", "ИНН", "Отрасль", "Источник"],
                ["ООО «Ромашка»", 7707083893, "торговля", "Сайт"],
            ]
        ),
    )
    batch = ImportBatch.objects.get()
    assert batch.mapping == {"0": "name", "1": "inn", "2": "industry", "3": "source"}
    client.post(reverse("clients:import_apply", args=[batch.pk]), {"skip_duplicates": "on"})
    assert list(Client.objects.values_list("name", "inn", "industry__name")) == [
        ("ООО «Ромашка»", "7707083893", "Торговля")
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("clients.pdf", b"%PDF-1.4"),
            "Загрузите файл CSV или XLSX: «clients.pdf» — файл другого типа",
        ),
        (
            SimpleUploadedFile("clients.xlsx", "ИНН;Наименование\n".encode()),
            "Файл повреждён или это не XLSX: сохраните его в Excel как «Книга Excel (*.xlsx)»",
        ),
        (
            SimpleUploadedFile("big.csv", b"x" * (10 * 1024 * 1024 + 1)),
            "Файл больше 10 МБ — разделите его на части",
        ),
    ],
)
def test_bad_file_is_refused_on_the_upload_page(client, manager, upload, message):
    client.force_login(manager)
    response = post_upload(client, upload)
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_mapping_errors_are_shown_and_nothing_changes(client, manager):
    client.force_login(manager)
    post_upload(client, csv_file(GOOD_CSV))
    batch = ImportBatch.objects.get()
    response = client.post(
        reverse("clients:import_mapping", args=[batch.pk]),
        {"column_0": "name", "column_1": "name", "column_3": "source"},
    )
    assert response.status_code == 200
    assert response.context["errors"] == [
        "Колонки «ИНН», «Наименование» указаны для одного поля «Наименование» — оставьте одну"
    ]
    batch.refresh_from_db()
    assert batch.mapping == {"0": "inn", "1": "name", "2": "phone", "3": "source"}


def test_preview_with_errors_lists_rows_and_apply_writes_nothing(client, manager):
    client.force_login(manager)
    post_upload(
        client,
        csv_file(GOOD_CSV + "7707083894;ООО «Василёк»;;Сайт\n;ООО «Без источника»;;Газета\n"),
    )
    batch = ImportBatch.objects.get()
    preview = client.get(reverse("clients:import_preview", args=[batch.pk]))
    content = preview.content.decode()
    assert [e.text for e in preview.context["errors"]] == [
        "Строка 4, ИНН: Неверный ИНН: не сходится контрольное число",
        "Строка 5, Источник: Нет источника «Газета» в справочнике",
    ]
    assert "Строка 4, ИНН: Неверный ИНН: не сходится контрольное число" in content
    assert "Загрузить в базу" not in content
    response = client.post(reverse("clients:import_apply", args=[batch.pk]))
    assert response.status_code == 400
    assert (
        "В файле есть ошибки (2) — ничего не загружено. Исправьте файл и загрузите снова."
        in response.content.decode()
    )
    assert Client.objects.count() == 0


def test_duplicates_shown_with_a_link_only_to_cards_the_user_may_open(client, manager, colleague):
    mine = ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", kpp="")
    theirs = ClientFactory(owner=colleague, name="ООО «Лютик»", inn="5001007329", kpp="")
    client.force_login(manager)
    post_upload(client, csv_file(GOOD_CSV))
    batch = ImportBatch.objects.get()
    preview = client.get(reverse("clients:import_preview", args=[batch.pk]))
    content = preview.content.decode()
    assert preview.context["duplicates_count"] == 2
    assert preview.context["create_count"] == 0
    assert reverse("clients:detail", args=[mine.pk]) in content
    assert reverse("clients:detail", args=[theirs.pk]) not in content
    assert "Совпадает ИНН 5001007329" in content
    assert 'name="skip_duplicates"' in content and "checked" in content

    # Unticked, the duplicates are created as any other row.
    client.post(reverse("clients:import_apply", args=[batch.pk]))
    assert Client.objects.count() == 4


def test_someone_elses_batch_is_404(client, manager, colleague):
    client.force_login(colleague)
    post_upload(client, csv_file(GOOD_CSV))
    batch = ImportBatch.objects.get()
    client.force_login(manager)
    for name in ("clients:import_mapping", "clients:import_preview"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("clients:import_apply", args=[batch.pk])).status_code == 404
    assert Client.objects.count() == 0


def test_upload_page_lists_own_recent_batches(client, manager, colleague):
    client.force_login(colleague)
    post_upload(client, csv_file(GOOD_CSV, name="чужой.csv"))
    client.force_login(manager)
    post_upload(client, csv_file(GOOD_CSV, name="мой.csv"))
    page = client.get(reverse("clients:import"))
    assert [b.file_name for b in page.context["batches"]] == ["мой.csv"]


def test_import_needs_login(client):
    response = client.get(reverse("clients:import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Export --------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Наименование",
    "Полное наименование",
    "Вид",
    "ИНН",
    "КПП",
    "ОГРН/ОГРНИП",
    "Телефон",
    "E-mail",
    "Сайт",
    "Юридический адрес",
    "Фактический адрес",
    "Регион",
    "Отрасль",
    "Размер",
    "Источник",
    "Метки",
    "Ответственный",
    "Отдел",
    "Статус",
    "Заполненность, %",
    "Комментарий",
    "Создан",
]


@pytest.fixture
def exported(manager, colleague):
    source = LeadSource.objects.get(name="Сайт")
    own = ClientFactory(
        owner=manager,
        name='=HYPERLINK("http://evil.test";"Нажми")',
        full_name="ООО «Ромашка; и Ко»",
        inn="7707083893",
        kpp="770701001",
        phone="+74951234567",
        email="info@romashka.test",
        region="Москва",
        source=source,
        comment="-1+1",
        completeness=40,
    )
    own.tags.set([Tag.objects.create(name="VIP"), Tag.objects.create(name="Госзаказчик")])
    ClientFactory(owner=colleague, name="ООО «Коллеги»")
    return own


def test_csv_export_exact_content_neutralized_and_scoped(client, manager, exported):
    client.force_login(manager)
    response = client.get(reverse("clients:export", args=["csv"]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:], newline=""), delimiter=";"))
    created = exported.created_at.astimezone().strftime("%d.%m.%Y")
    assert rows == [
        EXPORT_HEADER,
        [
            '\'=HYPERLINK("http://evil.test";"Нажми")',
            "ООО «Ромашка; и Ко»",
            "Организация",
            "7707083893",
            "770701001",
            "",
            "8 (495) 123-45-67",
            "info@romashka.test",
            "",
            "",
            "",
            "Москва",
            "",
            "",
            "Сайт",
            "VIP, Госзаказчик",
            manager.full_name,
            manager.department.name,
            "Действует",
            "40",
            "'-1+1",
            created,
        ],
    ]  # the colleague's client is not there


def test_xlsx_export_exact_content(client, manager, exported):
    client.force_login(manager)
    response = client.get(reverse("clients:export", args=["xlsx"]))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "Клиенты"
    assert rows[0] == EXPORT_HEADER
    assert len(rows) == 2
    assert rows[1][:4] == [
        '\'=HYPERLINK("http://evil.test";"Нажми")',
        "ООО «Ромашка; и Ко»",
        "Организация",
        "7707083893",
    ]
    assert rows[1][19:21] == [40, "'-1+1"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_follows_the_list_filters(client, administrator, manager, colleague):
    ClientFactory(owner=manager, name="ООО «Ромашка»")
    ClientFactory(owner=colleague, name="ООО «Лютик»")
    ClientFactory(owner=colleague, name="ООО «Ромашка-2»", status="archived")
    client.force_login(administrator)

    def names(query):
        response = client.get(reverse("clients:export", args=["csv"]), query)
        content = b"".join(response.streaming_content).decode()[1:]
        return [row[0] for row in csv.reader(io.StringIO(content), delimiter=";")][1:]

    assert names({}) == ["ООО «Лютик»", "ООО «Ромашка»"]
    assert names({"q": "ромаш"}) == ["ООО «Ромашка»"]
    assert names({"owner": colleague.pk}) == ["ООО «Лютик»"]
    assert names({"status": "archived"}) == ["ООО «Ромашка-2»"]
    assert names({"sort": "-name", "page": "3"}) == ["ООО «Ромашка»", "ООО «Лютик»"]


def test_export_query_count_does_not_grow_with_rows(client, manager):
    client.force_login(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("clients:export", args=["csv"]))
            b"".join(response.streaming_content)
        return len(captured)

    ClientFactory.create_batch(3, owner=manager)
    few = queries()
    ClientFactory.create_batch(40, owner=manager)
    assert queries() == few


def test_unknown_export_format_is_404(client, manager):
    client.force_login(manager)
    assert client.get("/clients/export.pdf").status_code == 404


def test_list_page_links_export_with_its_filters_and_import(client, manager):
    client.force_login(manager)
    content = client.get(reverse("clients:list"), {"q": "ромашка", "page": "2"}).content.decode()
    assert 'href="/clients/export.csv?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0"' in content
    assert 'href="/clients/export.xlsx?q=%D1%80%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0"' in content
    assert f'href="{reverse("clients:import")}"' in content


# --- Large files: applied by the worker ----------------------------------------------------


def test_a_large_file_is_applied_in_the_background(client, manager, monkeypatch):
    from crm.clients.services import imports
    from crm.core.jobs import run_pending
    from crm.core.models import Job

    monkeypatch.setattr(imports, "INLINE_APPLY_ROWS", 1)
    client.force_login(manager)
    post_upload(client, csv_file(GOOD_CSV))
    batch = ImportBatch.objects.get()
    preview_url = reverse("clients:import_preview", args=[batch.pk])
    assert "загрузится в фоне" in client.get(preview_url).content.decode()

    response = client.post(reverse("clients:import_apply", args=[batch.pk]))
    assert response["Location"] == preview_url
    client.post(reverse("clients:import_apply", args=[batch.pk]))  # a second click
    job = Job.objects.get()
    assert (job.kind, job.status, job.payload) == (
        "clients.import_apply",
        "queued",
        {"batch": batch.pk, "by": manager.pk, "skip_duplicates": False},
    )
    waiting = client.get(preview_url)
    assert waiting.templates[0].name == "clients/import_running.html"
    assert "Загрузка поставлена в очередь" in waiting.content.decode()
    assert client.get(preview_url, HTTP_HX_REQUEST="true").status_code == 204
    assert Client.objects.count() == 0

    assert run_pending(worker_id="t") == 1
    job.refresh_from_db()
    assert (job.status, job.result) == ("done", {"created": 2, "skipped": 0})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert Client.objects.count() == 2
    assert set(AuditEntry.objects.values_list("source", "actor_id")) == {("import", manager.pk)}
    refresh = client.get(preview_url, HTTP_HX_REQUEST="true")
    assert refresh["HX-Refresh"] == "true"
    assert "создано записей — 2, строк в файле — 2" in client.get(preview_url).content.decode()


def test_a_background_apply_that_meets_an_error_writes_nothing(client, manager, monkeypatch):
    from crm.clients.services import imports
    from crm.core.jobs import run_pending
    from crm.core.models import Job

    monkeypatch.setattr(imports, "INLINE_APPLY_ROWS", 1)
    client.force_login(manager)
    post_upload(client, csv_file(GOOD_CSV))
    batch = ImportBatch.objects.get()
    client.post(reverse("clients:import_apply", args=[batch.pk]), {"skip_duplicates": "on"})
    LeadSource.objects.filter(name="Выставка").update(is_active=False)  # meanwhile
    run_pending(worker_id="t")
    assert Job.objects.get().result == {"errors": 1}
    assert Client.objects.count() == 0
    page = client.get(reverse("clients:import_preview", args=[batch.pk]))
    assert [e.text for e in page.context["errors"]] == [
        "Строка 3, Источник: Нет источника «Выставка» в справочнике"
    ]

"""Import of clients and contact persons: mapping, preview, duplicates, all-or-nothing apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.clients.models import (
    Client,
    ClientContact,
    ClientKind,
    ContactPerson,
    EntryPoint,
    EntryRule,
    ImportBatch,
    ImportStatus,
    Industry,
    LeadSource,
)
from crm.clients.services import imports
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory, company_inn
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = "Наименование;ИНН;КПП;Телефон;E-mail;Источник"


def upload(user, text: str, *, kind="clients", name="clients.csv", encoding="utf-8"):
    return imports.import_upload(by=user, kind=kind, file_name=name, content=text.encode(encoding))


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def error_texts(preview) -> list[str]:
    return [error.text for error in preview.errors]


# --- Mapping -------------------------------------------------------------------------------


def test_mapping_is_guessed_from_the_header(manager, head):
    header = [
        "ИНН",
        "Наименование",
        "Телефон",
        "e-mail",
        "КПП",
        "Адрес",
        "Источник",
        "Отрасль",
        "Регион:",
        "Комментарий",
        "Ответственный",
        "Что-то ещё",
        "ИНН",
    ]
    expected = {
        "0": "inn",
        "1": "name",
        "2": "phone",
        "3": "email",
        "4": "kpp",
        "5": "legal_address",
        "6": "source",
        "7": "industry",
        "8": "region",
        "9": "comment",
    }
    # Only who may reassign clients gets «Ответственный»; the second «ИНН» is not taken.
    assert imports.suggest_mapping("clients", header, manager) == expected
    assert imports.suggest_mapping("clients", header, head) == {**expected, "10": "owner"}


def test_contact_mapping_is_guessed_from_the_header(manager):
    header = ["Фамилия", "Имя", "Отчество", "Должность", "Телефон", "E-mail", "ИНН", "ФИО"]
    assert imports.suggest_mapping("contacts", header, manager) == {
        "0": "last_name",
        "1": "first_name",
        "2": "middle_name",
        "3": "position",
        "4": "phone",
        "5": "email",
        "6": "client_inn",
        "7": "person_name",
    }


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"1": "inn", "2": "source"}, "Укажите, в какой колонке «Наименование»"),
        (
            {"0": "name", "1": "name", "2": "source"},
            "Колонки «Наименование», «ИНН» указаны для одного поля «Наименование» — оставьте одну",
        ),
        ({"0": "name", "2": "source", "7": "inn"}, "В файле нет колонки «7»"),
        ({"0": "name", "2": "source", "1": "salary"}, "Нет поля «salary»"),
        (
            {"0": "name", "2": "source", "1": "owner"},
            "Назначать ответственных может только руководитель или администратор: уберите "
            "колонку «Ответственный» — клиенты будут записаны на вас",
        ),
        (
            {"0": "name"},
            "Правила ввода требуют источник у нового клиента: укажите колонку «Источник» или "
            "источник для строк без него",
        ),
    ],
)
def test_bad_mapping_is_refused_and_kept_unchanged(manager, mapping, message):
    batch = upload(manager, csv_text("ООО «Ромашка»;7707083893;Сайт", header="Наименование;ИНН;X"))
    before = dict(batch.mapping)
    with pytest.raises(ValidationError) as error:
        imports.import_set_mapping(by=manager, batch=batch, mapping=mapping)
    assert error.value.message_dict == {"mapping": [message]}
    batch.refresh_from_db()
    assert batch.mapping == before


# --- Upload --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clients.xls", b"x", "Загрузите файл CSV или XLSX: «clients.xls» — файл другого типа"),
        ("clients.csv", b"", "Файл пуст"),
        (
            "clients.csv",
            "Наименование;ИНН\n".encode(),
            "Файл пуст — в нём нет ни одной строки с данными",
        ),
        (
            "clients.csv",
            b'a;b\n1;"2\n',
            "Строка 2: кавычка открыта и не закрыта до конца файла",
        ),
        (
            "clients.xlsx",
            b"not a zip",
            "Файл повреждён или это не XLSX: сохраните его в Excel как «Книга Excel (*.xlsx)»",
        ),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(manager, name, content, message):
    with pytest.raises(ValidationError) as error:
        imports.import_upload(by=manager, kind="clients", file_name=name, content=content)
    assert error.value.message_dict == {"file": [message]}
    assert ImportBatch.objects.count() == 0


def test_files_over_10_mb_are_refused():
    with pytest.raises(ValidationError) as error:
        imports.check_upload("big.csv", 10 * 1024 * 1024 + 1)
    assert error.value.message_dict == {"file": ["Файл больше 10 МБ — разделите его на части"]}
    imports.check_upload("fits.XLSX", 10 * 1024 * 1024)


# --- A good file ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["clients_utf8_bom.csv", "clients_cp1251.csv"])
def test_a_good_file_creates_exactly_its_rows_audited_as_an_import(manager, name):
    batch = imports.import_upload(
        by=manager, kind="clients", file_name=name, content=(FIXTURES / name).read_bytes()
    )
    assert batch.rows_total == 3
    preview = imports.import_preview(by=manager, batch=batch)
    assert error_texts(preview) == []
    assert [row.number for row in preview.rows] == [2, 4, 5]

    result = imports.import_apply(by=manager, batch=batch)

    clients = list(Client.objects.order_by("pk"))
    assert [
        (c.name, c.kind, c.inn, c.kpp, c.phone, c.email, c.source.name, c.region, c.comment)
        for c in clients
    ] == [
        (
            "ООО «Ромашка»",
            ClientKind.COMPANY,
            "7707083893",
            "770701001",
            "+74951234567",
            "info@romashka-test.ru",
            "Сайт",
            "Москва",
            "Постоянный заказчик",
        ),
        (
            "ИП Петров Пётр Петрович",
            ClientKind.ENTREPRENEUR,  # a 12-digit ИНН and no «Вид» column
            "500100732259",
            "",
            "+79165554433",
            "petrov@yandex.ru",
            "Рекомендация",  # matched without regard to case
            "Подмосковье",
            "",
        ),
        (
            'АО "Берёзка; и партнёры"',
            ClientKind.COMPANY,
            "7812345675",
            "781201001",
            "",
            "",
            "Выставка",
            "Санкт-Петербург",
            "Много строк\nв комментарии",
        ),
    ]
    assert {(c.owner, c.department) for c in clients} == {(manager, manager.department)}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.created_ids == [c.pk for c in clients] == result.created_ids
    assert batch.errors == []
    assert batch.applied_at is not None
    entries = AuditEntry.objects.filter(content_type__model="client", action="create")
    assert sorted(int(e.object_id) for e in entries) == [c.pk for c in clients]
    assert {(e.source, e.actor_id) for e in entries} == {("import", manager.pk)}


def test_the_same_batch_is_not_applied_twice(manager):
    batch = upload(manager, csv_text("ООО «Ромашка»;7707083893;;;;Сайт"))
    imports.import_apply(by=manager, batch=batch)
    with pytest.raises(ValidationError) as error:
        imports.import_apply(by=manager, batch=batch)
    assert error.value.messages == ["Этот файл уже загружен в базу"]
    assert Client.objects.count() == 1


# --- All or nothing ------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_created(manager):
    batch = upload(
        manager,
        csv_text(
            "ООО «Ромашка»;7707083893;770701001;;;Сайт",
            "ООО «Василёк»;7707083894;;;;Сайт",
            "",
            "ООО «Лютик»;7812345675;;позвонить;нет-почты;Газета",
        ),
    )
    preview = imports.import_preview(by=manager, batch=batch)
    expected = [
        "Строка 3, ИНН: Неверный ИНН: не сходится контрольное число",
        "Строка 5, Источник: Нет источника «Газета» в справочнике",
        "Строка 5, Телефон: «позвонить» — не номер телефона",
        "Строка 5, E-mail: «нет-почты» — не адрес e-mail",
    ]
    assert error_texts(preview) == expected
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors[0] == {
        "row": 3,
        "field": "inn",
        "label": "ИНН",
        "message": "Неверный ИНН: не сходится контрольное число",
    }

    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_apply(by=manager, batch=batch)
    assert rejected.value.messages == [
        "В файле есть ошибки (4) — ничего не загружено. Исправьте файл и загрузите снова."
    ]
    assert [error.text for error in rejected.value.row_errors] == expected
    assert Client.objects.count() == 0
    assert AuditEntry.objects.filter(content_type__model="client").count() == 0
    batch.refresh_from_db()
    assert (batch.status, batch.created_ids, len(batch.errors)) == (ImportStatus.FAILED, [], 4)


def test_a_failure_while_writing_rolls_back_the_rows_already_written(manager, monkeypatch):
    batch = upload(
        manager,
        csv_text("ООО «Ромашка»;7707083893;;;;Сайт", "ООО «Василёк»;7812345675;;;;Сайт"),
    )
    real_create = imports.client_create

    def create(**fields):
        if fields["name"] == "ООО «Василёк»":
            raise ValidationError({"name": ["Такое название занято"]})
        return real_create(**fields)

    monkeypatch.setattr(imports, "client_create", create)
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_apply(by=manager, batch=batch)
    assert [e.text for e in rejected.value.row_errors] == [
        "Строка 3, Наименование: Такое название занято"
    ]
    assert Client.objects.count() == 0
    assert AuditEntry.objects.filter(content_type__model="client").count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [
        {"row": 3, "field": "name", "label": "Наименование", "message": "Такое название занято"}
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (";7707083893;;;;Сайт", "Строка 2, Наименование: Укажите наименование клиента"),
        ("ИП Иванов;7707083893;;;;Сайт", "Строка 2, ИНН: ИНН должен содержать 12 цифр"),
        (
            "ООО «Ромашка»;7707083893;77070100;;;Сайт",
            "Строка 2, КПП: КПП — 9 знаков: 4 цифры, 2 цифры или заглавные латинские буквы, "
            "3 цифры",
        ),
        (
            "ООО «Ромашка»;;;;;",
            "Строка 2, Источник: нужно заполнить: этого требуют правила ввода при создании клиента",
        ),
        (
            "О" * 256 + ";;;;;Сайт",
            "Строка 2, Наименование: Убедитесь, что это значение содержит не более 255 символов "
            "(сейчас 256).",
        ),
    ],
)
def test_row_errors_use_the_same_rules_as_the_form(manager, row, message):
    preview = imports.import_preview(by=manager, batch=upload(manager, csv_text(row)))
    assert error_texts(preview) == [message]


def test_catalogs_kind_size_and_site_are_read(manager):
    Industry.objects.create(name="Строительство")
    header = "Наименование;Вид;ИНН;Отрасль;Размер;Сайт;Источник"
    batch = upload(
        manager,
        csv_text(
            "Иванов Иван;Физическое лицо;;строительство;;;выставка",
            "ООО «Ромашка»;ЮЛ;0267001238;СТРОИТЕЛЬСТВО;Малый (до 100);romashka.ru;Сайт",
            "ООО «Лютик»;Холдинг;;Пекарни;Огромный;;Сайт",
            header=header,
        ),
    )
    preview = imports.import_preview(by=manager, batch=batch)
    assert error_texts(preview) == [
        "Строка 4, Вид: «Холдинг» — непонятный вид клиента: напишите «Организация», «ИП» или "
        "«Физическое лицо»",
        "Строка 4, Размер: «Огромный» — непонятный размер: напишите «Микро», «Малый», "
        "«Средний» или «Крупный»",
        "Строка 4, Отрасль: Нет отрасли «Пекарни» в справочнике",
    ]
    person, company = preview.rows[0].fields, preview.rows[1].fields
    assert person["kind"] == ClientKind.PERSON
    assert person["industry"].name == "Строительство"
    assert company["kind"] == ClientKind.COMPANY
    assert company["size"] == "small"
    assert company["website"] == "https://romashka.ru"
    # Excel drops the leading zero of an ИНН typed as a number: 267001238 is 0267001238.
    assert company["inn"] == "0267001238"


def test_default_source_fills_rows_without_one(manager):
    batch = upload(
        manager, csv_text("ООО «Ромашка»;", "ООО «Лютик»;Выставка", header="Наименование;Источник")
    )
    fair = LeadSource.objects.get(name="Тендер")
    imports.import_set_mapping(
        by=manager,
        batch=batch,
        mapping={"0": "name", "1": "source", "source_default": str(fair.pk)},
    )
    imports.import_apply(by=manager, batch=batch)
    assert dict(Client.objects.values_list("name", "source__name")) == {
        "ООО «Ромашка»": "Тендер",
        "ООО «Лютик»": "Выставка",
    }


def test_rules_a_file_cannot_meet_mark_the_card_to_complete(manager):
    EntryRule.objects.create(client_kind="company", point=EntryPoint.CREATION, field="contact")
    batch = upload(manager, csv_text("ООО «Ромашка»;7707083893;;;;Сайт"))
    assert error_texts(imports.import_preview(by=manager, batch=batch)) == []
    imports.import_apply(by=manager, batch=batch)
    assert Client.objects.get().needs_completion is True


# --- Responsible manager -------------------------------------------------------------------


def test_head_assigns_owners_of_the_department_only(head, colleague, other_manager):
    header = "Наименование;Ответственный;Источник"
    batch = upload(
        head,
        csv_text(
            f"ООО «Ромашка»;{colleague.username.upper()};Сайт",
            f"ООО «Лютик»;{colleague.full_name};Сайт",
            "ООО «Василёк»;;Сайт",
            f"ООО «Чужое»;{other_manager.username};Сайт",
            header=header,
        ),
    )
    preview = imports.import_preview(by=head, batch=batch)
    assert error_texts(preview) == [
        f"Строка 5, Ответственный: Нет сотрудника «{other_manager.username}» среди тех, кого "
        "вы можете назначить ответственным"
    ]
    assert [row.fields["owner"] for row in preview.rows[:3]] == [colleague, colleague, head]


def test_manager_cannot_map_the_owner_column(manager, colleague):
    batch = upload(
        manager,
        csv_text(
            f"ООО «Ромашка»;{colleague.username};Сайт", header="Наименование;Менеджер;Источник"
        ),
    )
    assert batch.mapping == {"0": "name", "2": "source"}  # not suggested for a manager
    # As if sent around the checks: the mapping is checked again on preview and apply.
    ImportBatch.objects.filter(pk=batch.pk).update(
        mapping={"0": "name", "1": "owner", "2": "source"}
    )
    batch.refresh_from_db()
    with pytest.raises(ValidationError):
        imports.import_preview(by=manager, batch=batch)
    with pytest.raises(ValidationError):
        imports.import_apply(by=manager, batch=batch)
    assert Client.objects.count() == 0


# --- Duplicates ----------------------------------------------------------------------------


def test_duplicates_against_the_base_and_inside_the_file(manager, colleague):
    existing = ClientFactory(
        owner=colleague, name="ООО «Ромашка»", inn="7707083893", kpp="770701001"
    )
    mine = ClientFactory(owner=manager, name="ООО «Лютик»", inn="", kpp="", phone="+74951234567")
    branch = ClientFactory(owner=manager, name="АО «Берёза»", inn="7812345675", kpp="781201001")
    batch = upload(
        manager,
        csv_text(
            "Ромашка;7707083893;770701001;;;Сайт",  # the same ИНН+КПП: a colleague's client
            "ООО «Лютик-2»;;;8 495 123-45-67;;Сайт",  # the same phone as my client
            "АО «Берёза» (филиал);7812345675;781202001;;;Сайт",  # another КПП: a branch
            "ООО «Новое»;5001007329;;;new@novoe-test.ru;Сайт",
            "Новое ООО;;;;NEW@novoe-test.ru;Сайт",  # repeats row 5 by e-mail
        ),
    )
    preview = imports.import_preview(by=manager, batch=batch)
    assert error_texts(preview) == []
    rows = {row.number: row for row in preview.rows}

    first = rows[2].duplicate_of
    assert (first.id, first.name, first.score, first.visible) == (
        existing.pk,
        "ООО «Ромашка»",
        100,
        False,  # a colleague's card: shown, not opened
    )
    assert first.reasons[0] == "Совпадают ИНН 7707083893 и КПП 770701001"
    assert first.owner == colleague.short_name

    second = rows[3].duplicate_of
    assert (second.id, second.score, second.visible, second.reasons) == (
        mine.pk,
        80,
        True,
        ("Совпадает телефон +74951234567",),
    )
    # A branch is shown as alike but is not a duplicate.
    assert rows[4].duplicate_of is None
    assert (rows[4].likes[0].id, rows[4].likes[0].score) == (branch.pk, 60)
    assert [row.number for row in preview.alike] == [4]

    assert rows[5].is_duplicate is False
    assert (rows[6].repeats_row, rows[6].repeats_reasons) == (
        5,
        ("Похожее название (100 %)", "Совпадает e-mail new@novoe-test.ru"),
    )
    assert [row.number for row in preview.duplicates] == [2, 3, 6]
    assert len(preview.to_create(skip_duplicates=True)) == 2


@pytest.mark.parametrize(("skip", "created"), [(True, 2), (False, 3)])
def test_duplicates_are_skipped_only_when_asked(manager, skip, created):
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", kpp="770701001")
    batch = upload(
        manager,
        csv_text(
            "ООО «Ромашка»;7707083893;770701001;;;Сайт",
            "ООО «Лютик»;5001007329;;;;Сайт",
            "ООО «Василёк»;7812345675;;;;Сайт",
        ),
    )
    result = imports.import_apply(by=manager, batch=batch, skip_duplicates=skip)
    assert len(result.created_ids) == created
    assert result.skipped_rows == ([2] if skip else [])
    assert Client.objects.count() == 1 + created


def test_preview_query_count_does_not_grow_with_rows(manager):
    existing = ClientFactory(owner=manager, inn=company_inn(999), kpp="")

    def queries(count: int) -> int:
        rows = [f"{existing.name};{existing.inn};;;;Сайт"]  # one duplicate in each file
        rows += [
            f"ООО «Клиент {n}»;{company_inn(10_000 + n)};;8 495 100-{n // 100:02d}-{n % 100:02d};"
            f"c{n}@firm{n}-test.ru;Сайт"
            for n in range(1, count)
        ]
        batch = upload(manager, csv_text(*rows))
        with CaptureQueriesContext(connection) as captured:
            preview = imports.build_preview(batch, manager)
        assert len(preview.rows) == count and not preview.errors
        assert [row.number for row in preview.duplicates] == [2]
        return len(captured)

    queries(2)  # the user's own per-request caches (absences) are filled once
    assert queries(5) == queries(120)


# --- Contact persons -----------------------------------------------------------------------


def test_contacts_are_linked_to_the_clients_by_inn(manager, colleague):
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893")
    ClientFactory(owner=colleague, name="ООО «Чужое»", inn="7812345675")
    content = (FIXTURES / "contacts_cp1251.csv").read_text(encoding="cp1251")
    content += "Пётр;Водитель;;;7812345675\n;;;;7707083893\n"
    batch = upload(manager, content, kind="contacts", encoding="cp1251")
    preview = imports.import_preview(by=manager, batch=batch)
    assert error_texts(preview) == [
        "Строка 4, ИНН клиента: Нет клиента с ИНН 7812345675 среди ваших клиентов",
        "Строка 5, Имя: Укажите имя контактного лица",
    ]


def test_a_good_contacts_file_creates_linked_people(manager):
    romashka = ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893")
    content = (FIXTURES / "contacts_cp1251.csv").read_bytes()
    batch = imports.import_upload(
        by=manager, kind="contacts", file_name="contacts.csv", content=content
    )
    result = imports.import_apply(by=manager, batch=batch)
    people = list(ContactPerson.objects.order_by("pk"))
    assert [(p.last_name, p.first_name, p.middle_name, p.phone, p.email) for p in people] == [
        ("Иванова", "Анна", "Сергеевна", "+74957654321", "ivanova@romashka-test.ru"),
        ("Сидоров", "Олег", "", "", "sidorov@romashka-test.ru"),
    ]
    assert result.created_ids == [p.pk for p in people]
    links = ClientContact.objects.filter(client=romashka).order_by("contact_id")
    assert [(link.position, link.is_main) for link in links] == [
        ("Директор", True),
        ("Закупщик", False),
    ]
    entries = AuditEntry.objects.filter(content_type__model="contactperson", action="create")
    assert {e.source for e in entries} == {"import"}
    assert entries.count() == 2


def test_contact_duplicates_in_the_base_and_the_file(manager):
    romashka = ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893")
    anna = ContactPersonFactory(last_name="Иванова", first_name="Анна", middle_name="Сергеевна")
    ClientContact.objects.create(client=romashka, contact=anna, is_main=True)
    header = "Фамилия;Имя;Отчество;E-mail;ИНН;ЛПР"
    batch = upload(
        manager,
        csv_text(
            "Иванова;Анна;Сергеевна;;7707083893;да",
            "Петров;Пётр;;petrov@romashka-test.ru;7707083893;нет",
            "Петров;Пётр;;;7707083893;",
            "Сидоров;Олег;;;7707083893;может быть",
            header=header,
        ),
        kind="contacts",
    )
    preview = imports.import_preview(by=manager, batch=batch)
    assert error_texts(preview) == [
        "Строка 5, Принимает решения: «может быть» — напишите «да» или «нет»"
    ]
    rows = {row.number: row for row in preview.rows}
    assert rows[2].duplicate_of.id == anna.pk
    assert rows[2].duplicate_of.reasons == ("У клиента уже есть человек с таким ФИО",)
    assert rows[2].fields["is_decision_maker"] is True
    assert rows[3].is_duplicate is False
    assert (rows[4].repeats_row, rows[4].repeats_reasons) == (
        3,
        ("Тот же человек у того же клиента",),
    )


def test_contacts_file_needs_the_client_inn_and_a_name(manager):
    batch = upload(manager, csv_text("Олег", header="Должность"), kind="contacts")
    with pytest.raises(ValidationError) as error:
        imports.import_set_mapping(by=manager, batch=batch, mapping={"0": "position"})
    assert error.value.message_dict == {
        "mapping": ["Укажите, в какой колонке «Имя»", "Укажите, в какой колонке «ИНН клиента»"]
    }

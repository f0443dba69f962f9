import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from crm.core.models import AuditAction, AuditEntry, AuditSource
from crm.sales.models import Product, ProductGroup, ProductKind, VatKind
from crm.sales.services import catalog as catalog_services
from crm.sales.services.catalog_import import ImportRejected, import_apply, import_preview
from crm.sales.tests.factories import ProductFactory, unit

pytestmark = pytest.mark.django_db

HEADER = ["Наименование", "Вид", "Артикул", "Единица", "Цена", "Валюта", "НДС", "Группа", "Активен"]


def xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="utf-8"):
    lines = [delimiter.join(header)] + [delimiter.join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def test_xlsx_creates_and_updates(administrator):
    existing = ProductFactory(name="Сверло 6 мм", article="SV-6", price=Decimal("10.00"))
    by_name = ProductFactory(name="Доставка по городу", article="", price=Decimal("500.00"))
    content = xlsx(
        [
            ["Дрель ударная", "Товар", "DR-1", "шт", 4990.5, "RUB", "22 %", "Инструмент", "да"],
            ["Сверло 6 мм (новое имя)", "", "sv-6", "", "12,50", "", "", "", ""],
            ["Доставка по городу", "Услуга", "", "ч", "600", "", "Без НДС", "", "нет"],
            ["Монтаж", "услуга", "MT-1", "", "1500", "", "10", "Работы / Монтаж", ""],
        ],
    )
    # The last line has no unit: refused for a new product.
    plan = import_preview(by=administrator, file_name="price.xlsx", content=content)
    assert plan.errors == ["Строка 5: единица — укажите единицу или код ОКЕИ"]

    content = xlsx(
        [
            ["Дрель ударная", "Товар", "DR-1", "шт", 4990.5, "RUB", "22 %", "Инструмент", "да"],
            ["Сверло 6 мм (новое имя)", "", "sv-6", "", "12,50", "", "", "", ""],
            ["Доставка по городу", "Услуга", "", "ч", "600", "", "Без НДС", "", "нет"],
            ["Монтаж", "услуга", "MT-1", "компл.", "1500", "", "10", "Работы / Монтаж", ""],
        ],
    )
    plan = import_preview(by=administrator, file_name="price.xlsx", content=content)
    assert plan.errors == []
    assert [(line.number, line.action) for line in plan.lines] == [
        (2, "create"),
        (3, "update"),
        (4, "update"),
        (5, "create"),
    ]
    assert plan.new_groups == ["Инструмент", "Работы / Монтаж"]
    assert plan.lines[1].changes == [
        ("наименование", "Сверло 6 мм", "Сверло 6 мм (новое имя)"),
        ("цена", "10,00", "12,50"),
    ]
    assert not Product.objects.filter(article="DR-1").exists()  # the preview writes nothing

    plan = import_apply(by=administrator, file_name="price.xlsx", content=content)
    drill = Product.objects.get(article="DR-1")
    assert drill.price == Decimal("4990.50")
    assert drill.vat_kind == VatKind.GENERAL
    assert drill.group.name == "Инструмент"
    existing.refresh_from_db()
    assert (existing.name, existing.price) == ("Сверло 6 мм (новое имя)", Decimal("12.50"))
    by_name.refresh_from_db()
    assert by_name.kind == ProductKind.SERVICE
    assert by_name.unit.okei_code == "356"
    assert by_name.vat_kind == VatKind.NONE
    assert by_name.is_active is False
    mount = Product.objects.get(article="MT-1")
    assert mount.group.name == "Монтаж" and mount.group.parent.name == "Работы"
    assert mount.vat_kind == VatKind.REDUCED
    assert mount.unit.okei_code == "839"
    sources = set(
        AuditEntry.objects.filter(content_type__model="product").values_list("source", flat=True)
    )
    assert sources == {AuditSource.IMPORT}
    comments = set(
        AuditEntry.objects.filter(content_type__model="product").values_list("comment", flat=True)
    )
    assert comments == {"Импорт из файла «price.xlsx»"}
    update = AuditEntry.objects.get(object_id=str(existing.pk), action=AuditAction.UPDATE)
    assert update.changes == {
        "name": ["Сверло 6 мм", "Сверло 6 мм (новое имя)"],
        "price": ["10.00", "12.50"],
    }
    assert (
        AuditEntry.objects.filter(content_type__model="product", action=AuditAction.UPDATE).count()
        == 2
    )
    # The same file again changes nothing.
    again = import_preview(by=administrator, file_name="price.xlsx", content=content)
    assert [line.action for line in again.lines] == ["same"] * 4
    assert again.new_groups == []


def test_bad_lines_reported_and_nothing_written(administrator):
    ProductFactory(name="Старое", article="OLD-1", price=Decimal("1.00"))
    content = xlsx(
        [
            ["Болт", "Товар", "B-1", "шт", "12,3,4", "RUB", "22", "", ""],
            ["", "Товар", "B-2", "шт", "1", "", "", "", ""],
            ["Гайка", "Штука", "B-3", "парсек", "-5", "рубли", "13 %", "", "может"],
            ["Шайба", "", "B-4", "", "1", "", "", "", ""],
            ["Старое", "", "OLD-1", "", "2", "", "", "", ""],
        ],
    )
    with pytest.raises(ImportRejected) as error:
        import_apply(by=administrator, file_name="bad.xlsx", content=content)
    assert error.value.plan.errors == [
        "Строка 2: цена «12,3,4» — не число",
        "Строка 3: наименование — не заполнено",
        "Строка 4: вид «Штука» — напишите «Товар» или «Услуга»",
        "Строка 4: единица «парсек» — нет такой единицы в справочнике единиц",
        "Строка 4: цена «-5» — меньше нуля",
        "Строка 4: валюта «рубли» — нужен трёхбуквенный код, например RUB",
        "Строка 4: НДС «13 %» — напишите ставку: 22 %, 10 %, 0 %, 5 %, 7 % или «Без НДС»",
        "Строка 4: активен «может» — напишите «да» или «нет»",
        "Строка 5: единица — укажите единицу или код ОКЕИ",
    ]
    assert error.value.messages == [
        "В файле есть ошибки (9) — ничего не загружено. Исправьте файл и загрузите снова."
    ]
    assert Product.objects.count() == 1
    assert Product.objects.get().price == Decimal("1.00")
    assert not AuditEntry.objects.exists()


def test_duplicate_articles_in_file(administrator):
    content = csv_bytes(
        [
            ["Болт", "", "B-1", "шт", "1", "", "", "", ""],
            ["Болт длинный", "", "b-1", "шт", "2", "", "", "", ""],
            ["Гайка", "", "", "шт", "1", "", "", "", ""],
            ["Гайка", "", "", "шт", "1", "", "", "", ""],
        ]
    )
    plan = import_preview(by=administrator, file_name="dup.csv", content=content)
    assert plan.errors == [
        "Строка 3: артикул «b-1» — уже встречался в строке 2",
        "Строка 5: наименование «Гайка» — уже встречалось в строке 4 (без артикула)",
    ]
    with pytest.raises(ImportRejected):
        import_apply(by=administrator, file_name="dup.csv", content=content)
    assert not Product.objects.exists()


def test_windows_1251_csv_with_comma_and_okei_code(administrator):
    header = ["Наименование", "Артикул", "Код ОКЕИ", "Цена", "НДС"]
    rows = [
        ['"Кабель ВВГ 3х2,5"', "K-325", "006", '"1 250,00"', "20%"],
        ["Песок", "P-1", "168", "900", "0"],
    ]
    content = csv_bytes(rows, header=header, delimiter=",", encoding="cp1251")
    plan = import_apply(by=administrator, file_name="cable.csv", content=content)
    assert [line.action for line in plan.lines] == ["create", "create"]
    cable = Product.objects.get(article="K-325")
    assert cable.name == "Кабель ВВГ 3х2,5"
    assert cable.unit.name == "м"
    assert cable.price == Decimal("1250.00")
    assert cable.vat_kind == VatKind.GENERAL
    assert Product.objects.get(article="P-1").vat_kind == VatKind.ZERO


def test_unit_and_okei_must_agree(administrator):
    header = ["Наименование", "Единица", "Код ОКЕИ"]
    content = csv_bytes([["Болт", "кг", "796"], ["Гайка", "шт", "999"]], header=header)
    plan = import_preview(by=administrator, file_name="u.csv", content=content)
    assert plan.errors == [
        "Строка 2: единица «кг» — не совпадает с кодом ОКЕИ 796 (шт)",
        "Строка 3: код ОКЕИ «999» — нет такой единицы в справочнике единиц",
    ]


def test_file_problems(administrator):
    with pytest.raises(ValidationError) as error:
        import_preview(by=administrator, file_name="price.doc", content=b"x")
    assert error.value.message_dict == {
        "file": ["Загрузите файл CSV или XLSX: «price.doc» — файл другого типа"]
    }
    plan = import_preview(
        by=administrator,
        file_name="x.csv",
        content=csv_bytes([["Болт"]], header=["Название товара", "Примечание"]),
    )
    assert plan.errors == [
        "В файле нет колонки «Наименование» — первая строка должна содержать названия колонок"
    ]
    with pytest.raises(ValidationError) as error:
        import_preview(by=administrator, file_name="x.csv", content=csv_bytes([], header=HEADER))
    assert error.value.message_dict == {"file": ["Файл пуст — в нём нет ни одной строки с данными"]}
    plan = import_preview(
        by=administrator,
        file_name="x.csv",
        content=csv_bytes([["Болт", "шт", "x"]], header=["Наименование", "Ед. изм.", "Склад"]),
    )
    assert plan.errors == []
    assert plan.ignored_columns == ["Склад"]


def test_ambiguous_name_and_group(administrator):
    ProductFactory(name="Болт", article="")
    ProductFactory(name="Болт", article="")
    top = catalog_services.group_save(by=administrator, name="Крепёж")
    catalog_services.group_save(by=administrator, name="Болты", parent=top)
    catalog_services.group_save(by=administrator, name="Болты")
    header = ["Наименование", "Единица", "Группа"]
    content = csv_bytes(
        [["Болт", "шт", ""], ["Винт", "шт", "Болты"], ["Шуруп", "шт", "крепёж / болты"]],
        header=header,
    )
    plan = import_preview(by=administrator, file_name="x.csv", content=content)
    assert plan.errors == [
        "Строка 2: наименование «Болт» — таких позиций в каталоге несколько — укажите артикул",
        "Строка 3: группа «Болты» — таких групп несколько — укажите путь через «/»",
    ]
    ok = import_preview(
        by=administrator,
        file_name="x.csv",
        content=csv_bytes([["Шуруп", "шт", "крепёж / болты"]], header=header),
    )
    assert ok.errors == [] and ok.new_groups == []
    assert ok.lines[0].values["group"].parent == top
    assert ProductGroup.objects.count() == 3


def test_only_administrator_imports(manager):
    content = csv_bytes([["Болт", "", "B-1", "шт", "1", "", "", "", ""]])
    with pytest.raises(PermissionDenied):
        import_preview(by=manager, file_name="x.csv", content=content)
    with pytest.raises(PermissionDenied):
        import_apply(by=manager, file_name="x.csv", content=content)
    assert not Product.objects.exists()


def test_vat_and_active_spellings(administrator):
    header = ["Наименование", "Единица", "НДС", "Используется"]
    rows = [
        ["А", "шт", "Общая ставка", "Да"],
        ["Б", "шт", "5% (УСН)", "0"],
        ["В", "шт", "7", "1"],
        ["Г", "шт", "без НДС", ""],
    ]
    import_apply(by=administrator, file_name="v.csv", content=csv_bytes(rows, header=header))
    assert dict(Product.objects.values_list("name", "vat_kind")) == {
        "А": VatKind.GENERAL,
        "Б": VatKind.USN_5,
        "В": VatKind.USN_7,
        "Г": VatKind.NONE,
    }
    assert list(Product.objects.filter(is_active=False).values_list("name", flat=True)) == ["Б"]
    assert unit("796").product_set.count() == 4

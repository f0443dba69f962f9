"""Reading CSV/XLSX files for the import: encodings, separators, row numbers, broken files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm.clients.domain.tabular import (
    MAX_ROWS,
    Row,
    TabularError,
    decode_text,
    detect_delimiter,
    read_csv,
    read_table,
    read_xlsx,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

CLIENTS_HEADER = (
    "Наименование",
    "ИНН",
    "КПП",
    "Телефон",
    "E-mail",
    "Источник",
    "Регион",
    "Комментарий",
)
CLIENTS_ROWS = (
    Row(
        2,
        (
            "ООО «Ромашка»",
            "7707083893",
            "770701001",
            "8 (495) 123-45-67",
            "info@romashka-test.ru",
            "Сайт",
            "Москва",
            "Постоянный заказчик",
        ),
    ),
    Row(
        4,
        (
            "ИП Петров Пётр Петрович",
            "500100732259",
            "",
            "+7 916 555-44-33",
            "petrov@yandex.ru",
            "рекомендация",
            "Подмосковье",
            "",
        ),
    ),
    Row(
        5,
        (
            'АО "Берёзка; и партнёры"',
            "7812345675",
            "781201001",
            "",
            "",
            "Выставка",
            "Санкт-Петербург",
            "Много строк\nв комментарии",
        ),
    ),
)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("clients_utf8_bom.csv", "utf-8"), ("clients_cp1251.csv", "windows-1251")],
)
def test_csv_in_both_encodings_reads_the_same(name, encoding):
    table = read_table((FIXTURES / name).read_bytes(), name)
    assert table.encoding == encoding
    assert table.delimiter == ";"
    assert table.header == CLIENTS_HEADER
    # The empty line 3 is skipped but still counted; the quoted ";" and line break stay.
    assert table.rows == CLIENTS_ROWS


def test_comma_separated_utf8_without_bom():
    table = read_table((FIXTURES / "clients_comma_utf8.csv").read_bytes(), "Клиенты.CSV")
    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    assert table.header == ("Наименование", "ИНН", "Телефон")
    assert table.rows == (
        Row(2, ("ООО «Ромашка», филиал", "7707083893", "8 (495) 123-45-67")),
        Row(3, ("ООО «Василёк»", "7812345675", "")),
    )


def test_tab_separated_utf16_as_excel_saves_unicode_text():
    content = "ИНН\tНаименование\r\n7707083893\tООО «Ромашка»\r\n".encode("utf-16")
    table = read_csv(content)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows == (Row(2, ("7707083893", "ООО «Ромашка»")),)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a;b;c", ";"),
        ("a,b,c", ","),
        ("a\tb", "\t"),
        ('"x;y",b,c', ","),  # a separator inside quotes does not count
        ("a;b,c", ";"),  # a tie goes to «;», what Russian Excel writes
        ("one column", ";"),
    ],
)
def test_detect_delimiter(line, expected):
    assert detect_delimiter(f"\n\n{line}\nmore") == expected


def test_decode_prefers_utf8_and_falls_back_to_windows_1251():
    assert decode_text("Ёлка".encode()) == ("Ёлка", "utf-8")
    assert decode_text("Ёлка".encode("cp1251")) == ("Ёлка", "windows-1251")


def test_cells_are_trimmed_short_rows_padded_and_neutralized_text_restored():
    content = "ИНН;Наименование;Комментарий\n 7707083893\xa0;'=ООО;\n".encode()
    assert read_csv(content).rows == (Row(2, ("7707083893", "=ООО", "")),)


def test_header_may_follow_empty_lines():
    table = read_csv(b"\n;;\nINN;Name\n1;2\n")
    assert table.header_number == 3
    assert table.rows == (Row(4, ("1", "2")),)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Файл пуст"),
        (b"\n \n", "Файл пуст"),
        (b'a;b\n1;2\n3;"x\n4;5\n', "Строка 3: кавычка открыта и не закрыта до конца файла"),
        (
            b'a;b\n"1"x;2\n',
            "Строка 2: после закрывающей кавычки должен идти разделитель «;»",
        ),
        (
            b"a;b\n1;2\n1;2;3\n",
            "Строка 3: значений (3) больше, чем колонок в заголовке (2) — проверьте "
            "разделитель «;» и кавычки",
        ),
        (b"a;b\n1;2\n3;\x004\n", "Строка 3: в строке двоичные данные — это не текстовый файл CSV"),
    ],
)
def test_broken_csv_is_refused_with_the_row(content, message):
    with pytest.raises(TabularError) as error:
        read_csv(content)
    assert str(error.value) == message


def test_trailing_empty_cells_beyond_the_header_are_ignored():
    assert read_csv(b"a;b\n1;2;;\n").rows == (Row(2, ("1", "2")),)


def test_too_many_rows():
    content = ("n\n" + "x\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(TabularError) as error:
        read_csv(content)
    assert str(error.value) == "В файле больше 20 000 строк — разделите его на части"


def test_xlsx_values_become_text_as_a_person_typed_them():
    content = xlsx(
        [
            ["ИНН", "Наименование", "Дата", "Сумма", "ЛПР"],
            [7707083893, "  ООО «Ромашка» ", dt.datetime(2024, 3, 5), 1.5, True],
            [],
            ["500100732259", "ИП Петров", dt.date(2023, 1, 2), None, False],
        ]
    )
    table = read_table(content, "clients.XLSX")
    assert table.header == ("ИНН", "Наименование", "Дата", "Сумма", "ЛПР")
    assert table.rows == (
        Row(2, ("7707083893", "ООО «Ромашка»", "05.03.2024", "1.5", "да")),
        Row(4, ("500100732259", "ИП Петров", "02.01.2023", "", "нет")),
    )


def test_xlsx_value_in_a_column_without_title_widens_the_header():
    table = read_xlsx(xlsx([["ИНН"], ["7707083893", "лишнее"]]))
    assert table.header == ("ИНН", "")
    assert table.rows == (Row(2, ("7707083893", "лишнее")),)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Файл пуст"),
        (
            "ИНН;Наименование\n".encode(),
            "Файл повреждён или это не XLSX: сохраните его в Excel как «Книга Excel (*.xlsx)»",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "Файл повреждён или это не XLSX: сохраните его в Excel как «Книга Excel (*.xlsx)»",
        ),
    ],
)
def test_broken_xlsx_is_refused_clearly(content, message):
    with pytest.raises(TabularError) as error:
        read_xlsx(content)
    assert str(error.value) == message


def test_xlsx_with_a_damaged_part_is_refused_clearly():
    good = xlsx([["ИНН"], ["7707083893"]])
    # A valid zip whose workbook part is missing: openpyxl cannot open it.
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if item.filename != "xl/workbook.xml":
                target.writestr(item, source.read(item.filename))
    with pytest.raises(TabularError) as error:
        read_xlsx(buffer.getvalue())
    assert str(error.value) == "Файл XLSX повреждён и не открывается: сохраните его в Excel заново"


def test_xlsx_with_a_damaged_sheet_names_the_row():
    good = xlsx([["ИНН"], ["7707083893"], ["7812345675"]])
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="3"') + 12]  # cut in the middle of row 3
            target.writestr(item, data)
    with pytest.raises(TabularError) as error:
        read_xlsx(buffer.getvalue())
    assert str(error.value).startswith("Строка ")
    assert "лист XLSX повреждён" in str(error.value)


def test_other_extensions_are_refused():
    with pytest.raises(TabularError) as error:
        read_table(b"x", "clients.xls")
    assert str(error.value) == "Файл «clients.xls» — не CSV и не XLSX"

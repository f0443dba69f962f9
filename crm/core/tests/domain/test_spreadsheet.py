"""Writing CSV/XLSX without formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from crm.core.domain.spreadsheet import (
    FORMULA_PREFIXES,
    cell_text,
    csv_line,
    csv_lines,
    neutralize_formula,
    restore_neutralized,
    xlsx_bytes,
)

# Text that likes to start with a formula character.
risky_text = st.one_of(
    st.text(),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(FORMULA_PREFIXES), st.text()),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+7 495 123-45-67", "'+7 495 123-45-67"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("ООО «Ромашка»", "ООО «Ромашка»"),
        ("a=1", "a=1"),
        ("", ""),
        ("'=1", "'=1"),
    ],
)
def test_neutralize_formula(text, expected):
    assert neutralize_formula(text) == expected


@given(risky_text)
def test_no_neutralized_text_starts_with_a_formula_character(text):
    assert not neutralize_formula(text).startswith(FORMULA_PREFIXES)


@given(risky_text)
def test_restore_undoes_neutralize(text):
    assert restore_neutralized(neutralize_formula(text)) == text


@given(st.lists(risky_text, min_size=1, max_size=5))
def test_no_csv_cell_starts_with_a_formula_character(values):
    content = "".join(csv_lines(["a"] * len(values), [values]))
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:], newline=""), delimiter=";"))
    cells = rows[1] or [""]  # a lone empty value is an empty line
    assert cells == [neutralize_formula(value) for value in values]
    for cell in cells:
        assert not cell.startswith(FORMULA_PREFIXES)


@given(st.lists(risky_text, min_size=1, max_size=4))
def test_no_xlsx_cell_is_a_formula_or_starts_with_a_formula_character(values):
    content = xlsx_bytes(["a"] * len(values), [values])
    sheet = load_workbook(io.BytesIO(content)).active
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    for cell in row:
        assert cell.data_type != "f"
        assert not str(cell.value or "").startswith(FORMULA_PREFIXES)


def test_cell_text_of_other_values():
    assert cell_text(None) == ""
    assert cell_text(True) == "да"
    assert cell_text(False) == "нет"
    assert cell_text(42) == "42"
    assert cell_text(-5) == "-5"  # a number is not a formula
    assert cell_text(Decimal("1234.50")) == "1234,50"
    assert cell_text(dt.date(2025, 3, 1)) == "01.03.2025"
    assert cell_text(dt.datetime(2025, 3, 1, 9, 5)) == "01.03.2025 09:05"


def test_csv_line_quotes_what_needs_it():
    assert csv_line(["a;b", 'say "hi"', "two\nlines", "=1", 7]) == (
        '"a;b";"say ""hi""";"two\nlines";\'=1;7\r\n'
    )


def test_xlsx_drops_control_characters_before_neutralizing():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["a"], [["\x1f=1+1"]]))).active
    assert sheet["A2"].value == "'=1+1"


def test_xlsx_keeps_types_and_drops_characters_xml_cannot_hold():
    content = xlsx_bytes(
        ["Текст", "Число", "Дата"],
        [["bell\x07 =x", 5, dt.date(2025, 1, 2)], ["=1+1", Decimal("2.5"), None]],
        title="Клиенты",
        widths=[30, 10, 12],
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "Клиенты"
    assert [c.value for c in sheet[1]] == ["Текст", "Число", "Дата"]
    assert [c.value for c in sheet[2]] == ["bell =x", 5, dt.datetime(2025, 1, 2)]
    assert [c.value for c in sheet[3]] == ["'=1+1", 2.5, None]
    assert 30 <= sheet.column_dimensions["A"].width < 31  # XlsxWriter adds its padding
    assert sheet.freeze_panes == "A2"


def test_xlsx_header_is_bold_and_frozen_dates_are_dates_long_text_fits_a_cell():
    content = xlsx_bytes(
        ["Когда", "Текст"],
        [[dt.datetime(2025, 1, 2, 10, 30), "я" * 40_000], [dt.date(2024, 2, 29), "  с пробелами "]],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.font.b for cell in sheet[1]] == [True, True]
    assert sheet["A2"].value == dt.datetime(2025, 1, 2, 10, 30)
    assert sheet["A2"].is_date
    assert sheet["A3"].value == dt.datetime(2024, 2, 29)
    assert len(sheet["B2"].value) == 32_767
    assert sheet["B3"].value == "  с пробелами "

"""Writing tables for spreadsheets (CSV for Excel, XLSX) without letting user text become a
formula (pure Python: the csv module writes CSV, XlsxWriter writes XLSX; openpyxl reads).

The one rule against formula injection (CSV injection, OWASP): a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a single quote in front,
so Excel and LibreOffice show it as text instead of evaluating it. Numbers, dates and booleans
are written as such: they cannot carry a formula. Every export of the project goes through
`neutralize_formula` (or the writers below, which call it)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZING_QUOTE = "'"
CSV_BOM = "\ufeff"
CSV_DELIMITER = ";"

# Characters XML 1.0 does not allow (openpyxl refuses them): control characters except tab,
# line feed and carriage return.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | Decimal | dt.date | dt.datetime | bool | None


def neutralize_formula(text: str) -> str:
    """``'=1+2'`` → ``"'=1+2"``; any other text is returned unchanged."""
    if text.startswith(FORMULA_PREFIXES):
        return NEUTRALIZING_QUOTE + text
    return text


def restore_neutralized(text: str) -> str:
    """The inverse of `neutralize_formula`, for reading back a file this project exported:
    ``"'=1+2"`` → ``'=1+2'``. A quote before anything else is kept."""
    if text.startswith(NEUTRALIZING_QUOTE) and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def cell_text(value: Cell) -> str:
    """The text of a cell in a CSV file: dates as ДД.ММ.ГГГГ, booleans as да/нет, decimals
    with a comma (what Russian Excel reads as a number), text neutralized."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int | Decimal):
        return str(value).replace(".", ",")
    return neutralize_formula(value)


def csv_line(values: Sequence[Cell]) -> str:
    """One CSV record for Excel: ``;`` between fields, quotes where needed, CRLF at the end."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n").writerow(
        [cell_text(value) for value in values]
    )
    return buffer.getvalue()


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """A whole CSV file, line by line (for a streaming response): the UTF-8 byte order mark
    that makes Excel read Cyrillic correctly, the header, then the rows."""
    yield CSV_BOM + csv_line(header)
    for row in rows:
        yield csv_line(row)


# --- XLSX ----------------------------------------------------------------------------------

EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in a cell; a longer text breaks the file


def _xlsx_value(value: Cell) -> Cell | float:
    if isinstance(value, str):
        return neutralize_formula(_ILLEGAL_XML.sub("", value))[:EXCEL_CELL_LIMIT]
    if isinstance(value, Decimal):
        return float(value)  # an XLSX number cell is a binary double by the format itself
    return value


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str = "Лист1",
    widths: Sequence[int] = (),
) -> bytes:
    """An XLSX workbook with one sheet: the bold header row (frozen), then the rows. Written
    row by row (constant memory); text is neutralized and always written as text, never parsed
    as a formula, a number or a URL."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(_ILLEGAL_XML.sub("", title)[:31] or "Лист1")
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    datetime_format = workbook.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [_xlsx_value(name) for name in header], bold)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(row_index, column, str(_xlsx_value(value)))
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(row_index, column, value.replace(tzinfo=None), datetime_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row_index, column, value, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row_index, column, value)
            elif value is None:
                continue
            else:
                sheet.write(row_index, column, _xlsx_value(value))
    workbook.close()
    return buffer.getvalue()

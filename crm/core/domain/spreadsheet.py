"""Writing tables for spreadsheets (CSV for Excel, XLSX) without letting user text become a
formula (pure Python; openpyxl writes the XLSX).

The one rule against formula injection (CSV injection, OWASP): a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a single quote in front,
so Excel and LibreOffice show it as text instead of evaluating it. Numbers, dates and booleans
are written as such: they cannot carry a formula. Every export of the project goes through
`neutralize_formula` (or the writers below, which call it)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from openpyxl import Workbook

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


def _csv_field(text: str) -> str:
    if any(ch in text for ch in (CSV_DELIMITER, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Sequence[Cell]) -> str:
    """One CSV record for Excel: ``;`` between fields, quotes where needed, CRLF at the end."""
    return CSV_DELIMITER.join(_csv_field(cell_text(value)) for value in values) + "\r\n"


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """A whole CSV file, line by line (for a streaming response): the UTF-8 byte order mark
    that makes Excel read Cyrillic correctly, the header, then the rows."""
    yield CSV_BOM + csv_line(header)
    for row in rows:
        yield csv_line(row)


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralize_formula(_ILLEGAL_XML.sub("", value))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time
    return value


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str = "Лист1",
    widths: Sequence[int] = (),
) -> bytes:
    """An XLSX workbook with one sheet: the header row, then the rows. Written in openpyxl's
    write-only mode, so memory stays flat whatever the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters

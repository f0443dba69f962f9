"""Reading a table out of an uploaded CSV or XLSX file (pure Python; openpyxl reads XLSX).

CSV: the encoding is recognised (UTF-8 with or without the byte order mark, UTF-16 with it,
else windows-1251, what Russian Excel writes), and so is the separator (``;``, ``,`` or tab,
whichever the header line holds most of). XLSX: the first sheet.

Rows keep their number in the file as a person sees it in Excel (the header on the first line
is row 1; in CSV a record is a row even when a quoted cell spans several lines), so an error
can say «Строка 7». Empty lines are skipped but still counted. A broken file raises
TabularError with a Russian message that names the row where it could tell."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from crm.core.domain.messages import Message, _
from crm.core.domain.spreadsheet import restore_neutralized

MAX_ROWS = 20_000
DELIMITERS = (";", ",", "\t")


ERROR_EMPTY = Message(_("Файл пуст"))
ERROR_BINARY = _("Строка %(line)s: в строке двоичные данные — это не текстовый файл CSV")
ERROR_NOT_XLSX = Message(
    _("Файл повреждён или это не XLSX: сохраните его в Excel как «Книга Excel (*.xlsx)»")
)


class TabularError(ValueError):
    """The file cannot be read as a table. The message (args[0]) is a Message: Russian, and
    translated by the caller with crm.core.i18n.translated."""


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # the row in the file as Excel shows it, counting from 1
    cells: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    header_number: int = 1
    encoding: str = ""  # CSV only: the encoding that was recognised
    delimiter: str = ""  # CSV only


def read_table(content: bytes, file_name: str) -> Table:
    """The table in `content`; the format is taken from the file name's extension."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(content)
    if name.endswith(".csv"):
        return read_csv(content)
    raise TabularError(Message(_("Файл «%(name)s» — не CSV и не XLSX"), name=file_name))


def decode_text(content: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 is tried first: windows-1251 Cyrillic is never valid
    UTF-8, while any byte sequence is "valid" windows-1251, so the order matters."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise TabularError(Message(_("Файл в кодировке UTF-16 повреждён"))) from error
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1251"), "windows-1251"
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise TabularError(
            Message(
                _(
                    "Строка %(line)s: не удалось прочитать текст — сохраните файл в кодировке "
                    "UTF-8 или windows-1251"
                ),
                line=line,
            )
        ) from error


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def detect_delimiter(text: str) -> str:
    """The separator the first non-empty line holds most of (``;`` wins a tie: Russian Excel
    writes it)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {char: _count_outside_quotes(first, char) for char in DELIMITERS}
    best = max(DELIMITERS, key=lambda char: counts[char])
    return best if counts[best] else DELIMITERS[0]


def _clean(text: str) -> str:
    return restore_neutralized(text.replace("\xa0", " ").strip())


def _csv_error(error: csv.Error, line: int, delimiter: str) -> TabularError:
    text = str(error)
    if "unexpected end of data" in text or "EOF" in text:
        template = _("Строка %(line)s: кавычка открыта и не закрыта до конца файла")
    elif "expected after" in text:
        template = _(
            "Строка %(line)s: после закрывающей кавычки должен идти разделитель «%(delimiter)s»"
        )
    elif "NUL" in text or "null byte" in text:
        template = ERROR_BINARY
    elif "field larger than field limit" in text:
        template = _("Строка %(line)s: слишком длинное значение — вероятно, не закрыта кавычка")
    else:
        template = _("Строка %(line)s: строку не удалось разобрать")
    params = {"line": line, "delimiter": delimiter} if "delimiter" in template else {"line": line}
    return TabularError(Message(template, **params))


def read_csv(content: bytes) -> Table:
    if not content.strip():
        raise TabularError(ERROR_EMPTY)
    text, encoding = decode_text(content)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TabularError(Message(ERROR_BINARY, line=line))
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    header_number = 1
    rows: list[Row] = []
    line = 0
    while True:
        line += 1  # the record's row as Excel shows the file (a quoted cell may span lines)
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _csv_error(error, line, delimiter) from error
        cells = tuple(_clean(cell) for cell in record)
        if not any(cells):
            continue
        if header is None:
            header, header_number = cells, line
            continue
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if any(extra):
                raise TabularError(
                    Message(
                        _(
                            "Строка %(line)s: значений (%(values)s) больше, чем колонок в "
                            "заголовке (%(columns)s) — проверьте разделитель «%(delimiter)s» и "
                            "кавычки"
                        ),
                        line=line,
                        values=len(cells),
                        columns=len(header),
                        delimiter=delimiter,
                    )
                )
            cells = cells[: len(header)]
        rows.append(Row(line, cells + ("",) * (len(header) - len(cells))))
        if len(rows) > MAX_ROWS:
            raise _too_many_rows()
    if header is None:
        raise TabularError(ERROR_EMPTY)
    return Table(header, tuple(rows), header_number, encoding, delimiter)


def _too_many_rows() -> TabularError:
    return TabularError(
        Message(
            _("В файле больше %(limit)s строк — разделите его на части"),
            limit=f"{MAX_ROWS:,}".replace(",", " "),
        )
    )


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into Excel: 7707083893.0 is ИНН 7707083893
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return _clean(str(value))


def read_xlsx(content: bytes) -> Table:
    if not content:
        raise TabularError(ERROR_EMPTY)
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise TabularError(ERROR_NOT_XLSX)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken file
        raise TabularError(
            Message(_("Файл XLSX повреждён и не открывается: сохраните его в Excel заново"))
        ) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TabularError(Message(_("В файле XLSX нет ни одного листа")))
        # The size a file declares may be wrong (some programs write none or a stale one).
        sheet.reset_dimensions()
        return _read_sheet(sheet)
    finally:
        workbook.close()


def _read_sheet(sheet: Any) -> Table:
    header: list[str] | None = None
    header_number = 1
    rows: list[Row] = []
    number = 0
    iterator = sheet.iter_rows(values_only=True)
    while True:
        number += 1
        try:
            values = next(iterator)
        except StopIteration:
            break
        except Exception as error:  # a broken sheet XML surfaces while reading rows
            raise TabularError(
                Message(
                    _("Строка %(line)s: лист XLSX повреждён — сохраните файл в Excel заново"),
                    line=number,
                )
            ) from error
        cells = [_xlsx_text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if header is None:
            header, header_number = cells, number
            continue
        if len(cells) > len(header):
            # A value in a column without a title: the column still shows up in the mapping.
            header.extend([""] * (len(cells) - len(header)))
        rows.append(Row(number, tuple(cells)))
        if len(rows) > MAX_ROWS:
            raise _too_many_rows()
    if header is None:
        raise TabularError(ERROR_EMPTY)
    width = len(header)
    padded = tuple(Row(row.number, row.cells + ("",) * (width - len(row.cells))) for row in rows)
    return Table(tuple(header), padded, header_number)

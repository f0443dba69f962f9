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
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

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


# --- XLSX ----------------------------------------------------------------------------------
# Written directly (the Office Open XML parts are small and fixed): openpyxl takes about a
# millisecond per row of twenty cells, too slow for the whole client base; this writer is ten
# times faster and streams the sheet into the zip. Text goes in as inline strings, so there is
# no shared-string table to keep in memory.

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in a cell; a longer text breaks the file
_STYLE_DATE = 1
_STYLE_DATETIME = 2
_STYLE_HEADER = 3

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# cellXfs: 0 general, 1 date (built-in format 14, shown by Excel in the reader's locale:
# ДД.ММ.ГГГГ in Russia), 2 date and time (22), 3 the bold header.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _xml_text(text: str) -> str:
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xlsx_cell(reference: str, value: Cell, style: int = 0) -> str:
    """One <c> element (empty for None). Text is neutralized like every export."""
    if value is None or value == "":
        return ""
    styled = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"{styled}><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal):
        return f'<c r="{reference}"{styled}><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time
        serial = (moment - _EXCEL_EPOCH) / dt.timedelta(days=1)
        return f'<c r="{reference}" s="{_STYLE_DATETIME}"><v>{serial:.10g}</v></c>'
    if isinstance(value, dt.date):
        serial = (value - _EXCEL_EPOCH.date()).days
        return f'<c r="{reference}" s="{_STYLE_DATE}"><v>{serial}</v></c>'
    # Characters XML cannot hold are dropped before neutralizing: "\x1f=1" must not become
    # "=1" after the check.
    text = neutralize_formula(_ILLEGAL_XML.sub("", value))[:EXCEL_CELL_LIMIT]
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{reference}" t="inlineStr"{styled}><is><t{space}>{text}</t></is></c>'


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str = "Лист1",
    widths: Sequence[int] = (),
) -> bytes:
    """An XLSX workbook with one sheet: the bold header row (frozen), then the rows."""
    buffer = io.BytesIO()
    sheet_title = _xml_text(title)[:31].replace('"', "&quot;") or "Лист1"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK.format(title=sheet_title))
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for chunk in _sheet_xml(header, rows, widths):
                sheet.write(chunk.encode("utf-8"))
    return buffer.getvalue()


def _sheet_xml(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], widths: Sequence[int]
) -> Iterator[str]:
    letters = [_column_letter(index) for index in range(len(header))]
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
    )
    if widths:
        yield (
            "<cols>"
            + "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(widths, start=1)
            )
            + "</cols>"
        )
    yield "<sheetData>"
    cells = "".join(
        _xlsx_cell(f"{letter}1", name, _STYLE_HEADER)
        for letter, name in zip(letters, header, strict=False)
    )
    yield f'<row r="1">{cells}</row>'
    buffered: list[str] = []
    for number, row in enumerate(rows, start=2):
        while len(letters) < len(row):
            letters.append(_column_letter(len(letters)))
        cells = "".join(
            _xlsx_cell(f"{letter}{number}", value)
            for letter, value in zip(letters, row, strict=False)
        )
        buffered.append(f'<row r="{number}">{cells}</row>')
        if len(buffered) >= 500:
            yield "".join(buffered)
            buffered = []
    if buffered:
        yield "".join(buffered)
    yield "</sheetData></worksheet>"


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters

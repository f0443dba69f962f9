"""The Central Bank of Russia's daily exchange rates: the XML of `XML_daily.asp` (pure Python).

The file, as the Bank serves it (windows-1251, declared in the XML header)::

    <?xml version="1.0" encoding="windows-1251"?>
    <ValCurs Date="26.11.2026" name="Foreign Currency Market">
      <Valute ID="R01235">
        <NumCode>840</NumCode><CharCode>USD</CharCode><Nominal>1</Nominal>
        <Name>Доллар США</Name><Value>78,1234</Value><VunitRate>78,1234</VunitRate>
      </Valute>
      …
    </ValCurs>

`Value` is the price in roubles of `Nominal` units (100 Japanese yen, 10 Indian rupees), written
with a decimal comma. The rate of one unit is `Value / Nominal`, kept exactly as a Decimal (the
division by a power of ten never rounds; any other nominal that would need rounding is refused).
`VunitRate` (added by the Bank in 2022) is not read: the per-unit rate is computed, not trusted.

`Date` is the date the rates are set for; asked for a day without a new rate (a weekend, a future
day) the Bank answers with the last rates it has, so the loader must store them under
`RatesDocument.date`, not under the date it asked for.

The file comes from the network: a DOCTYPE or an ENTITY declaration (the way to the "billion
laughs" and external-entity attacks) is refused before parsing (defusedxml is not installed).
Anything malformed raises `RatesFormatError` with a Russian message naming the element or the
attribute, and nothing is returned half-read."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation

ROOT_TAG = "ValCurs"
VALUTE_TAG = "Valute"
DATE_PATTERN = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
VALUE_PATTERN = re.compile(r"^\d+(,\d+)?$")
CODE_PATTERN = re.compile(r"^[A-Z]{3}$")
NUM_CODE_PATTERN = re.compile(r"^\d{3}$")
NOMINAL_PATTERN = re.compile(r"^[1-9]\d{0,8}$")
FORBIDDEN_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
#: Exact division: a result that would need rounding raises Inexact instead.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])

PREFIX = "Файл курсов ЦБ РФ: "
EMPTY_FILE = PREFIX + "файл пуст"
NOT_BYTES = PREFIX + "ожидались байты файла, а не {type}"
NOT_XML = PREFIX + "не XML ({error})"
FORBIDDEN_DECLARATION = PREFIX + "объявления DOCTYPE и ENTITY не допускаются"
WRONG_ROOT = PREFIX + "корневой элемент должен быть ValCurs, а не «{tag}»"
NO_DATE = PREFIX + "у элемента ValCurs нет атрибута Date"
BAD_DATE = PREFIX + "атрибут Date элемента ValCurs «{value}» — не дата ДД.ММ.ГГГГ"
NO_VALUTES = PREFIX + "в файле нет ни одной валюты (элементов Valute)"
UNEXPECTED_ELEMENT = PREFIX + "неожиданный элемент «{tag}» внутри ValCurs"
MISSING_ELEMENT = PREFIX + "у валюты {where} нет элемента {element}"
BAD_CHAR_CODE = PREFIX + "у валюты {where} CharCode «{value}» — не код ISO 4217 из трёх букв"
BAD_NUM_CODE = PREFIX + "у валюты {where} NumCode «{value}» — не цифровой код из трёх цифр"
BAD_NOMINAL = PREFIX + "у валюты {where} Nominal «{value}» — не целое число больше нуля"
BAD_VALUE = PREFIX + "у валюты {where} Value «{value}» — не курс вида 78,1234"
ZERO_VALUE = PREFIX + "у валюты {where} Value равен нулю"
INEXACT_UNIT_RATE = PREFIX + "у валюты {where} курс {value} за {nominal} не делится без округления"
EMPTY_NAME = PREFIX + "у валюты {where} пустой элемент Name"
DUPLICATE_CODE = PREFIX + "валюта {code} указана дважды"


class RatesFormatError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Rate:
    """`value` roubles for `nominal` units of the currency; `per_unit` = value / nominal."""

    code: str
    num_code: str
    nominal: int
    value: Decimal
    per_unit: Decimal
    name: str


@dataclass(frozen=True, slots=True)
class RatesDocument:
    date: dt.date
    rates: dict[str, Rate]


def _refuse_declarations(data: bytes) -> None:
    # Every encoding the Bank uses (windows-1251, UTF-8) writes "<!DOCTYPE" in ASCII; a file
    # with NUL bytes (UTF-16/32) could hide it from this check and is refused as not XML.
    if b"\x00" in data:
        raise RatesFormatError(NOT_XML.format(error="в файле есть нулевые байты"))
    upper = data.upper()
    if any(declaration in upper for declaration in FORBIDDEN_DECLARATIONS):
        raise RatesFormatError(FORBIDDEN_DECLARATION)


def _parse_date(root: ET.Element) -> dt.date:
    value = root.get("Date")
    if value is None:
        raise RatesFormatError(NO_DATE)
    match = DATE_PATTERN.match(value.strip())
    if match is None:
        raise RatesFormatError(BAD_DATE.format(value=value))
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise RatesFormatError(BAD_DATE.format(value=value)) from None


def _child_text(valute: ET.Element, element: str, where: str) -> str:
    child = valute.find(element)
    if child is None:
        raise RatesFormatError(MISSING_ELEMENT.format(where=where, element=element))
    return (child.text or "").strip()


def _describe(valute: ET.Element, position: int) -> str:
    code = (valute.findtext("CharCode") or "").strip()
    if CODE_PATTERN.match(code):
        return code
    identifier = valute.get("ID")
    return f"№ {position} (ID {identifier})" if identifier else f"№ {position}"


def _parse_valute(valute: ET.Element, position: int) -> Rate:
    where = _describe(valute, position)
    code = _child_text(valute, "CharCode", where)
    if not CODE_PATTERN.match(code):
        raise RatesFormatError(BAD_CHAR_CODE.format(where=where, value=code))
    num_code = _child_text(valute, "NumCode", where)
    if not NUM_CODE_PATTERN.match(num_code):
        raise RatesFormatError(BAD_NUM_CODE.format(where=where, value=num_code))
    nominal_text = _child_text(valute, "Nominal", where)
    if not NOMINAL_PATTERN.match(nominal_text):
        raise RatesFormatError(BAD_NOMINAL.format(where=where, value=nominal_text))
    nominal = int(nominal_text)
    name = _child_text(valute, "Name", where)
    if not name:
        raise RatesFormatError(EMPTY_NAME.format(where=where))
    value_text = _child_text(valute, "Value", where)
    if not VALUE_PATTERN.match(value_text):
        raise RatesFormatError(BAD_VALUE.format(where=where, value=value_text))
    value = Decimal(value_text.replace(",", "."))
    if value.is_zero():
        raise RatesFormatError(ZERO_VALUE.format(where=where))
    try:
        per_unit = _EXACT.divide(value, Decimal(nominal))
    except (Inexact, InvalidOperation):
        raise RatesFormatError(
            INEXACT_UNIT_RATE.format(where=where, value=value_text, nominal=nominal)
        ) from None
    return Rate(
        code=code, num_code=num_code, nominal=nominal, value=value, per_unit=per_unit, name=name
    )


def parse_daily_rates(data: bytes) -> RatesDocument:
    """The rates of `XML_daily.asp` as received (bytes: the encoding is in the XML header).

    Raises RatesFormatError naming the first wrong element or attribute."""
    if not isinstance(data, bytes):
        raise RatesFormatError(NOT_BYTES.format(type=type(data).__name__))
    if not data.strip():
        raise RatesFormatError(EMPTY_FILE)
    _refuse_declarations(data)
    try:
        # DOCTYPE and ENTITY are refused above: what defusedxml would guard against.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as error:
        raise RatesFormatError(NOT_XML.format(error=error)) from None
    except (LookupError, ValueError) as error:  # an unknown encoding in the XML header
        raise RatesFormatError(NOT_XML.format(error=error)) from None
    if root.tag != ROOT_TAG:
        raise RatesFormatError(WRONG_ROOT.format(tag=root.tag))
    date = _parse_date(root)
    rates: dict[str, Rate] = {}
    for position, valute in enumerate(root, start=1):
        if valute.tag != VALUTE_TAG:
            raise RatesFormatError(UNEXPECTED_ELEMENT.format(tag=valute.tag))
        rate = _parse_valute(valute, position)
        if rate.code in rates:
            raise RatesFormatError(DUPLICATE_CODE.format(code=rate.code))
        rates[rate.code] = rate
    if not rates:
        raise RatesFormatError(NO_VALUTES)
    return RatesDocument(date=date, rates=rates)

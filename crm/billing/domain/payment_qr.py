"""The payment QR code of an invoice: the text payload of ГОСТ Р 56042-2014 (pure Python).

A payload is a service block and `key=value` pairs joined by a separator:
`ST00012|Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=…|PayeeINN=…|KPP=…|Sum=…|Purpose=…`.

- `ST` is the format, `0001` the version, the last digit the encoding of the QR bytes
  (1 = windows-1251, 2 = UTF-8, 3 = KOI8-R). We always write `2`: the caller must encode the
  payload as UTF-8 bytes when drawing the code (every Russian bank app reads it).
- The separator is the character right after the service block. The standard lets the writer
  pick any character that does not occur in the values; we always use `|` (the one bank apps
  expect) and refuse a value that contains it, with a message naming the field.
- The five required fields come first in the standard's order (Name, PersonalAcc, BankName, BIC,
  CorrespAcc); the additional ones follow. `Sum` is in kopecks, an integer without separators.
- Length limits are the standard's, counted in characters; a value over its limit is refused
  (never cut), because a cut account or purpose would send money to the wrong place or break
  the matching of the payment to its invoice. Stricter than the standard's bare limits: a
  PayeeINN has 10 or 12 digits, a KPP 9 digits or capital Latin letters, PersonalAcc 20 digits,
  BIC 9 digits (check digits are the job of the organization's form, see
  `crm.clients.domain.requisites`).

`purpose_for_invoice` writes the purpose text that carries the invoice number and date: the bank
statement brings it back and the matcher of incoming payments looks for them
(docs/onec-formats.md §7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from crm.core.domain.money import NBSP, Money, round_money

SEPARATOR = "|"
ENCODING_UTF8 = "2"
HEADER = "ST0001" + ENCODING_UTF8
FORMAT_PREFIX = "ST0001"
ENCODINGS = {"1": "windows-1251", "2": "utf-8", "3": "koi8-r"}
HUNDRED = Decimal(100)
MAX_SUM_DIGITS = 18
MAX_SUM = Decimal(10) ** (MAX_SUM_DIGITS - 2)  # 18 digits of kopecks

#: Key → (Russian label, maximum length in characters).
FIELDS: dict[str, tuple[str, int]] = {
    "Name": ("Наименование получателя", 160),
    "PersonalAcc": ("Расчётный счёт получателя", 20),
    "BankName": ("Банк получателя", 45),
    "BIC": ("БИК банка получателя", 9),
    "CorrespAcc": ("Корреспондентский счёт банка", 20),
    "PayeeINN": ("ИНН получателя", 12),
    "KPP": ("КПП получателя", 9),
    "Sum": ("Сумма", MAX_SUM_DIGITS),
    "Purpose": ("Назначение платежа", 210),
}
REQUIRED = ("Name", "PersonalAcc", "BankName", "BIC", "CorrespAcc")

REQUIRED_FIELD = "Поле «{label}» ({key}) обязательно для QR-кода оплаты"
TOO_LONG = "Поле «{label}» ({key}) длиннее {limit} символов: {length}"
HAS_SEPARATOR = "Поле «{label}» ({key}) не может содержать символ «|»"
HAS_CONTROL = "Поле «{label}» ({key}) не может содержать перевод строки или табуляцию"
NOT_DIGITS = "Поле «{label}» ({key}) должно состоять из {digits} цифр"
NOT_DIGITS_UP_TO = "Поле «{label}» ({key}) должно состоять из цифр, не больше {limit}"
BAD_INN = "Поле «{label}» ({key}) должно состоять из 10 или 12 цифр"
BAD_KPP = "Поле «{label}» ({key}) должно состоять из 9 цифр или заглавных латинских букв"
NOT_DECIMAL = "Поле «{label}» ({key}): сумма должна быть Decimal, а не {type}"
NEGATIVE_SUM = "Поле «{label}» ({key}): сумма должна быть больше нуля: {value}"
SUM_TOO_LARGE = "Поле «{label}» ({key}): слишком большая сумма: {value}"
NOT_A_PAYLOAD = "Это не QR-код оплаты ГОСТ Р 56042-2014: текст должен начинаться с «ST0001»"
UNKNOWN_ENCODING = "QR-код оплаты: неизвестная кодировка «{digit}» (ожидалась 1, 2 или 3)"
BAD_PAIR = "QR-код оплаты: «{pair}» — не пара «ключ=значение»"
DUPLICATE_KEY = "QR-код оплаты: поле {key} указано дважды"
EMPTY_NUMBER = "Номер счёта для назначения платежа не указан"


@dataclass(frozen=True, slots=True)
class PaymentRequisites:
    """What the payer's bank app needs: the payee, its bank, the amount and the purpose.

    `amount` is in roubles (a Decimal, rounded half up to kopecks when written) or None to let
    the payer type it; empty optional strings are left out of the payload."""

    name: str
    personal_account: str
    bank_name: str
    bik: str
    correspondent_account: str
    payee_inn: str = ""
    kpp: str = ""
    amount: Decimal | None = None
    purpose: str = ""


def _check_text(key: str, value: str) -> None:
    label, limit = FIELDS[key]
    if SEPARATOR in value:
        raise ValueError(HAS_SEPARATOR.format(label=label, key=key))
    if any(char in value for char in "\r\n\t"):
        raise ValueError(HAS_CONTROL.format(label=label, key=key))
    if len(value) > limit:
        raise ValueError(TOO_LONG.format(label=label, key=key, limit=limit, length=len(value)))


def _check_digits(key: str, value: str, *, exactly: int | None = None) -> None:
    label, limit = FIELDS[key]
    if exactly is not None:
        if len(value) != exactly or not (value.isascii() and value.isdigit()):
            raise ValueError(NOT_DIGITS.format(label=label, key=key, digits=exactly))
    elif len(value) > limit or not (value.isascii() and value.isdigit()):
        raise ValueError(NOT_DIGITS_UP_TO.format(label=label, key=key, limit=limit))


def _kopecks(amount: Decimal) -> str:
    label, _limit = FIELDS["Sum"]
    if not isinstance(amount, Decimal):
        raise ValueError(NOT_DECIMAL.format(label=label, key="Sum", type=type(amount).__name__))
    if not amount.is_finite() or amount <= 0:
        raise ValueError(NEGATIVE_SUM.format(label=label, key="Sum", value=amount))
    if amount >= MAX_SUM:
        raise ValueError(SUM_TOO_LARGE.format(label=label, key="Sum", value=amount))
    text = str(int(round_money(amount) * HUNDRED))
    if len(text) > MAX_SUM_DIGITS:  # 9 999 999 999 999 999,995 rounds up to 19 digits
        raise ValueError(SUM_TOO_LARGE.format(label=label, key="Sum", value=amount))
    if text == "0":
        raise ValueError(NEGATIVE_SUM.format(label=label, key="Sum", value=amount))
    return text


def payload_fields(requisites: PaymentRequisites) -> dict[str, str]:
    """The checked `key → value` pairs in the order they are written.

    Raises ValueError with a Russian message naming the first wrong field."""
    values = {
        "Name": requisites.name,
        "PersonalAcc": requisites.personal_account,
        "BankName": requisites.bank_name,
        "BIC": requisites.bik,
        "CorrespAcc": requisites.correspondent_account,
        "PayeeINN": requisites.payee_inn,
        "KPP": requisites.kpp,
        "Purpose": requisites.purpose,
    }
    for key in REQUIRED:
        if not values[key].strip():
            raise ValueError(REQUIRED_FIELD.format(label=FIELDS[key][0], key=key))
    for key, value in values.items():
        _check_text(key, value)
    _check_digits("PersonalAcc", requisites.personal_account, exactly=20)
    _check_digits("BIC", requisites.bik, exactly=9)
    # A payee without a correspondent account (the Treasury) writes 0, hence "up to 20 digits".
    _check_digits("CorrespAcc", requisites.correspondent_account)
    inn = requisites.payee_inn
    if inn and (len(inn) not in (10, 12) or not (inn.isascii() and inn.isdigit())):
        raise ValueError(BAD_INN.format(label=FIELDS["PayeeINN"][0], key="PayeeINN"))
    if requisites.kpp and not (
        len(requisites.kpp) == 9
        and requisites.kpp.isascii()
        and all(char.isdigit() or char.isupper() for char in requisites.kpp)
    ):
        raise ValueError(BAD_KPP.format(label=FIELDS["KPP"][0], key="KPP"))
    fields = {key: values[key] for key in (*REQUIRED, "PayeeINN", "KPP") if values[key]}
    if requisites.amount is not None:
        fields["Sum"] = _kopecks(requisites.amount)
    if requisites.purpose:
        fields["Purpose"] = requisites.purpose
    return fields


def build_payload(requisites: PaymentRequisites) -> str:
    """The payload text, e.g. `ST00012|Name=ООО «Ромашка»|PersonalAcc=…|Sum=123456|Purpose=…`."""
    pairs = (f"{key}={value}" for key, value in payload_fields(requisites).items())
    return SEPARATOR.join((HEADER, *pairs))


def parse_payload(text: str) -> dict[str, str]:
    """The `key → value` pairs of a payload (any separator and encoding digit the standard
    allows), for tests and for reading a code back. Raises ValueError on a malformed text."""
    if not text.startswith(FORMAT_PREFIX) or len(text) < len(FORMAT_PREFIX) + 2:
        raise ValueError(NOT_A_PAYLOAD)
    digit = text[len(FORMAT_PREFIX)]
    if digit not in ENCODINGS:
        raise ValueError(UNKNOWN_ENCODING.format(digit=digit))
    separator = text[len(FORMAT_PREFIX) + 1]
    fields: dict[str, str] = {}
    for pair in text[len(FORMAT_PREFIX) + 2 :].split(separator):
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise ValueError(BAD_PAIR.format(pair=pair))
        if key in fields:
            raise ValueError(DUPLICATE_KEY.format(key=key))
        fields[key] = value
    return fields


def _plain_amount(amount: Decimal) -> str:
    """«1 234,56» with ordinary spaces: bank systems mangle non-breaking ones."""
    return str(Money(round_money(amount))).rsplit(NBSP, 1)[0].replace(NBSP, " ")


def vat_clause(percent: Decimal | None, vat_amount: Decimal) -> str:
    """«В т.ч. НДС 22 % — 1 234,56 руб.», or «Без НДС» when `percent` is None."""
    if percent is None:
        return "Без НДС"
    rate = format(percent.normalize(), "f")
    return f"В т.ч. НДС {rate} % — {_plain_amount(vat_amount)} руб."


def purpose_for_invoice(number: str, date: dt.date, vat_text: str) -> str:
    """«Оплата по счёту № 15 от 26.11.2026. В т.ч. НДС 22 % — 1 234,56 руб.».

    The number and the date are written the way the payment matcher reads them back
    («№ <number> от ДД.ММ.ГГГГ»); `vat_text` is usually `vat_clause(...)`, empty to leave it out.
    """
    number = number.strip()
    if not number:
        raise ValueError(EMPTY_NUMBER)
    purpose = f"Оплата по счёту № {number} от {date:%d.%m.%Y}."
    vat_text = vat_text.strip()
    return f"{purpose} {vat_text}" if vat_text else purpose

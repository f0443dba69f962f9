"""Money: a Decimal amount with its currency, rounded half up to kopecks (pure Python).

Never float. Amounts of different currencies are never added without a conversion that names
the rate (see `convert`). Also the one place that reads numbers as people type them
(`parse_decimal`, `parse_amount`) and writes them the Russian way (`format_amount`,
`format_quantity`: «1 234,50», a no-break space between thousands, a decimal comma)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KOPECK = Decimal("0.01")
NBSP = "\u00a0"
# The currencies deals and documents are kept in, with the sign a page shows after an amount.
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}
CURRENCIES = tuple(CURRENCY_SIGNS)


class MoneyError(ValueError):
    pass


def round_money(amount: Decimal) -> Decimal:
    """Half up to two decimal places (the rule of Russian accounting documents)."""
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> Decimal:
    """A number as people type it: '1 234,5', '1234.5', '-0,25' → Decimal, exactly as written
    (not rounded). White space of any kind (spaces, no-break and thin spaces) is dropped and a
    comma is the decimal point. Raises MoneyError for anything that is not a finite number."""
    cleaned = "".join(text.split()).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise MoneyError(f"«{text}» — не число") from error
    if not value.is_finite():
        raise MoneyError(f"«{text}» — не число")
    return value


def parse_amount(text: str) -> Decimal:
    """An amount as people and 1C write it: '1 234,50', '1234.5', '2500-00' → Decimal.

    Raises MoneyError for anything that is not a number."""
    cleaned = "".join(text.split())
    if len(cleaned) > 3 and cleaned[-3] == "-" and cleaned[-2:].isdigit():
        cleaned = cleaned[:-3] + "." + cleaned[-2:]
    try:
        return parse_decimal(cleaned)
    except MoneyError as error:
        raise MoneyError(f"«{text}» — не денежная сумма") from error


def as_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a Decimal, an int or a number's text ('1234.5'); None for None,
    an empty text or anything else — what a page shows as a dash or nothing."""
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def group_digits(whole: str, separator: str = NBSP) -> str:
    """'-1234567' → '-1 234 567': the digits of a whole number in groups of three (a no-break
    space between them unless another separator is given); '' → '0'."""
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + separator.join(groups or ["0"])


def format_amount(amount: Decimal, separator: str = NBSP) -> str:
    """Decimal('1234.5') → '1 234,50': rounded half up to kopecks, grouped by thousands, a
    decimal comma; never '-0,00'."""
    rounded = round_money(amount)
    if rounded.is_zero():  # -0.004 rounds to -0.00
        rounded = abs(rounded)
    whole, _, fraction = f"{rounded:.2f}".partition(".")
    return f"{group_digits(whole, separator)},{fraction}"


def format_quantity(number: Decimal, separator: str = NBSP) -> str:
    """Decimal('2.500') → '2,5'; Decimal('1000') → '1 000': as exact as stored, without
    trailing zeros; separator="" gives the text an input field holds with a comma ('1000,5')."""
    whole, _, fraction = f"{number.normalize():f}".partition(".")
    grouped = group_digits(whole, separator)
    return f"{grouped},{fraction}" if fraction else grouped


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "RUB"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise MoneyError("Сумма должна быть Decimal, а не float или int")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise MoneyError(f"«{self.currency}» — не код валюты ISO 4217")

    def rounded(self) -> Money:
        return Money(round_money(self.amount), self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(
                f"Нельзя складывать суммы в разных валютах: {self.currency} и {other.currency}"
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def convert(self, *, to: str, rate: Decimal) -> Money:
        """The amount in another currency at `rate` units of `to` per one unit of ours,
        rounded to kopecks."""
        return Money(round_money(self.amount * rate), to)

    def __str__(self) -> str:
        return f"{format_amount(self.amount)}{NBSP}{self.currency}"

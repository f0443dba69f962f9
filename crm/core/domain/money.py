"""Money: a Decimal amount with its currency, rounded half up to kopecks (pure Python).

Never float. Amounts of different currencies are never added without a conversion that names
the rate (see `convert`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KOPECK = Decimal("0.01")
NBSP = "\u00a0"


class MoneyError(ValueError):
    pass


def round_money(amount: Decimal) -> Decimal:
    """Half up to two decimal places (the rule of Russian accounting documents)."""
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


def parse_amount(text: str) -> Decimal:
    """An amount as people and 1C write it: '1 234,50', '1234.5', '2500-00' → Decimal.

    Raises MoneyError for anything that is not a number."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if len(cleaned) > 3 and cleaned[-3] == "-" and cleaned[-2:].isdigit():
        cleaned = cleaned[:-3] + "." + cleaned[-2:]
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise MoneyError(f"«{text}» — не денежная сумма") from error
    if not value.is_finite():
        raise MoneyError(f"«{text}» — не денежная сумма")
    return value


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
        amount = round_money(self.amount)
        if amount.is_zero():  # -0.004 rounds to -0.00: never show "-0,00"
            amount = abs(amount)
        whole, _, fraction = f"{amount:.2f}".partition(".")
        sign = "-" if whole.startswith("-") else ""
        digits = whole.lstrip("-")
        groups: list[str] = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        return f"{sign}{NBSP.join(groups)},{fraction}{NBSP}{self.currency}"

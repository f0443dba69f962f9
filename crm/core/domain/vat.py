"""VAT: the rate of an item on a date and the amounts of document lines (pure Python).

Every amount is a Decimal rounded half up to kopecks line by line; document totals are the sums
of the rounded lines (the rule of Russian invoices and УПД, so the printed columns add up)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from crm.core.domain.money import round_money

HUNDRED = Decimal(100)

#: The general rate changed on these dates: 18 % before 2019, 20 % in 2019–2025, 22 % from 2026.
GENERAL_20_FROM = dt.date(2019, 1, 1)
GENERAL_22_FROM = dt.date(2026, 1, 1)

UNKNOWN_KIND = "Неизвестный вид налогообложения «{kind}»"
UNKNOWN_CODE = "Неизвестная ставка НДС «{code}»"
BAD_QUANTITY = "Количество не может быть отрицательным: {value}"
BAD_PRICE = "Цена не может быть отрицательной: {value}"
BAD_DISCOUNT = "Скидка должна быть от 0 до 100 %: {value}"


@dataclass(frozen=True)
class VatRate:
    code: str
    percent: Decimal | None
    label: str

    @property
    def is_taxed(self) -> bool:
        """True for a real rate (0 % included), False for «Без НДС»."""
        return self.percent is not None


RATES: dict[str, VatRate] = {
    rate.code: rate
    for rate in (
        VatRate("22", Decimal(22), "22 %"),
        VatRate("20", Decimal(20), "20 %"),
        VatRate("18", Decimal(18), "18 %"),
        VatRate("10", Decimal(10), "10 %"),
        VatRate("0", Decimal(0), "0 %"),
        VatRate("5", Decimal(5), "5 %"),
        VatRate("7", Decimal(7), "7 %"),
        VatRate("none", None, "Без НДС"),
    )
}

_FIXED_KINDS = {"reduced": "10", "zero": "0", "usn5": "5", "usn7": "7", "none": "none"}


def rate_by_code(code: str) -> VatRate:
    """The rate by its code ("22", "20", "18", "10", "0", "5", "7", "none")."""
    try:
        return RATES[code]
    except KeyError:
        raise ValueError(UNKNOWN_CODE.format(code=code)) from None


def rate_for(vat_kind: str, on: dt.date) -> VatRate:
    """The rate of an item taxed as `vat_kind` (`sales.models.VatKind` value) on date `on`."""
    if vat_kind == "general":
        if on >= GENERAL_22_FROM:
            return RATES["22"]
        if on >= GENERAL_20_FROM:
            return RATES["20"]
        return RATES["18"]
    try:
        return RATES[_FIXED_KINDS[vat_kind]]
    except KeyError:
        raise ValueError(UNKNOWN_KIND.format(kind=vat_kind)) from None


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    price: Decimal
    discount_percent: Decimal
    rate: VatRate


@dataclass(frozen=True)
class LineAmounts:
    discount: Decimal
    amount_without_vat: Decimal
    vat_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    lines: tuple[LineAmounts, ...]
    amount_without_vat: Decimal
    vat_amount: Decimal
    total: Decimal
    by_rate: tuple[tuple[VatRate, Decimal, Decimal], ...]  # (rate, base, vat)


def compute_line(line: LineInput, *, prices_include_vat: bool) -> LineAmounts:
    """Amounts of one line, each rounded half up to kopecks.

    sum = round(quantity × price); discount = round(sum × discount % / 100); the rest is the
    line's amount. With prices including VAT that amount is the total and
    vat = round(total × p / (100 + p)); otherwise it is the amount without VAT,
    vat = round(amount × p / 100) and total = amount + vat. «Без НДС» and 0 % give vat 0."""
    if line.quantity < 0:
        raise ValueError(BAD_QUANTITY.format(value=line.quantity))
    if line.price < 0:
        raise ValueError(BAD_PRICE.format(value=line.price))
    if not Decimal(0) <= line.discount_percent <= HUNDRED:
        raise ValueError(BAD_DISCOUNT.format(value=line.discount_percent))
    gross = round_money(line.quantity * line.price)
    discount = round_money(gross * line.discount_percent / HUNDRED)
    amount = gross - discount
    percent = line.rate.percent or Decimal(0)
    if prices_include_vat:
        vat = round_money(amount * percent / (HUNDRED + percent))
        return LineAmounts(
            discount=discount, amount_without_vat=amount - vat, vat_amount=vat, total=amount
        )
    vat = round_money(amount * percent / HUNDRED)
    return LineAmounts(
        discount=discount, amount_without_vat=amount, vat_amount=vat, total=amount + vat
    )


def _rate_order(rate: VatRate) -> tuple[int, Decimal]:
    return (1, Decimal(0)) if rate.percent is None else (0, -rate.percent)


def compute_document(lines: Sequence[LineInput], *, prices_include_vat: bool) -> DocumentTotals:
    """Totals of a document: sums of the rounded lines, and base and VAT per rate (highest rate
    first, «Без НДС» last)."""
    amounts = tuple(compute_line(line, prices_include_vat=prices_include_vat) for line in lines)
    by_rate: dict[VatRate, tuple[Decimal, Decimal]] = {}
    for line, result in zip(lines, amounts, strict=True):
        base, vat = by_rate.get(line.rate, (Decimal("0.00"), Decimal("0.00")))
        by_rate[line.rate] = (base + result.amount_without_vat, vat + result.vat_amount)
    return DocumentTotals(
        lines=amounts,
        amount_without_vat=sum((a.amount_without_vat for a in amounts), Decimal("0.00")),
        vat_amount=sum((a.vat_amount for a in amounts), Decimal("0.00")),
        total=sum((a.total for a in amounts), Decimal("0.00")),
        by_rate=tuple(
            (rate, base, vat)
            for rate, (base, vat) in sorted(by_rate.items(), key=lambda item: _rate_order(item[0]))
        ),
    )

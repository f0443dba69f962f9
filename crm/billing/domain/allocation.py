"""Allocation of a payment across the open invoices of a contract or a client (pure Python).

`suggest_allocation` proposes the split the payment form starts from: the invoice due first is
paid first (then the one issued first, then the lower id, so the same input always gives the same
split), each invoice up to its open balance, and what is left over becomes an advance. The
person entering the payment may change the split; `validate_allocation` checks the edited lines
and returns every problem in Russian, so the form can show them all at once.

All amounts are Decimals in one currency (the contract's: a payment in another currency is
converted before allocating) and in whole kopecks; a payment of zero or less is refused. The
invariants, checked by property tests: no line exceeds its invoice's open balance, the lines
never exceed the payment, and lines + advance == payment exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from crm.core.domain.money import Money, round_money

ZERO = Decimal("0.00")

NOT_DECIMAL = "Сумма должна быть Decimal, а не {type}"
NOT_KOPECKS = "Сумма {value} должна быть в рублях и копейках (не больше двух знаков после запятой)"
PAYMENT_NOT_POSITIVE = "Сумма оплаты должна быть больше нуля: {amount}"
NEGATIVE_OPEN = "Остаток к оплате по счёту № {invoice} не может быть отрицательным: {amount}"
DUPLICATE_INVOICE = "Счёт № {invoice} указан дважды"
UNKNOWN_INVOICE = (
    "Счёт с идентификатором {invoice} не входит в число неоплаченных счетов этой оплаты"
)
LINE_NOT_POSITIVE = "Сумма по счёту № {invoice} должна быть больше нуля: {amount}"
LINE_NOT_KOPECKS = "Сумма по счёту № {invoice} должна быть в рублях и копейках: {amount}"
OVER_INVOICE = "По счёту № {invoice} распределено {allocated}, а остаток к оплате {open}"
OVER_PAYMENT = "Распределено {allocated} — больше суммы оплаты {amount}"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice that still waits for money: `open_amount` = total − already allocated."""

    id: int
    due_date: dt.date
    issued_date: dt.date
    open_amount: Decimal
    number: str = ""  # the printed number, for messages; the id when empty

    @property
    def label(self) -> str:
        return self.number or str(self.id)


@dataclass(frozen=True, slots=True)
class AllocationLine:
    invoice_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """The lines in payment order, and the part of the payment left as an advance."""

    lines: tuple[AllocationLine, ...]
    advance: Decimal

    @property
    def allocated(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _show(amount: Decimal) -> str:
    """«1 234,56» for messages (the grouping of Money, without the currency code)."""
    return str(Money(amount)).rsplit("\u00a0", 1)[0]


def _is_kopecks(amount: Decimal) -> bool:
    return amount.is_finite() and round_money(amount) == amount


def _check_amount(amount: Decimal) -> None:
    if not isinstance(amount, Decimal):
        raise ValueError(NOT_DECIMAL.format(type=type(amount).__name__))
    if not amount.is_finite() or amount <= 0:
        raise ValueError(PAYMENT_NOT_POSITIVE.format(amount=amount))
    if not _is_kopecks(amount):
        raise ValueError(NOT_KOPECKS.format(value=amount))


def _check_invoices(invoices: Sequence[OpenInvoice]) -> None:
    seen: set[int] = set()
    for invoice in invoices:
        if invoice.id in seen:
            raise ValueError(DUPLICATE_INVOICE.format(invoice=invoice.label))
        seen.add(invoice.id)
        if not isinstance(invoice.open_amount, Decimal):
            raise ValueError(NOT_DECIMAL.format(type=type(invoice.open_amount).__name__))
        if not _is_kopecks(invoice.open_amount):
            raise ValueError(NOT_KOPECKS.format(value=invoice.open_amount))
        if invoice.open_amount < 0:
            raise ValueError(
                NEGATIVE_OPEN.format(invoice=invoice.label, amount=invoice.open_amount)
            )


def payment_order(invoices: Sequence[OpenInvoice]) -> list[OpenInvoice]:
    """The order in which a payment settles invoices: due date, then issue date, then id."""
    return sorted(invoices, key=lambda invoice: (invoice.due_date, invoice.issued_date, invoice.id))


def suggest_allocation(amount: Decimal, invoices: Sequence[OpenInvoice]) -> Allocation:
    """Settle the invoices in `payment_order`, each up to its open balance; the rest is the
    advance. Invoices with nothing open get no line.

    Raises ValueError for a payment of zero or less, amounts in fractions of a kopeck, a
    negative open balance or an invoice given twice."""
    _check_amount(amount)
    _check_invoices(invoices)
    left = amount
    lines: list[AllocationLine] = []
    for invoice in payment_order(invoices):
        if left <= 0:
            break
        part = min(left, invoice.open_amount)
        if part > 0:
            lines.append(AllocationLine(invoice_id=invoice.id, amount=part))
            left -= part
    return Allocation(lines=tuple(lines), advance=left + ZERO)


def validate_allocation(
    amount: Decimal, invoices: Sequence[OpenInvoice], lines: Sequence[AllocationLine]
) -> list[str]:
    """Every problem of an edited allocation, in Russian, in the order of the lines; an empty
    list means the lines may be saved (the payment minus the lines is the advance).

    Checked: the payment is above zero; each line is above zero, in kopecks and names one of
    `invoices`; the lines of one invoice together stay within its open balance; all lines
    together stay within the payment."""
    problems: list[str] = []
    payment_ok = False
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        problems.append(PAYMENT_NOT_POSITIVE.format(amount=amount))
    elif not _is_kopecks(amount):
        problems.append(NOT_KOPECKS.format(value=amount))
    else:
        payment_ok = True
    by_id = {invoice.id: invoice for invoice in invoices}
    allocated_by_id: dict[int, Decimal] = {}
    total = ZERO
    for line in lines:
        invoice = by_id.get(line.invoice_id)
        if invoice is None:
            problems.append(UNKNOWN_INVOICE.format(invoice=line.invoice_id))
            continue
        if not isinstance(line.amount, Decimal) or not line.amount.is_finite() or line.amount <= 0:
            problems.append(LINE_NOT_POSITIVE.format(invoice=invoice.label, amount=line.amount))
            continue
        if not _is_kopecks(line.amount):
            problems.append(LINE_NOT_KOPECKS.format(invoice=invoice.label, amount=line.amount))
            continue
        allocated_by_id[line.invoice_id] = allocated_by_id.get(line.invoice_id, ZERO) + line.amount
        total += line.amount
    for invoice_id, allocated in allocated_by_id.items():
        invoice = by_id[invoice_id]
        if allocated > invoice.open_amount:
            problems.append(
                OVER_INVOICE.format(
                    invoice=invoice.label,
                    allocated=_show(allocated),
                    open=_show(invoice.open_amount),
                )
            )
    if payment_ok and total > amount:
        problems.append(OVER_PAYMENT.format(allocated=_show(total), amount=_show(amount)))
    return problems

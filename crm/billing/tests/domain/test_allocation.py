"""Allocation of a payment across open invoices: hand-worked splits, problems, invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.billing.domain.allocation import (
    Allocation,
    AllocationLine,
    OpenInvoice,
    payment_order,
    suggest_allocation,
    validate_allocation,
)

D = Decimal
NOV = dt.date(2026, 11, 1)


def day(n: int) -> dt.date:
    return NOV + dt.timedelta(days=n - 1)


INVOICES = (
    OpenInvoice(id=1, due_date=day(10), issued_date=day(1), open_amount=D("1000.00"), number="12"),
    OpenInvoice(id=2, due_date=day(5), issued_date=day(3), open_amount=D("500.00"), number="13"),
    OpenInvoice(
        id=3, due_date=day(10), issued_date=day(1) - dt.timedelta(days=2), open_amount=D("300.00")
    ),
    OpenInvoice(id=4, due_date=day(20), issued_date=day(4), open_amount=D("0.00")),
    OpenInvoice(id=5, due_date=day(30), issued_date=day(4), open_amount=D("2000.00")),
)


def lines(*pairs: tuple[int, str]) -> tuple[AllocationLine, ...]:
    return tuple(AllocationLine(invoice_id=i, amount=D(a)) for i, a in pairs)


def test_payment_order_is_due_date_then_issue_date_then_id():
    twins = (
        OpenInvoice(id=7, due_date=day(5), issued_date=day(1), open_amount=D("1.00")),
        OpenInvoice(id=6, due_date=day(5), issued_date=day(1), open_amount=D("1.00")),
    )
    assert [i.id for i in payment_order(INVOICES + twins)] == [6, 7, 2, 3, 1, 4, 5]


@pytest.mark.parametrize(
    ("amount", "expected_lines", "advance"),
    [
        ("100.00", [(2, "100.00")], "0.00"),
        ("500.00", [(2, "500.00")], "0.00"),
        ("500.01", [(2, "500.00"), (3, "0.01")], "0.00"),
        ("1500.00", [(2, "500.00"), (3, "300.00"), (1, "700.00")], "0.00"),
        ("3800.00", [(2, "500.00"), (3, "300.00"), (1, "1000.00"), (5, "2000.00")], "0.00"),
        ("4000.50", [(2, "500.00"), (3, "300.00"), (1, "1000.00"), (5, "2000.00")], "200.50"),
    ],
)
def test_suggest_allocation_pays_the_oldest_due_first(amount, expected_lines, advance):
    allocation = suggest_allocation(D(amount), INVOICES)
    assert allocation == Allocation(lines=lines(*expected_lines), advance=D(advance))
    assert allocation.allocated + allocation.advance == D(amount)


def test_without_open_invoices_everything_is_an_advance():
    assert suggest_allocation(D("250.00"), []) == Allocation(lines=(), advance=D("250.00"))


def test_advance_is_shown_with_kopecks_even_for_a_whole_payment():
    assert str(suggest_allocation(D("300"), INVOICES[2:3]).advance) == "0.00"
    assert str(suggest_allocation(D("1"), []).advance) == "1.00"


@pytest.mark.parametrize(
    ("amount", "invoices", "message"),
    [
        (D("0"), INVOICES, "Сумма оплаты должна быть больше нуля: 0"),
        (D("-10.00"), INVOICES, "Сумма оплаты должна быть больше нуля: -10.00"),
        (D("NaN"), INVOICES, "Сумма оплаты должна быть больше нуля: NaN"),
        (
            D("10.005"),
            INVOICES,
            "Сумма 10.005 должна быть в рублях и копейках (не больше двух знаков после запятой)",
        ),
        (10, INVOICES, "Сумма должна быть Decimal, а не int"),
        (
            D("10.00"),
            (INVOICES[0], INVOICES[0]),
            "Счёт № 12 указан дважды",
        ),
        (
            D("10.00"),
            (OpenInvoice(id=9, due_date=day(1), issued_date=day(1), open_amount=D("-1.00")),),
            "Остаток к оплате по счёту № 9 не может быть отрицательным: -1.00",
        ),
        (
            D("10.00"),
            (OpenInvoice(id=9, due_date=day(1), issued_date=day(1), open_amount=D("1.001")),),
            "Сумма 1.001 должна быть в рублях и копейках (не больше двух знаков после запятой)",
        ),
    ],
)
def test_suggest_allocation_refuses_bad_input(amount, invoices, message):
    with pytest.raises(ValueError) as error:
        suggest_allocation(amount, invoices)
    assert str(error.value) == message


def test_validate_accepts_the_suggestion_and_a_hand_edited_split():
    assert (
        validate_allocation(
            D("1500.00"), INVOICES, suggest_allocation(D("1500.00"), INVOICES).lines
        )
        == []
    )
    # Paid in parts by hand, the rest left as an advance; two lines on one invoice are fine.
    edited = lines((1, "400.00"), (1, "600.00"), (5, "100.00"))
    assert validate_allocation(D("1500.00"), INVOICES, edited) == []
    assert validate_allocation(D("1500.00"), INVOICES, ()) == []


@pytest.mark.parametrize(
    ("amount", "edited", "problems"),
    [
        (
            D("1500.00"),
            lines((2, "600.00")),
            ["По счёту № 13 распределено 600,00, а остаток к оплате 500,00"],
        ),
        (
            D("1500.00"),
            lines((1, "600.00"), (1, "400.01")),
            ["По счёту № 12 распределено 1\u00a0000,01, а остаток к оплате 1\u00a0000,00"],
        ),
        (
            D("1000.00"),
            lines((1, "900.00"), (5, "100.01")),
            ["Распределено 1\u00a0000,01 — больше суммы оплаты 1\u00a0000,00"],
        ),
        (
            D("1000.00"),
            lines((99, "10.00")),
            ["Счёт с идентификатором 99 не входит в число неоплаченных счетов этой оплаты"],
        ),
        (D("1000.00"), lines((3, "-5.00")), ["Сумма по счёту № 3 должна быть больше нуля: -5.00"]),
        (D("1000.00"), lines((3, "0")), ["Сумма по счёту № 3 должна быть больше нуля: 0"]),
        (
            D("1000.00"),
            lines((3, "0.001")),
            ["Сумма по счёту № 3 должна быть в рублях и копейках: 0.001"],
        ),
        (D("0"), lines((3, "10.00")), ["Сумма оплаты должна быть больше нуля: 0"]),
        (
            D("1.234"),
            (),
            ["Сумма 1.234 должна быть в рублях и копейках (не больше двух знаков после запятой)"],
        ),
        (
            D("100.00"),
            lines((99, "1.00"), (2, "-1.00"), (2, "501.00"), (4, "0.01")),
            [
                "Счёт с идентификатором 99 не входит в число неоплаченных счетов этой оплаты",
                "Сумма по счёту № 13 должна быть больше нуля: -1.00",
                "По счёту № 13 распределено 501,00, а остаток к оплате 500,00",
                "По счёту № 4 распределено 0,01, а остаток к оплате 0,00",
                "Распределено 501,01 — больше суммы оплаты 100,00",
            ],
        ),
    ],
)
def test_validate_allocation_lists_every_problem(amount, edited, problems):
    assert validate_allocation(amount, INVOICES, edited) == problems


kopecks = st.integers(min_value=0, max_value=10**9).map(lambda k: D(k) / 100)
positive_kopecks = st.integers(min_value=1, max_value=10**9).map(lambda k: D(k) / 100)
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
open_invoices = st.lists(
    st.builds(
        OpenInvoice,
        id=st.integers(min_value=1, max_value=10**6),
        due_date=dates,
        issued_date=dates,
        open_amount=kopecks,
    ),
    max_size=12,
    unique_by=lambda invoice: invoice.id,
)


@given(positive_kopecks, open_invoices)
def test_allocation_invariants(amount, invoices):
    allocation = suggest_allocation(amount, invoices)
    open_by_id = {i.id: i.open_amount for i in invoices}
    # Never more than an invoice's open balance, nothing zero, each invoice once.
    assert all(D("0") < line.amount <= open_by_id[line.invoice_id] for line in allocation.lines)
    assert len({line.invoice_id for line in allocation.lines}) == len(allocation.lines)
    # Never more than the payment; the totals reconcile to the kopeck.
    assert allocation.allocated <= amount
    assert allocation.allocated + allocation.advance == amount
    assert allocation.advance >= 0
    # An advance is left only when every invoice is paid in full.
    if allocation.advance > 0:
        assert allocation.allocated == sum((i.open_amount for i in invoices), D("0"))
    # Oldest first: the lines follow the payment order, only the last may be partial.
    order = [i.id for i in payment_order(invoices) if i.open_amount > 0]
    assert [line.invoice_id for line in allocation.lines] == order[: len(allocation.lines)]
    assert all(line.amount == open_by_id[line.invoice_id] for line in allocation.lines[:-1])
    # The suggestion is always valid.
    assert validate_allocation(amount, invoices, allocation.lines) == []


@given(positive_kopecks, open_invoices, st.randoms(use_true_random=False))
def test_allocation_does_not_depend_on_the_order_of_the_input(amount, invoices, random):
    shuffled = list(invoices)
    random.shuffle(shuffled)
    assert suggest_allocation(amount, shuffled) == suggest_allocation(amount, invoices)


@given(st.integers(min_value=-(10**9), max_value=0).map(lambda k: D(k) / 100), open_invoices)
def test_zero_and_negative_payments_are_refused(amount, invoices):
    with pytest.raises(ValueError, match=r"^Сумма оплаты должна быть больше нуля: "):
        suggest_allocation(amount, invoices)
    assert validate_allocation(amount, invoices, ())[0].startswith(
        "Сумма оплаты должна быть больше нуля: "
    )


@given(
    positive_kopecks,
    open_invoices,
    st.lists(st.tuples(st.integers(min_value=0, max_value=11), kopecks), max_size=8),
)
def test_validate_accepts_exactly_the_splits_within_the_limits(amount, invoices, raw):
    if not invoices:
        return
    edited = [
        AllocationLine(invoice_id=invoices[index % len(invoices)].id, amount=value)
        for index, value in raw
        if value > 0
    ]
    per_invoice: dict[int, Decimal] = {}
    for line in edited:
        per_invoice[line.invoice_id] = per_invoice.get(line.invoice_id, D("0")) + line.amount
    open_by_id = {i.id: i.open_amount for i in invoices}
    within = sum(per_invoice.values(), D("0")) <= amount and all(
        total <= open_by_id[invoice_id] for invoice_id, total in per_invoice.items()
    )
    assert (validate_allocation(amount, invoices, edited) == []) == within

"""VAT rates by date and line/document amounts: pure Python, hand-worked examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.core.domain.vat import (
    RATES,
    DocumentTotals,
    LineAmounts,
    LineInput,
    VatRate,
    compute_document,
    compute_line,
    rate_by_code,
    rate_for,
)

D = Decimal


def line(quantity: str, price: str, discount: str = "0", code: str = "20") -> LineInput:
    return LineInput(
        quantity=D(quantity), price=D(price), discount_percent=D(discount), rate=rate_by_code(code)
    )


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (dt.date(2015, 6, 1), "18"),
        (dt.date(2018, 12, 31), "18"),
        (dt.date(2019, 1, 1), "20"),
        (dt.date(2022, 7, 15), "20"),
        (dt.date(2025, 12, 31), "20"),
        (dt.date(2026, 1, 1), "22"),
        (dt.date(2030, 1, 1), "22"),
    ],
)
def test_general_rate_follows_the_date(on, code):
    assert rate_for("general", on).code == code


@pytest.mark.parametrize(
    ("kind", "code", "percent", "label"),
    [
        ("reduced", "10", D(10), "10 %"),
        ("zero", "0", D(0), "0 %"),
        ("usn5", "5", D(5), "5 %"),
        ("usn7", "7", D(7), "7 %"),
        ("none", "none", None, "Без НДС"),
    ],
)
@pytest.mark.parametrize("on", [dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2026, 1, 1)])
def test_other_kinds_do_not_depend_on_the_date(kind, code, percent, label, on):
    assert rate_for(kind, on) == VatRate(code, percent, label)


def test_rate_values():
    assert rate_for("general", dt.date(2026, 1, 1)) == VatRate("22", D(22), "22 %")
    assert rate_for("general", dt.date(2025, 1, 1)) == VatRate("20", D(20), "20 %")
    assert rate_for("general", dt.date(2018, 1, 1)) == VatRate("18", D(18), "18 %")
    assert set(RATES) == {"22", "20", "18", "10", "0", "5", "7", "none"}
    assert rate_by_code("none").is_taxed is False
    assert rate_by_code("0").is_taxed is True


@pytest.mark.parametrize("code", ["22", "20", "18", "10", "0", "5", "7", "none"])
def test_rate_by_code_round_trips(code):
    assert rate_by_code(code).code == code


def test_unknown_code_and_kind_are_refused_in_russian():
    with pytest.raises(ValueError, match=r"^Неизвестная ставка НДС «12»$"):
        rate_by_code("12")
    with pytest.raises(ValueError, match=r"^Неизвестный вид налогообложения «special»$"):
        rate_for("special", dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("given_line", "include", "expected"),
    [
        # 3 × 1 000,00 at 20 % on top: 3 000,00 + 600,00
        (line("3", "1000"), False, ("0.00", "3000.00", "600.00", "3600.00")),
        # the same price including VAT: 3 000 × 20/120 = 500,00
        (line("3", "1000"), True, ("0.00", "2500.00", "500.00", "3000.00")),
        # 22 %: 1 × 100 incl. → 100 × 22/122 = 18,032… → 18,03
        (line("1", "100", code="22"), True, ("0.00", "81.97", "18.03", "100.00")),
        (line("1", "100", code="22"), False, ("0.00", "100.00", "22.00", "122.00")),
        # half a kopeck rounds up: 1 × 0,005 → 0,01; VAT 20 % of 0,01 = 0,002 → 0,00
        (line("1", "0.005"), False, ("0.00", "0.01", "0.00", "0.01")),
        # quantity × price = 0,025 → 0,03 (half up, not banker's 0,02)
        (line("0.5", "0.05", code="none"), False, ("0.00", "0.03", "0.00", "0.03")),
        # VAT of exactly half a kopeck: 0,025 × … — 0,05 at 10 % = 0,005 → 0,01
        (line("1", "0.05", code="10"), False, ("0.00", "0.05", "0.01", "0.06")),
        # included 10 %: 0,11 × 10/110 = 0,01 exactly
        (line("1", "0.11", code="10"), True, ("0.00", "0.10", "0.01", "0.11")),
        # discount 10 % of 2 × 333,33 = 666,66 → 66,666 → 66,67; 599,99 + 20 % = 119,998 → 120,00
        (line("2", "333.33", "10"), False, ("66.67", "599.99", "120.00", "719.99")),
        # the same including VAT: 599,99 × 20/120 = 99,998… → 100,00
        (line("2", "333.33", "10"), True, ("66.67", "499.99", "100.00", "599.99")),
        # full discount
        (line("5", "10", "100"), False, ("50.00", "0.00", "0.00", "0.00")),
        # fractional quantity 1,5 × 99,99 = 149,985 → 149,99; 12,5 % discount = 18,748… → 18,75
        (line("1.5", "99.99", "12.5"), False, ("18.75", "131.24", "26.25", "157.49")),
        # 0 % and «Без НДС» carry no VAT either way
        (line("2", "50", code="0"), True, ("0.00", "100.00", "0.00", "100.00")),
        (line("2", "50", code="none"), False, ("0.00", "100.00", "0.00", "100.00")),
        # УСН 5 %: 1 050 incl. → 1 050 × 5/105 = 50,00
        (line("1", "1050", code="5"), True, ("0.00", "1000.00", "50.00", "1050.00")),
        # 18 %: 1 × 118 incl. → 18,00
        (line("1", "118", code="18"), True, ("0.00", "100.00", "18.00", "118.00")),
        # zero quantity
        (line("0", "100"), False, ("0.00", "0.00", "0.00", "0.00")),
    ],
)
def test_compute_line(given_line, include, expected):
    result = compute_line(given_line, prices_include_vat=include)
    assert result == LineAmounts(*(D(value) for value in expected))
    assert all(
        str(value) == text for value, text in zip(vars(result).values(), expected, strict=True)
    )


@pytest.mark.parametrize(
    ("given_line", "message"),
    [
        (line("-1", "10"), "^Количество не может быть отрицательным: -1$"),
        (line("1", "-10"), "^Цена не может быть отрицательной: -10$"),
        (line("1", "10", "-1"), r"^Скидка должна быть от 0 до 100 %: -1$"),
        (line("1", "10", "100.01"), r"^Скидка должна быть от 0 до 100 %: 100.01$"),
    ],
)
def test_bad_lines_are_refused_in_russian(given_line, message):
    with pytest.raises(ValueError, match=message):
        compute_line(given_line, prices_include_vat=False)


def test_document_totals_are_sums_of_rounded_lines_by_rate():
    lines = [
        line("1", "100", code="22"),
        line("2", "0.015", code="22"),  # 0,03; VAT 0,0066 → 0,01
        line("3", "10", code="10"),
        line("1", "500", code="none"),
        line("1", "40", "50", code="0"),
    ]
    totals = compute_document(lines, prices_include_vat=False)
    assert totals == DocumentTotals(
        lines=(
            LineAmounts(D("0.00"), D("100.00"), D("22.00"), D("122.00")),
            LineAmounts(D("0.00"), D("0.03"), D("0.01"), D("0.04")),
            LineAmounts(D("0.00"), D("30.00"), D("3.00"), D("33.00")),
            LineAmounts(D("0.00"), D("500.00"), D("0.00"), D("500.00")),
            LineAmounts(D("20.00"), D("20.00"), D("0.00"), D("20.00")),
        ),
        amount_without_vat=D("650.03"),
        vat_amount=D("25.01"),
        total=D("675.04"),
        by_rate=(
            (rate_by_code("22"), D("100.03"), D("22.01")),
            (rate_by_code("10"), D("30.00"), D("3.00")),
            (rate_by_code("0"), D("20.00"), D("0.00")),
            (rate_by_code("none"), D("500.00"), D("0.00")),
        ),
    )


def test_document_sums_rounded_lines_not_the_unrounded_total():
    # three lines of 0,10 incl. 20 %: each VAT 0,0166… → 0,02, so 0,06 (not round(0,30/6)=0,05)
    totals = compute_document([line("1", "0.10")] * 3, prices_include_vat=True)
    assert (totals.amount_without_vat, totals.vat_amount, totals.total) == (
        D("0.24"),
        D("0.06"),
        D("0.30"),
    )
    assert totals.by_rate == ((rate_by_code("20"), D("0.24"), D("0.06")),)


def test_empty_document():
    totals = compute_document([], prices_include_vat=True)
    assert totals == DocumentTotals((), D("0.00"), D("0.00"), D("0.00"), ())
    assert str(totals.total) == "0.00"


amounts = st.decimals(min_value=D(0), max_value=D("1000000"), places=2)
quantities = st.decimals(min_value=D(0), max_value=D("10000"), places=3)
discounts = st.decimals(min_value=D(0), max_value=D(100), places=2)
rates = st.sampled_from(sorted(RATES))
lines_strategy = st.builds(
    LineInput,
    quantity=quantities,
    price=amounts,
    discount_percent=discounts,
    rate=rates.map(rate_by_code),
)


@settings(deadline=None)  # timings vary on a busy machine
@given(lines_strategy, st.booleans())
def test_line_parts_add_up(given_line, include):
    result = compute_line(given_line, prices_include_vat=include)
    assert result.amount_without_vat + result.vat_amount == result.total
    for value in vars(result).values():
        assert value == value.quantize(D("0.01"))
        assert value >= 0
    assert result.discount + (result.total if include else result.amount_without_vat) == (
        (given_line.quantity * given_line.price).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    )


@settings(deadline=None)  # timings vary on a busy machine
@given(st.lists(lines_strategy, max_size=8), st.booleans())
def test_document_parts_add_up(lines, include):
    totals = compute_document(lines, prices_include_vat=include)
    assert totals.amount_without_vat + totals.vat_amount == totals.total
    assert sum((base for _, base, _ in totals.by_rate), D(0)) == totals.amount_without_vat
    assert sum((vat for _, _, vat in totals.by_rate), D(0)) == totals.vat_amount
    assert totals.total == sum((result.total for result in totals.lines), D(0))
    assert len({rate for rate, _, _ in totals.by_rate}) == len(totals.by_rate)

"""Money, rounding and parsing of amounts: pure Python, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.core.domain.money import (
    NBSP,
    Money,
    MoneyError,
    as_decimal,
    format_amount,
    format_quantity,
    group_digits,
    parse_amount,
    parse_decimal,
    round_money,
)

kopecks = st.decimals(
    min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=2
).map(lambda value: value + 0)  # no negative zero
amounts = st.decimals(min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"), places=6)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("2.675", "2.68"),
        ("2.665", "2.67"),
        ("-2.675", "-2.68"),
        ("-0.005", "-0.01"),
        ("1.0049999", "1.00"),
        ("10", "10.00"),
        ("99.995", "100.00"),
    ],
)
def test_round_money_is_half_up_to_kopecks(amount, expected):
    rounded = round_money(Decimal(amount))
    assert rounded == Decimal(expected)
    assert str(rounded) == expected


@given(amounts)
def test_round_money_keeps_two_places_and_moves_at_most_half_a_kopeck(amount):
    rounded = round_money(amount)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= Decimal("0.005")
    assert round_money(rounded) == rounded


@given(kopecks, kopecks)
def test_addition_and_subtraction_are_exact_for_kopecks(a, b):
    total = Money(a) + Money(b)
    assert total == Money(a + b)
    assert total == Money(b) + Money(a)
    assert total - Money(b) == Money(a)
    assert -Money(a) == Money(-a)


@given(kopecks)
def test_str_then_parse_gives_the_amount_back(amount):
    text = str(Money(amount))
    number, currency = text.rsplit(NBSP, 1)
    assert currency == "RUB"
    assert parse_amount(number) == amount


@given(amounts, st.sampled_from(["RUB", "USD", "EUR", "CNY"]))
def test_rounded_money_keeps_currency_and_rounds_half_up(amount, currency):
    money = Money(amount, currency).rounded()
    assert money == Money(round_money(amount), currency)


def test_adding_different_currencies_is_refused_with_a_russian_message():
    with pytest.raises(MoneyError) as error:
        Money(Decimal("100.00"), "RUB") + Money(Decimal("1.00"), "USD")
    assert str(error.value) == "Нельзя складывать суммы в разных валютах: RUB и USD"


def test_subtracting_different_currencies_is_refused():
    with pytest.raises(MoneyError) as error:
        Money(Decimal("1.00"), "EUR") - Money(Decimal("1.00"), "RUB")
    assert str(error.value) == "Нельзя складывать суммы в разных валютах: EUR и RUB"


@pytest.mark.parametrize("amount", [1.5, 100, "100.00", None])
def test_money_refuses_anything_but_decimal(amount):
    with pytest.raises(MoneyError) as error:
        Money(amount)
    assert str(error.value) == "Сумма должна быть Decimal, а не float или int"


@pytest.mark.parametrize("currency", ["rub", "RU", "RUBL", "", "Rub"])
def test_money_refuses_a_bad_currency_code(currency):
    with pytest.raises(MoneyError) as error:
        Money(Decimal("1"), currency)
    assert str(error.value) == f"«{currency}» — не код валюты ISO 4217"


def test_money_defaults_to_roubles_and_is_immutable():
    money = Money(Decimal("5"))
    assert money.currency == "RUB"
    with pytest.raises(AttributeError):
        money.amount = Decimal("6")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0", "RUB", "0,00 RUB"),
        ("5", "RUB", "5,00 RUB"),
        ("999.999", "RUB", "1 000,00 RUB"),
        ("1234.5", "RUB", "1 234,50 RUB"),
        ("1234567.005", "RUB", "1 234 567,01 RUB"),
        ("100000", "USD", "100 000,00 USD"),
        ("-1234.5", "EUR", "-1 234,50 EUR"),
        ("-999", "RUB", "-999,00 RUB"),
        ("-0.004", "RUB", "0,00 RUB"),
        ("-0.001", "RUB", "0,00 RUB"),
    ],
)
def test_str_groups_thousands_with_nbsp_and_uses_a_decimal_comma(amount, currency, expected):
    assert str(Money(Decimal(amount), currency)) == expected.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("amount", "rate", "to", "expected"),
    [
        ("100.00", "92.5071", "RUB", "9250.71"),
        ("1.00", "0.0105", "USD", "0.01"),
        ("1.00", "0.0104", "USD", "0.01"),
        ("3.00", "0.0015", "USD", "0.00"),
        ("10.00", "0.0005", "USD", "0.01"),
    ],
)
def test_convert_multiplies_by_the_rate_and_rounds_half_up(amount, rate, to, expected):
    converted = Money(Decimal(amount), "CNY").convert(to=to, rate=Decimal(rate))
    assert converted == Money(Decimal(expected), to)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1234.5", "1234.5"),
        ("2500-00", "2500.00"),
        ("-2500-00", "-2500.00"),
        ("  12  ", "12"),
        ("0,01", "0.01"),
        ("-15,5", "-15.5"),
        ("1 000 000", "1000000"),
    ],
)
def test_parse_amount_accepts_how_people_and_1c_write(text, expected):
    parsed = parse_amount(text)
    assert parsed == Decimal(expected)
    assert str(parsed) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "12,34,56", "1.234,50", "12-5", "1-000", "NaN", "Infinity", "-inf", "₽ 100"],
)
def test_parse_amount_refuses_what_is_not_a_number(text):
    with pytest.raises(MoneyError) as error:
        parse_amount(text)
    assert str(error.value) == f"«{text}» — не денежная сумма"


def test_money_error_is_a_value_error():
    assert issubclass(MoneyError, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", "1234.5"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u2009234", "1234"),
        ("\t-0,25 ", "-0.25"),
        ("1234.500", "1234.500"),
        ("12", "12"),
    ],
)
def test_parse_decimal_drops_white_space_and_reads_a_comma_as_the_point(text, expected):
    parsed = parse_decimal(text)
    assert str(parsed) == expected


@pytest.mark.parametrize("text", ["", " ", "abc", "12,34,56", "1.234,50", "2500-00", "NaN", "inf"])
def test_parse_decimal_refuses_what_is_not_a_finite_number(text):
    with pytest.raises(MoneyError) as error:
        parse_decimal(text)
    assert str(error.value) == f"«{text}» — не число"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.5"), Decimal("1.5")),
        (3, Decimal("3")),
        ("1234.50", Decimal("1234.50")),
        (None, None),
        ("", None),
        ("abc", None),
        (Decimal("NaN"), None),
        ("Infinity", None),
    ],
)
def test_as_decimal_gives_a_finite_decimal_or_none(value, expected):
    assert as_decimal(value) == expected


@pytest.mark.parametrize(
    ("whole", "separator", "expected"),
    [
        ("1234567", NBSP, f"1{NBSP}234{NBSP}567"),
        ("-1234", " ", "-1 234"),
        ("999", NBSP, "999"),
        ("0", NBSP, "0"),
        ("", NBSP, "0"),
        ("1000", "", "1000"),
    ],
)
def test_group_digits_groups_by_three(whole, separator, expected):
    assert group_digits(whole, separator) == expected


@pytest.mark.parametrize(
    ("amount", "separator", "expected"),
    [
        ("1234.5", NBSP, f"1{NBSP}234,50"),
        ("1234567.005", " ", "1 234 567,01"),
        ("-0.004", " ", "0,00"),
        ("-1234.5", "", "-1234,50"),
        ("0", NBSP, "0,00"),
    ],
)
def test_format_amount_rounds_half_up_and_groups(amount, separator, expected):
    assert format_amount(Decimal(amount), separator) == expected


@pytest.mark.parametrize(
    ("number", "separator", "expected"),
    [
        ("2.500", NBSP, "2,5"),
        ("1000", NBSP, f"1{NBSP}000"),
        ("1000.000", "", "1000"),
        ("1234.125", " ", "1 234,125"),
        ("-0.5", NBSP, "-0,5"),
        ("5.00", NBSP, "5"),
    ],
)
def test_format_quantity_drops_trailing_zeros(number, separator, expected):
    assert format_quantity(Decimal(number), separator) == expected


@given(kopecks)
def test_format_amount_then_parse_gives_the_amount_back(amount):
    assert parse_decimal(format_amount(amount)) == amount
    assert parse_amount(format_amount(amount, separator=" ")) == amount

"""Numbers and amounts in Russian words: pure Python, hand-worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.core.domain.words import CURRENCIES, amount_in_words, number_in_words, plural

D = Decimal


@pytest.mark.parametrize(
    ("number", "masculine", "feminine"),
    [
        (0, "ноль", "ноль"),
        (1, "один", "одна"),
        (2, "два", "две"),
        (3, "три", "три"),
        (5, "пять", "пять"),
        (10, "десять", "десять"),
        (11, "одиннадцать", "одиннадцать"),
        (12, "двенадцать", "двенадцать"),
        (13, "тринадцать", "тринадцать"),
        (14, "четырнадцать", "четырнадцать"),
        (15, "пятнадцать", "пятнадцать"),
        (16, "шестнадцать", "шестнадцать"),
        (17, "семнадцать", "семнадцать"),
        (18, "восемнадцать", "восемнадцать"),
        (19, "девятнадцать", "девятнадцать"),
        (20, "двадцать", "двадцать"),
        (21, "двадцать один", "двадцать одна"),
        (22, "двадцать два", "двадцать две"),
        (40, "сорок", "сорок"),
        (99, "девяносто девять", "девяносто девять"),
        (100, "сто", "сто"),
        (101, "сто один", "сто одна"),
        (111, "сто одиннадцать", "сто одиннадцать"),
        (200, "двести", "двести"),
        (342, "триста сорок два", "триста сорок две"),
        (999, "девятьсот девяносто девять", "девятьсот девяносто девять"),
        (1000, "одна тысяча", "одна тысяча"),
        (1001, "одна тысяча один", "одна тысяча одна"),
        (2000, "две тысячи", "две тысячи"),
        (4000, "четыре тысячи", "четыре тысячи"),
        (5000, "пять тысяч", "пять тысяч"),
        (11000, "одиннадцать тысяч", "одиннадцать тысяч"),
        (21000, "двадцать одна тысяча", "двадцать одна тысяча"),
        (22000, "двадцать две тысячи", "двадцать две тысячи"),
        (100000, "сто тысяч", "сто тысяч"),
        (1000000, "один миллион", "один миллион"),
        (2000001, "два миллиона один", "два миллиона одна"),
        (5000000, "пять миллионов", "пять миллионов"),
        (1002003, "один миллион две тысячи три", "один миллион две тысячи три"),
        (1000000000, "один миллиард", "один миллиард"),
        (2000000000, "два миллиарда", "два миллиарда"),
        (12000000000, "двенадцать миллиардов", "двенадцать миллиардов"),
        (10**12, "один триллион", "один триллион"),
    ],
)
def test_number_in_words(number, masculine, feminine):
    assert number_in_words(number) == masculine
    assert number_in_words(number, feminine=True) == feminine


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1234.50", "Одна тысяча двести тридцать четыре рубля 50 копеек"),
        ("0", "Ноль рублей 00 копеек"),
        ("1", "Один рубль 00 копеек"),
        ("2", "Два рубля 00 копеек"),
        ("5", "Пять рублей 00 копеек"),
        ("11", "Одиннадцать рублей 00 копеек"),
        ("12", "Двенадцать рублей 00 копеек"),
        ("14", "Четырнадцать рублей 00 копеек"),
        ("19", "Девятнадцать рублей 00 копеек"),
        ("21", "Двадцать один рубль 00 копеек"),
        ("22", "Двадцать два рубля 00 копеек"),
        ("101", "Сто один рубль 00 копеек"),
        ("111", "Сто одиннадцать рублей 00 копеек"),
        ("1000", "Одна тысяча рублей 00 копеек"),
        ("2000", "Две тысячи рублей 00 копеек"),
        ("5000", "Пять тысяч рублей 00 копеек"),
        ("21000", "Двадцать одна тысяча рублей 00 копеек"),
        ("1000000", "Один миллион рублей 00 копеек"),
        ("2000001", "Два миллиона один рубль 00 копеек"),
        ("0.01", "Ноль рублей 01 копейка"),
        ("0.02", "Ноль рублей 02 копейки"),
        ("0.05", "Ноль рублей 05 копеек"),
        ("0.11", "Ноль рублей 11 копеек"),
        ("0.21", "Ноль рублей 21 копейка"),
        ("3.5", "Три рубля 50 копеек"),
        ("1.005", "Один рубль 01 копейка"),  # half up
        ("1.004", "Один рубль 00 копеек"),
        ("1.995", "Два рубля 00 копеек"),
        (
            "999999999999.99",
            "Девятьсот девяносто девять миллиардов девятьсот девяносто девять миллионов "
            "девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 99 копеек",
        ),
    ],
)
def test_amount_in_words_rubles(amount, expected):
    assert amount_in_words(D(amount)) == expected
    assert amount_in_words(D(amount), "RUB") == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.01", "USD", "Один доллар США 01 цент"),
        ("2.02", "USD", "Два доллара США 02 цента"),
        ("5.05", "USD", "Пять долларов США 05 центов"),
        ("21000.11", "USD", "Двадцать одна тысяча долларов США 11 центов"),
        ("1.21", "EUR", "Один евро 21 евроцент"),
        ("2.02", "EUR", "Два евро 02 евроцента"),
        ("1000", "EUR", "Одна тысяча евро 00 евроцентов"),
        ("1.01", "CNY", "Один юань 01 фэнь"),
        ("3.03", "CNY", "Три юаня 03 фэня"),
        ("15.50", "CNY", "Пятнадцать юаней 50 фэней"),
    ],
)
def test_amount_in_words_other_currencies(amount, currency, expected):
    assert amount_in_words(D(amount), currency) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: amount_in_words(D("-1")), "^Сумма прописью не может быть отрицательной: -1$"),
        (lambda: amount_in_words(D("-0.001")), "^Сумма прописью не может быть отрицательной"),
        (
            lambda: amount_in_words(D("1"), "GBP"),
            "^Сумма прописью в валюте «GBP» не поддерживается$",
        ),
        (lambda: amount_in_words(D("NaN")), "^«NaN» — не число$"),
        (lambda: amount_in_words(D("Infinity")), "^«Infinity» — не число$"),
        (lambda: amount_in_words(D("1E+15")), "^Слишком большое число"),
        (lambda: amount_in_words(D("1E+40")), "^Слишком большое число"),
        (lambda: number_in_words(-1), "^Сумма прописью не может быть отрицательной: -1$"),
        (lambda: number_in_words(10**15), "^Слишком большое число"),
    ],
)
def test_bad_input_is_refused_in_russian(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("number", "form"),
    [
        (0, "many"),
        (1, "one"),
        (2, "few"),
        (4, "few"),
        (5, "many"),
        (11, "many"),
        (14, "many"),
        (21, "one"),
        (22, "few"),
        (25, "many"),
        (101, "one"),
        (111, "many"),
        (112, "many"),
        (1001, "one"),
    ],
)
def test_plural(number, form):
    assert plural(number, "one", "few", "many") == form


@settings(deadline=None)  # timings vary on a busy machine
@given(st.integers(min_value=0, max_value=10**12))
def test_number_in_words_never_crashes(number):
    text = number_in_words(number)
    assert text == text.strip()
    assert "  " not in text
    assert text.islower()


@settings(deadline=None)  # timings vary on a busy machine
@given(
    st.decimals(min_value=D(0), max_value=D(10**12), places=2),
    st.sampled_from(sorted(CURRENCIES)),
)
def test_amount_in_words_never_crashes(amount, currency):
    text = amount_in_words(amount, currency)
    assert text[0].isupper()
    assert "  " not in text
    whole, fraction = divmod(int(amount * 100), 100)
    assert f" {fraction:02d} " in text
    # every supported currency's whole unit is masculine
    assert text.lower().startswith(number_in_words(whole) + " ")

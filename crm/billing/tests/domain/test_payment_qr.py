"""The ГОСТ Р 56042-2014 payment QR payload and the invoice purpose: pure Python, exact texts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.billing.domain.payment_qr import (
    PaymentRequisites,
    build_payload,
    parse_payload,
    payload_fields,
    purpose_for_invoice,
    vat_clause,
)

D = Decimal

REQUISITES = PaymentRequisites(
    name="ООО «Ромашка»",
    personal_account="40702810938000012345",
    bank_name="ПАО СБЕРБАНК",
    bik="044525225",
    correspondent_account="30101810400000000225",
    payee_inn="7707123458",
    kpp="770701001",
    amount=D("12345.60"),
    purpose="Оплата по счёту № 15 от 26.11.2026. В т.ч. НДС 22 % — 2 226,26 руб.",
)

PAYLOAD = (
    "ST00012|Name=ООО «Ромашка»|PersonalAcc=40702810938000012345|BankName=ПАО СБЕРБАНК"
    "|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7707123458|KPP=770701001"
    "|Sum=1234560|Purpose=Оплата по счёту № 15 от 26.11.2026. В т.ч. НДС 22 % — 2 226,26 руб."
)


def with_(**changes: object) -> PaymentRequisites:
    return dataclasses.replace(REQUISITES, **changes)


def test_build_payload_writes_every_field_in_the_standard_order():
    assert build_payload(REQUISITES) == PAYLOAD


def test_payload_is_utf8_encodable_and_parses_back():
    assert PAYLOAD.encode("utf-8").startswith(b"ST00012|Name=")
    assert parse_payload(PAYLOAD) == {
        "Name": "ООО «Ромашка»",
        "PersonalAcc": "40702810938000012345",
        "BankName": "ПАО СБЕРБАНК",
        "BIC": "044525225",
        "CorrespAcc": "30101810400000000225",
        "PayeeINN": "7707123458",
        "KPP": "770701001",
        "Sum": "1234560",
        "Purpose": "Оплата по счёту № 15 от 26.11.2026. В т.ч. НДС 22 % — 2 226,26 руб.",
    }


def test_optional_fields_left_empty_are_left_out():
    requisites = with_(payee_inn="", kpp="", amount=None, purpose="")
    assert build_payload(requisites) == (
        "ST00012|Name=ООО «Ромашка»|PersonalAcc=40702810938000012345|BankName=ПАО СБЕРБАНК"
        "|BIC=044525225|CorrespAcc=30101810400000000225"
    )


@pytest.mark.parametrize(
    ("amount", "kopecks"),
    [
        ("0.01", "1"),
        ("1", "100"),
        ("100.5", "10050"),
        ("2.675", "268"),  # half up to kopecks first
        ("2.665", "267"),
        ("1234567.89", "123456789"),
        ("9999999999999999.99", "999999999999999999"),  # 18 digits, the limit
    ],
)
def test_sum_is_written_in_whole_kopecks(amount, kopecks):
    assert payload_fields(with_(amount=D(amount)))["Sum"] == kopecks


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("0"), "Поле «Сумма» (Sum): сумма должна быть больше нуля: 0"),
        (D("-5.00"), "Поле «Сумма» (Sum): сумма должна быть больше нуля: -5.00"),
        (D("0.004"), "Поле «Сумма» (Sum): сумма должна быть больше нуля: 0.004"),
        (D("NaN"), "Поле «Сумма» (Sum): сумма должна быть больше нуля: NaN"),
        (D("1E+16"), "Поле «Сумма» (Sum): слишком большая сумма: 1E+16"),
        (
            D("9999999999999999.995"),
            "Поле «Сумма» (Sum): слишком большая сумма: 9999999999999999.995",
        ),
        (12.5, "Поле «Сумма» (Sum): сумма должна быть Decimal, а не float"),
    ],
)
def test_bad_sum_is_refused(amount, message):
    with pytest.raises(ValueError) as error:
        build_payload(with_(amount=amount))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"name": ""},
            "Поле «Наименование получателя» (Name) обязательно для QR-кода оплаты",
        ),
        ({"bank_name": "  "}, "Поле «Банк получателя» (BankName) обязательно для QR-кода оплаты"),
        (
            {"correspondent_account": ""},
            "Поле «Корреспондентский счёт банка» (CorrespAcc) обязательно для QR-кода оплаты",
        ),
        (
            {"name": "А" * 161},
            "Поле «Наименование получателя» (Name) длиннее 160 символов: 161",
        ),
        ({"bank_name": "Б" * 46}, "Поле «Банк получателя» (BankName) длиннее 45 символов: 46"),
        ({"purpose": "В" * 211}, "Поле «Назначение платежа» (Purpose) длиннее 210 символов: 211"),
        (
            {"personal_account": "4070281093800001234"},
            "Поле «Расчётный счёт получателя» (PersonalAcc) должно состоять из 20 цифр",
        ),
        (
            {"personal_account": "4070281093800001234A"},
            "Поле «Расчётный счёт получателя» (PersonalAcc) должно состоять из 20 цифр",
        ),
        (
            {"personal_account": "407028109380000123456"},
            "Поле «Расчётный счёт получателя» (PersonalAcc) длиннее 20 символов: 21",
        ),
        ({"bik": "04452522"}, "Поле «БИК банка получателя» (BIC) должно состоять из 9 цифр"),
        ({"bik": "٠٤٤٥٢٥٢٢٥"}, "Поле «БИК банка получателя» (BIC) должно состоять из 9 цифр"),
        (
            {"correspondent_account": "3010181040000000022X"},
            "Поле «Корреспондентский счёт банка» (CorrespAcc) должно состоять из цифр,"
            " не больше 20",
        ),
        (
            {"payee_inn": "77071234581"},
            "Поле «ИНН получателя» (PayeeINN) должно состоять из 10 или 12 цифр",
        ),
        (
            {"payee_inn": "770712345X"},
            "Поле «ИНН получателя» (PayeeINN) должно состоять из 10 или 12 цифр",
        ),
        (
            {"payee_inn": "7707123458901"},
            "Поле «ИНН получателя» (PayeeINN) длиннее 12 символов: 13",
        ),
        (
            {"kpp": "77070100"},
            "Поле «КПП получателя» (KPP) должно состоять из 9 цифр или заглавных латинских букв",
        ),
        (
            {"kpp": "7707ab001"},
            "Поле «КПП получателя» (KPP) должно состоять из 9 цифр или заглавных латинских букв",
        ),
        (
            {"name": "ООО «Ромашка|Лютик»"},
            "Поле «Наименование получателя» (Name) не может содержать символ «|»",
        ),
        (
            {"purpose": "Оплата | по счёту № 15"},
            "Поле «Назначение платежа» (Purpose) не может содержать символ «|»",
        ),
        (
            {"purpose": "Оплата\nпо счёту № 15"},
            "Поле «Назначение платежа» (Purpose) не может содержать перевод строки или табуляцию",
        ),
    ],
)
def test_bad_requisites_are_refused_naming_the_field(changes, message):
    with pytest.raises(ValueError) as error:
        build_payload(with_(**changes))
    assert str(error.value) == message


def test_limits_are_inclusive():
    requisites = with_(name="А" * 160, bank_name="Б" * 45, purpose="В" * 210, payee_inn="1" * 12)
    fields = parse_payload(build_payload(requisites))
    assert (len(fields["Name"]), len(fields["BankName"]), len(fields["Purpose"])) == (160, 45, 210)


def test_treasury_payee_without_correspondent_account_writes_zero():
    assert parse_payload(build_payload(with_(correspondent_account="0")))["CorrespAcc"] == "0"


def test_kpp_with_letters_in_the_reason_code_is_accepted():
    assert parse_payload(build_payload(with_(kpp="7707AB001")))["KPP"] == "7707AB001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ST00011|Name=А|BIC=044525225", {"Name": "А", "BIC": "044525225"}),
        ("ST00013#Name=А|Б#Sum=100", {"Name": "А|Б", "Sum": "100"}),  # its own separator
        ("ST00012|Purpose=a=b", {"Purpose": "a=b"}),
        ("ST00012|Purpose=", {"Purpose": ""}),
    ],
)
def test_parse_payload_reads_any_encoding_digit_and_separator(text, expected):
    assert parse_payload(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Это не QR-код оплаты ГОСТ Р 56042-2014: текст должен начинаться с «ST0001»"),
        (
            "ST0002|Name=А",
            "Это не QR-код оплаты ГОСТ Р 56042-2014: текст должен начинаться с «ST0001»",
        ),
        ("ST00012", "Это не QR-код оплаты ГОСТ Р 56042-2014: текст должен начинаться с «ST0001»"),
        ("ST00014|Name=А", "QR-код оплаты: неизвестная кодировка «4» (ожидалась 1, 2 или 3)"),
        ("ST00012|Name", "QR-код оплаты: «Name» — не пара «ключ=значение»"),
        ("ST00012|Name=А||BIC=1", "QR-код оплаты: «» — не пара «ключ=значение»"),
        ("ST00012|=А", "QR-код оплаты: «=А» — не пара «ключ=значение»"),
        ("ST00012|Name=А|Name=Б", "QR-код оплаты: поле Name указано дважды"),
    ],
)
def test_parse_payload_refuses_malformed_text(text, message):
    with pytest.raises(ValueError) as error:
        parse_payload(text)
    assert str(error.value) == message


safe_text = st.text(
    alphabet=st.characters(
        blacklist_characters="|\r\n\t", blacklist_categories=("Cs",), codec="utf-8"
    ),
    min_size=1,
    max_size=45,
).filter(lambda value: value.strip() != "")
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@given(
    name=safe_text,
    bank_name=safe_text,
    purpose=safe_text,
    account=st.text(alphabet="0123456789", min_size=20, max_size=20),
    bik=st.text(alphabet="0123456789", min_size=9, max_size=9),
    kopecks=st.integers(min_value=1, max_value=10**18 - 1),
)
def test_parse_of_build_gives_the_values_back(name, bank_name, purpose, account, bik, kopecks):
    requisites = with_(
        name=name,
        bank_name=bank_name,
        purpose=purpose,
        personal_account=account,
        bik=bik,
        amount=D(kopecks) / 100,
    )
    fields = parse_payload(build_payload(requisites))
    assert fields == {
        "Name": name,
        "PersonalAcc": account,
        "BankName": bank_name,
        "BIC": bik,
        "CorrespAcc": REQUISITES.correspondent_account,
        "PayeeINN": REQUISITES.payee_inn,
        "KPP": REQUISITES.kpp,
        "Sum": str(kopecks),
        "Purpose": purpose,
    }


@pytest.mark.parametrize(
    ("percent", "amount", "expected"),
    [
        (D(22), D("1234.56"), "В т.ч. НДС 22 % — 1 234,56 руб."),
        (D("20.00"), D("2500"), "В т.ч. НДС 20 % — 2 500,00 руб."),
        (D("10"), D("0.5"), "В т.ч. НДС 10 % — 0,50 руб."),
        (D("0"), D("0"), "В т.ч. НДС 0 % — 0,00 руб."),
        (D("7"), D("1234567.895"), "В т.ч. НДС 7 % — 1 234 567,90 руб."),
        (None, D("0"), "Без НДС"),
    ],
)
def test_vat_clause(percent, amount, expected):
    assert vat_clause(percent, amount) == expected
    assert "\u00a0" not in vat_clause(percent, amount)


def test_purpose_for_invoice_carries_number_date_and_vat():
    purpose = purpose_for_invoice("15", dt.date(2026, 11, 26), vat_clause(D(22), D("1234.56")))
    assert purpose == "Оплата по счёту № 15 от 26.11.2026. В т.ч. НДС 22 % — 1 234,56 руб."


@pytest.mark.parametrize(
    ("number", "date", "vat_text", "expected"),
    [
        (
            "СЧ-0007",
            dt.date(2026, 1, 5),
            "Без НДС",
            "Оплата по счёту № СЧ-0007 от 05.01.2026. Без НДС",
        ),
        (" 128 ", dt.date(2025, 2, 1), "", "Оплата по счёту № 128 от 01.02.2025."),
        ("3", dt.date(2026, 3, 9), "  ", "Оплата по счёту № 3 от 09.03.2026."),
    ],
)
def test_purpose_for_invoice_variants(number, date, vat_text, expected):
    assert purpose_for_invoice(number, date, vat_text) == expected


def test_purpose_for_invoice_needs_a_number():
    with pytest.raises(ValueError) as error:
        purpose_for_invoice("  ", dt.date(2026, 11, 26), "Без НДС")
    assert str(error.value) == "Номер счёта для назначения платежа не указан"


def test_purpose_fits_the_qr_and_round_trips():
    purpose = purpose_for_invoice("15", dt.date(2026, 11, 26), vat_clause(D(22), D("1234.56")))
    assert parse_payload(build_payload(with_(purpose=purpose)))["Purpose"] == purpose

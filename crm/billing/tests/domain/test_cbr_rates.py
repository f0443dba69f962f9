"""The Central Bank's daily rates XML: fixture files in windows-1251, exact Decimals, bad files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from crm.billing.domain.cbr_rates import Rate, RatesFormatError, parse_daily_rates

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures"
HEAD = '<?xml version="1.0" encoding="windows-1251"?>\n'


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def valute(
    *,
    code: str = "USD",
    num_code: str = "840",
    nominal: str = "1",
    name: str = "Доллар США",
    value: str = "78,1234",
    skip: str = "",
    id_: str = "R01235",
) -> str:
    parts = {
        "NumCode": num_code,
        "CharCode": code,
        "Nominal": nominal,
        "Name": name,
        "Value": value,
        "VunitRate": value,
    }
    inner = "".join(f"<{tag}>{text}</{tag}>" for tag, text in parts.items() if tag != skip)
    return f'<Valute ID="{id_}">{inner}</Valute>'


def document(*valutes: str, date: str = 'Date="26.11.2026"') -> bytes:
    body = f'{HEAD}<ValCurs {date} name="Foreign Currency Market">{"".join(valutes)}</ValCurs>'
    return body.encode("cp1251")


def test_fixture_is_really_windows_1251():
    data = fixture("daily_2026-11-26.xml")
    assert data.startswith(b'<?xml version="1.0" encoding="windows-1251"?>')
    assert "Доллар США".encode("cp1251") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_parses_the_daily_file():
    rates = parse_daily_rates(fixture("daily_2026-11-26.xml"))
    assert rates.date == dt.date(2026, 11, 26)
    assert list(rates.rates) == ["AUD", "USD", "EUR", "HUF", "INR", "KZT", "CNY", "JPY"]
    assert rates.rates["USD"] == Rate(
        code="USD",
        num_code="840",
        nominal=1,
        value=D("78.1234"),
        per_unit=D("78.1234"),
        name="Доллар США",
    )
    assert rates.rates["AUD"].num_code == "036"  # leading zero kept


@pytest.mark.parametrize(
    ("code", "nominal", "value", "per_unit", "name"),
    [
        ("JPY", 100, "51.7583", "0.517583", "Иен"),
        ("HUF", 100, "21.5432", "0.215432", "Форинтов"),
        ("KZT", 100, "15.0377", "0.150377", "Тенге"),
        ("INR", 10, "9.2817", "0.92817", "Индийских рупий"),
        ("CNY", 1, "10.9876", "10.9876", "Юань"),
        ("EUR", 1, "91.2345", "91.2345", "Евро"),
    ],
)
def test_nominal_gives_the_exact_rate_of_one_unit(code, nominal, value, per_unit, name):
    rate = parse_daily_rates(fixture("daily_2026-11-26.xml")).rates[code]
    assert (rate.nominal, rate.value, rate.per_unit, rate.name) == (
        nominal,
        D(value),
        D(per_unit),
        name,
    )
    assert str(rate.per_unit) == per_unit  # exact digits, no rounding and no float
    assert rate.per_unit * nominal == rate.value


def test_nominal_of_ten_thousand_is_exact():
    data = document(valute(code="VND", num_code="704", nominal="10000", value="30,8765"))
    assert parse_daily_rates(data).rates["VND"].per_unit == D("0.00308765")


def test_utf8_file_with_its_declaration_is_read_too():
    data = (
        '<?xml version="1.0" encoding="utf-8"?><ValCurs Date="01.02.2026">'
        + valute()
        + "</ValCurs>"
    ).encode()
    assert parse_daily_rates(data).rates["USD"].name == "Доллар США"


def test_broken_value_fixture_names_the_currency_and_the_element():
    with pytest.raises(RatesFormatError) as error:
        parse_daily_rates(fixture("daily_broken_value.xml"))
    assert (
        str(error.value) == "Файл курсов ЦБ РФ: у валюты EUR Value «91,23x5» — не курс вида 78,1234"
    )


def test_wrong_root_fixture_is_refused():
    with pytest.raises(RatesFormatError) as error:
        parse_daily_rates(fixture("daily_wrong_root.xml"))
    assert (
        str(error.value)
        == "Файл курсов ЦБ РФ: корневой элемент должен быть ValCurs, а не «ValCursList»"
    )


P = "Файл курсов ЦБ РФ: "


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", P + "файл пуст"),
        (b"  \n", P + "файл пуст"),
        (document(valute(), date=""), P + "у элемента ValCurs нет атрибута Date"),
        (
            document(valute(), date='Date="2026-11-26"'),
            P + "атрибут Date элемента ValCurs «2026-11-26» — не дата ДД.ММ.ГГГГ",
        ),
        (
            document(valute(), date='Date="31.02.2026"'),
            P + "атрибут Date элемента ValCurs «31.02.2026» — не дата ДД.ММ.ГГГГ",
        ),
        (document(), P + "в файле нет ни одной валюты (элементов Valute)"),
        (document(valute(skip="Value")), P + "у валюты USD нет элемента Value"),
        (document(valute(skip="Nominal")), P + "у валюты USD нет элемента Nominal"),
        (document(valute(skip="CharCode")), P + "у валюты № 1 (ID R01235) нет элемента CharCode"),
        (
            document(valute(), valute(code="usd", id_="")),
            P + "у валюты № 2 CharCode «usd» — не код ISO 4217 из трёх букв",
        ),
        (
            document(valute(num_code="84")),
            P + "у валюты USD NumCode «84» — не цифровой код из трёх цифр",
        ),
        (
            document(valute(nominal="0")),
            P + "у валюты USD Nominal «0» — не целое число больше нуля",
        ),
        (
            document(valute(nominal="-1")),
            P + "у валюты USD Nominal «-1» — не целое число больше нуля",
        ),
        (
            document(valute(nominal="1,5")),
            P + "у валюты USD Nominal «1,5» — не целое число больше нуля",
        ),
        (document(valute(name=" ")), P + "у валюты USD пустой элемент Name"),
        (
            document(valute(value="78.1234")),
            P + "у валюты USD Value «78.1234» — не курс вида 78,1234",
        ),
        (
            document(valute(value="-78,1234")),
            P + "у валюты USD Value «-78,1234» — не курс вида 78,1234",
        ),
        (document(valute(value="")), P + "у валюты USD Value «» — не курс вида 78,1234"),
        (document(valute(value="0,0000")), P + "у валюты USD Value равен нулю"),
        (
            document(valute(nominal="3", value="10,0000")),
            P + "у валюты USD курс 10,0000 за 3 не делится без округления",
        ),
        (document(valute(), valute()), P + "валюта USD указана дважды"),
        (
            document(valute(), "<Error>no data</Error>"),
            P + "неожиданный элемент «Error» внутри ValCurs",
        ),
    ],
)
def test_malformed_file_is_refused_with_a_clear_message(data, message):
    with pytest.raises(RatesFormatError) as error:
        parse_daily_rates(data)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>Service unavailable",
        document(valute())[:-5],
        b"\xff\xfe<\x00V\x00",  # UTF-16 hides declarations from the byte check: refused
        b'<?xml version="1.0" encoding="no-such-codec"?><ValCurs/>',
    ],
)
def test_not_xml_is_refused(data):
    with pytest.raises(RatesFormatError) as error:
        parse_daily_rates(data)
    assert str(error.value).startswith(P + "не XML (")


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE ValCurs [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE ValCurs SYSTEM "file:///etc/passwd">',
        '<!doctype ValCurs [<!entity x SYSTEM "http://example.com/">]>',
    ],
)
def test_doctype_and_entities_are_refused_before_parsing(declaration):
    data = (HEAD + declaration + '<ValCurs Date="26.11.2026">' + valute() + "</ValCurs>").encode(
        "cp1251"
    )
    with pytest.raises(RatesFormatError) as error:
        parse_daily_rates(data)
    assert str(error.value) == P + "объявления DOCTYPE и ENTITY не допускаются"


def test_text_instead_of_bytes_is_refused():
    with pytest.raises(RatesFormatError) as error:
        parse_daily_rates(document(valute()).decode("cp1251"))
    assert str(error.value) == P + "ожидались байты файла, а не str"

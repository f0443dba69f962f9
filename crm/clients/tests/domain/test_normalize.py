from __future__ import annotations

import pytest

from crm.clients.domain.normalize import (
    PhoneError,
    comparable_name,
    format_phone,
    normalize_email,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("8 (495) 123-45-67", "+74951234567"),
        ("+7 495 123 45 67", "+74951234567"),
        ("84951234567", "+74951234567"),
        ("8-916-555-44-33", "+79165554433"),
        ("+375 29 123-45-67", "+375291234567"),
    ],
)
def test_phones_become_e164(text, e164):
    assert normalize_phone(text) == e164


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("позвонить", "«позвонить» — не номер телефона"),
        ("123", "«123» — такого номера не бывает: проверьте код и число цифр"),
    ],
)
def test_bad_phones_are_named(text, message):
    with pytest.raises(PhoneError) as error:
        normalize_phone(text)
    assert str(error.value) == message


def test_phone_is_shown_the_russian_way():
    assert format_phone("+74951234567") == "+7 495 123-45-67"
    assert format_phone("") == ""


def test_email_is_lower_case():
    assert normalize_email("  Info@Romashka.RU ") == "info@romashka.ru"


@pytest.mark.parametrize(
    ("name", "comparable"),
    [
        ("ООО «Ромашка»", "ромашка"),
        ('Общество с ограниченной ответственностью "ТехноСнаб"', "техноснаб"),
        ("АО  «Ёлка  Плюс»", "елка плюс"),
        ("ИП Иванов И. И.", "иванов и. и."),
        ("Ромашка", "ромашка"),
    ],
)
def test_comparable_name(name, comparable):
    assert comparable_name(name) == comparable

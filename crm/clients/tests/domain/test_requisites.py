from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.clients.domain import requisites


@pytest.mark.parametrize("inn", ["7707083893", "123456789047", "500100732259"])
def test_known_valid_inns(inn):
    assert requisites.is_valid_inn(inn)
    assert requisites.check_inn(inn) is None


@pytest.mark.parametrize(
    ("inn", "length", "message"),
    [
        ("7707083894", None, "Неверный ИНН: не сходится контрольное число"),
        (
            "77070838",
            None,
            "ИНН должен содержать 10 цифр (организация) или 12 цифр (ИП, физическое лицо)",
        ),
        ("77O7083893", None, "ИНН должен состоять только из цифр"),
        ("123456789047", 10, "ИНН должен содержать 10 цифр"),
        ("7707083893", 12, "ИНН должен содержать 12 цифр"),
    ],
)
def test_bad_inns_are_named(inn, length, message):
    assert requisites.check_inn(inn, length=length) == message


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_generated_company_inn_is_valid(prefix):
    inn = prefix + requisites.inn_control_digits(prefix)
    assert len(inn) == 10
    assert requisites.is_valid_inn(inn)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_generated_person_inn_is_valid(prefix):
    inn = prefix + requisites.inn_control_digits(prefix)
    assert len(inn) == 12
    assert requisites.is_valid_inn(inn)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(1, 9))
def test_a_wrong_control_digit_is_always_caught(prefix, shift):
    control = int(requisites.inn_control_digits(prefix))
    assert not requisites.is_valid_inn(prefix + str((control + shift) % 10))


@pytest.mark.parametrize(
    ("ogrn", "length", "message"),
    [
        ("4057910142110", None, None),
        ("1027700132195", 13, None),
        ("304500116000157", 15, None),
        ("1027700132194", 13, "Неверный ОГРН: не сходится контрольная цифра"),
        ("1027700132195", 15, "ОГРНИП — 15 цифр"),
        ("304500116000157", 13, "ОГРН организации — 13 цифр"),
        ("10277001321", None, "ОГРН — 13 цифр, ОГРНИП — 15 цифр"),
        ("10277OO132195", None, "ОГРН должен состоять только из цифр"),
    ],
)
def test_ogrn(ogrn, length, message):
    assert requisites.check_ogrn(ogrn, length=length) == message


@pytest.mark.parametrize(
    ("kpp", "ok"),
    [("773601001", True), ("7736AB001", True), ("7736ab001", False), ("77360100", False)],
)
def test_kpp_pattern(kpp, ok):
    assert (requisites.check_kpp(kpp) is None) is ok


@pytest.mark.parametrize(
    ("bik", "account", "correspondent"),
    [
        ("049805000", "30101810800000000746", True),
        ("049805746", "40602810700000000025", False),
        ("044525225", "30101810400000000225", True),
        ("004525988", "40102810545370000003", False),
    ],
)
def test_central_bank_examples(bik, account, correspondent):
    assert requisites.is_valid_account(bik, account, correspondent=correspondent)
    assert requisites.check_account(bik, account, correspondent=correspondent) is None


def test_account_errors_are_named():
    assert requisites.check_account("044525225", "40702810000000000001") == (
        "Расчётный счёт не соответствует БИК: не сходится контрольный ключ"
    )
    assert requisites.check_account("044525225", "4070281") == "Расчётный счёт — 20 цифр"
    assert requisites.check_account("04452", "40702810000000000001") == (
        "Сначала укажите верный БИК: по нему проверяется счёт"
    )
    assert requisites.check_account("044525225", "30101810400000000226", correspondent=True) == (
        "Корр. счёт не соответствует БИК: не сходится контрольный ключ"
    )


@given(
    st.sampled_from(["044525225", "044525974", "049805746", "004525988"]),
    st.text(alphabet="0123456789", min_size=20, max_size=20),
)
def test_control_key_makes_any_account_valid(bik, raw):
    account = raw[:8] + requisites.account_control_key(bik, raw) + raw[9:]
    assert requisites.is_valid_account(bik, account)

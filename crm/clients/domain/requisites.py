"""Russian requisites: check digits of ИНН, ОГРН/ОГРНИП, the КПП pattern, and the control key
of a bank account against its БИК (pure Python; algorithms from docs/onec-formats.md §6.3).

Each `check_*` returns None when the value is right, else a Russian message naming the problem;
forms and importers put that message beside the field."""

from __future__ import annotations

import re

from crm.core.domain.messages import Message, _

INN_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_12_FIRST = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_12_SECOND = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
KPP_PATTERN = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")
BIK_PATTERN = re.compile(r"^\d{9}$")
ACCOUNT_WEIGHTS = ((7, 1, 3) * 8)[:23]  # 3-digit prefix + 20-digit account


def _checksum(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_control_digits(prefix: str) -> str:
    """The check digit(s) completing a 9-digit (company) or 10-digit (person) ИНН prefix."""
    digits = [int(c) for c in prefix]
    if len(digits) == 9:
        return str(_checksum(digits, INN_WEIGHTS_10))
    if len(digits) == 10:
        first = _checksum(digits, INN_WEIGHTS_12_FIRST)
        second = _checksum([*digits, first], INN_WEIGHTS_12_SECOND)
        return f"{first}{second}"
    raise ValueError("prefix must have 9 or 10 digits")


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or len(value) not in (10, 12):
        return False
    return inn_control_digits(value[:-1] if len(value) == 10 else value[:-2]) == (
        value[-1:] if len(value) == 10 else value[-2:]
    )


def check_inn(value: str, *, length: int | None = None) -> Message | None:
    """`length`: 10 for a company, 12 for an entrepreneur or a person, None for either."""
    if not value.isdigit():
        return Message(_("ИНН должен состоять только из цифр"))
    if length is not None and len(value) != length:
        return Message(_("ИНН должен содержать %(length)s цифр"), length=length)
    if len(value) not in (10, 12):
        return Message(
            _("ИНН должен содержать 10 цифр (организация) или 12 цифр (ИП, физическое лицо)")
        )
    if not is_valid_inn(value):
        return Message(_("Неверный ИНН: не сходится контрольное число"))
    return None


def check_kpp(value: str) -> Message | None:
    if not KPP_PATTERN.match(value):
        return Message(_("КПП — 9 знаков: 4 цифры, 2 цифры или заглавные латинские буквы, 3 цифры"))
    return None


def ogrn_control_digit(prefix: str) -> str:
    """The last digit of an ОГРН (12-digit prefix) or ОГРНИП (14-digit prefix)."""
    if len(prefix) == 12:
        return str(int(prefix) % 11 % 10)
    if len(prefix) == 14:
        return str(int(prefix) % 13 % 10)
    raise ValueError("prefix must have 12 or 14 digits")


def check_ogrn(value: str, *, length: int | None = None) -> Message | None:
    """`length`: 13 (ОГРН of a company) or 15 (ОГРНИП of an entrepreneur)."""
    if not value.isdigit():
        return Message(_("ОГРН должен состоять только из цифр"))
    if length is not None and len(value) != length:
        if length == 13:
            return Message(_("ОГРН организации — 13 цифр"))
        return Message(_("ОГРНИП — 15 цифр"))
    if len(value) not in (13, 15):
        return Message(_("ОГРН — 13 цифр, ОГРНИП — 15 цифр"))
    if ogrn_control_digit(value[:-1]) != value[-1]:
        return Message(_("Неверный ОГРН: не сходится контрольная цифра"))
    return None


def check_bik(value: str) -> Message | None:
    if not BIK_PATTERN.match(value):
        return Message(_("БИК — 9 цифр"))
    return None


def _account_prefix(bik: str, correspondent: bool) -> str:
    settlement_centre = correspondent or bik[6:9] in ("000", "001", "002") or bik[:2] != "04"
    return "0" + bik[4:6] if settlement_centre else bik[6:9]


def is_valid_account(bik: str, account: str, *, correspondent: bool = False) -> bool:
    """ЦБ РФ N 515: 3-digit prefix + 20-digit account, weights 7,1,3, sum divisible by 10."""
    if len(bik) != 9 or len(account) != 20 or not (bik + account).isdigit():
        return False
    digits = _account_prefix(bik, correspondent) + account
    return sum(int(c) * w for c, w in zip(digits, ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def account_control_key(bik: str, account: str, *, correspondent: bool = False) -> str:
    """The key digit (position 9) that makes `account` valid at `bik`."""
    zeroed = account[:8] + "0" + account[9:]
    digits = _account_prefix(bik, correspondent) + zeroed
    total = sum(int(c) * w for c, w in zip(digits, ACCOUNT_WEIGHTS, strict=True))
    return str(total % 10 * 3 % 10)


def check_account(bik: str, account: str, *, correspondent: bool = False) -> Message | None:
    if not account.isdigit() or len(account) != 20:
        if correspondent:
            return Message(_("Корр. счёт — 20 цифр"))
        return Message(_("Расчётный счёт — 20 цифр"))
    if check_bik(bik):
        return Message(_("Сначала укажите верный БИК: по нему проверяется счёт"))
    if not is_valid_account(bik, account, correspondent=correspondent):
        if correspondent:
            return Message(_("Корр. счёт не соответствует БИК: не сходится контрольный ключ"))
        return Message(_("Расчётный счёт не соответствует БИК: не сходится контрольный ключ"))
    return None

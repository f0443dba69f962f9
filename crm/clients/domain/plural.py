"""Russian plural forms: 1 карточка, 3 карточки, 5 карточек (pure Python).

The source language of the texts is Russian and has three forms where gettext's default has
two; callers pass the three translated texts and this picks one."""

from __future__ import annotations


def plural_form(count: int, one: str, few: str, many: str) -> str:
    """`one` for 1, 21, 101…; `few` for 2–4, 22–24…; `many` for 0, 5–20, 25–30…"""
    count = abs(count)
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many

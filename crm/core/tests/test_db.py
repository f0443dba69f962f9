"""Case-insensitive search in every alphabet on SQLite (crm.core.db) and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from crm.accounts.models import Department
from crm.core.db import like_pattern, unicode_like


@pytest.mark.parametrize(
    ("pattern", "value", "escape", "expected"),
    [
        ("%иванов%", "ИВАНОВА Анна", None, True),
        ("иванов", "Иванов", None, True),
        ("иванов", "Иванова", None, False),
        ("ив_нов", "Иванов", None, True),
        ("ив_нов", "Ивнов", None, False),
        ("%ёлка%", "ЁЛКА", None, True),
        ("%ромашка%", "ООО «РОМАШКА»", None, True),
        ("abc%", "ABCdef", None, True),
        ("%100\\%%", "скидка 100%", "\\", True),
        ("%100\\%%", "скидка 1000", "\\", False),
        ("%a\\_b%", "xa_by", "\\", True),
        ("%a\\_b%", "xacby", "\\", False),
        ("%a.b%", "aXb", None, False),  # regex characters are literal
        ("%(%", "скобка (", None, True),
        ("%", "строка\nс переводом", None, True),
        ("строка", None, None, None),
        (None, "строка", None, None),
    ],
)
def test_unicode_like(pattern, value, escape, expected):
    assert unicode_like(pattern, value, escape) is expected


def test_patterns_are_compiled_once():
    like_pattern.cache_clear()
    like_pattern("%ива%", "\\")
    like_pattern("%ива%", "\\")
    assert like_pattern.cache_info().hits == 1


alphabet = st.text(
    alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙЯabcXYZ 0%_\\", max_size=12
)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@given(alphabet, alphabet)
def test_contains_pattern_matches_like_a_case_folded_substring(needle, haystack):
    assert unicode_like(f"%{_escaped(needle)}%", haystack, "\\") is (
        needle.lower() in haystack.lower()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lookup", "value", "expected"),
    [
        ("name__icontains", "москва", ["Отдел продаж «Москва»"]),
        ("name__icontains", "ОТДЕЛ", ["Отдел продаж «Москва»", "отдел закупок"]),
        ("name__istartswith", "отдел", ["Отдел продаж «Москва»", "отдел закупок"]),
        ("name__iexact", "ОТДЕЛ ЗАКУПОК", ["отдел закупок"]),
        ("name__icontains", "%", ["Скидки 100%"]),
        ("name__icontains", "_", []),
    ],
)
def test_orm_lookups_fold_cyrillic_case(lookup, value, expected):
    for name in ("Отдел продаж «Москва»", "отдел закупок", "Скидки 100%"):
        Department.objects.create(name=name)
    found = Department.objects.filter(**{lookup: value}).order_by("name")
    assert sorted(d.name for d in found) == sorted(expected)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own LIKE is replaced")
def test_sqlite_like_is_replaced_on_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'Иванов' LIKE 'иван%', 'Иванов' LIKE 'петр%'")
        assert cursor.fetchone() == (1, 0)

"""The audit history's snapshot comparison: pure Python, no database."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.core.domain.changes import diff_snapshots, to_json_value


class Colour(enum.Enum):
    RED = "red"
    ONE = 1


class Tagged:
    def __str__(self) -> str:
        return "ООО «Ромашка»"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (False, False),
        (0, 0),
        (-17, -17),
        ("", ""),
        ("Иванов", "Иванов"),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("-0.01"), "-0.01"),
        (Decimal("1E+3"), "1E+3"),
        (dt.date(2026, 11, 26), "2026-11-26"),
        (dt.time(9, 5), "09:05:00"),
        (dt.datetime(2026, 11, 26, 10, 0, 30), "2026-11-26T10:00:30"),
        (
            dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
            "2026-11-26T10:00:00+03:00",
        ),
        (Colour.RED, "red"),
        (Colour.ONE, 1),
        ([Decimal("1.5"), dt.date(2026, 1, 2)], ["1.5", "2026-01-02"]),
        ((1, "a"), [1, "a"]),
        ({"b", "a", "c"}, ["a", "b", "c"]),
        (frozenset({3, 1, 2}), [1, 2, 3]),
        ({"sum": Decimal("10.00"), 5: None}, {"sum": "10.00", "5": None}),
        (Tagged(), "ООО «Ромашка»"),
    ],
)
def test_to_json_value(value, expected):
    assert to_json_value(value) == expected


def test_to_json_value_result_survives_json_round_trip():
    value = {"amount": Decimal("99.99"), "on": dt.date(2026, 3, 8), "tags": {"b", "a"}}
    converted = to_json_value(value)
    assert json.loads(json.dumps(converted)) == {
        "amount": "99.99",
        "on": "2026-03-08",
        "tags": ["a", "b"],
    }


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_to_json_value_never_returns_float_for_decimal(amount):
    converted = to_json_value(amount)
    assert isinstance(converted, str)
    assert Decimal(converted) == amount


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False), max_size=5))
def test_to_json_value_never_returns_float_inside_lists(amounts):
    converted = to_json_value(amounts)
    assert all(isinstance(item, str) for item in converted)


def test_diff_reports_only_changed_fields_in_order_of_after_then_before_only():
    before = {"name": "Ромашка", "inn": "7701234567", "phone": "+7 495 000-00-00", "old": 1}
    after = {"phone": "+7 495 111-11-11", "name": "Ромашка", "inn": "7701234568", "new": True}
    assert diff_snapshots(before, after) == {
        "phone": ["+7 495 000-00-00", "+7 495 111-11-11"],
        "inn": ["7701234567", "7701234568"],
        "new": [None, True],
        "old": [1, None],
    }
    assert list(diff_snapshots(before, after)) == ["phone", "inn", "new", "old"]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({}, {}, {}),
        ({}, {"name": "А"}, {"name": [None, "А"]}),
        ({"name": "А"}, {}, {"name": ["А", None]}),
        ({"name": None}, {}, {}),
        ({"sum": Decimal("1.0")}, {"sum": Decimal("1.00")}, {"sum": ["1.0", "1.00"]}),
        ({"sum": "5.00"}, {"sum": Decimal("5.00")}, {}),
        ({"on": dt.date(2026, 1, 1)}, {"on": "2026-01-01"}, {}),
        ({"tags": {"b", "a"}}, {"tags": ["a", "b"]}, {}),
        ({"text": ""}, {"text": None}, {"text": ["", None]}),
    ],
)
def test_diff_snapshots_cases(before, after, expected):
    assert diff_snapshots(before, after) == expected


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
)
snapshots = st.dictionaries(st.text(min_size=1, max_size=10), json_scalars, max_size=8)


@given(snapshots)
def test_diff_of_a_snapshot_with_itself_is_empty(before):
    assert diff_snapshots(before, before) == {}
    assert diff_snapshots(before, dict(before)) == {}


@given(snapshots, snapshots)
def test_diff_swapping_sides_swaps_each_pair(before, after):
    forward = diff_snapshots(before, after)
    backward = diff_snapshots(after, before)
    assert set(forward) == set(backward)
    for key, (old, new) in forward.items():
        assert backward[key] == [new, old]
        assert old != new

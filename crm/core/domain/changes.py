"""Comparing two snapshots of an object's fields for the audit history (pure Python)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def to_json_value(value: Any) -> JsonValue:
    """A value as it is stored in the history: dates ISO, Decimal as a string (never float)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_json_value(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_json_value(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Mapping):
        return {str(key): to_json_value(item) for key, item in value.items()}
    return str(value)


def diff_snapshots(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, list[JsonValue]]:
    """Fields whose value differs, as `{field: [before, after]}`; a field missing on one side
    counts as None there. Keys keep the order of `after`, then the ones only in `before`."""
    keys = list(after) + [key for key in before if key not in after]
    changes: dict[str, list[JsonValue]] = {}
    for key in keys:
        old, new = to_json_value(before.get(key)), to_json_value(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes

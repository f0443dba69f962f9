"""Database connection set-up that the ORM does not do by itself.

SQLite's LIKE folds the case of ASCII letters only, so `icontains` would not find «Иванов» for
"иванов". On SQLite connections the built-in like() is replaced by one that folds every
alphabet (Python's re.IGNORECASE), keeping LIKE's `%`, `_` and ESCAPE rules. PostgreSQL needs
nothing: Django uses UPPER(...) LIKE UPPER(...), which folds Cyrillic."""

from __future__ import annotations

import functools
import re
from typing import Any


@functools.lru_cache(maxsize=512)
def like_pattern(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if escape and char == escape and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern: Any, value: Any, escape: Any = None) -> bool | None:
    """SQLite's like(X, Y[, Z]) is `Y LIKE X ESCAPE Z`."""
    if pattern is None or value is None:
        return None
    return like_pattern(str(pattern), escape).fullmatch(str(value)) is not None


def configure_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("like", 2, unicode_like, deterministic=True)
        raw.create_function("like", 3, unicode_like, deterministic=True)

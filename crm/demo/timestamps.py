"""Demo rows carry their own creation times (a year of history), but `auto_now_add` and
`auto_now` would overwrite them with the moment of the bulk insert; inside this block the
fields keep what the generator set."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import models


@contextlib.contextmanager
def keeping_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    touched: list[tuple[models.DateField, bool, bool]] = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
                touched.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in touched:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add

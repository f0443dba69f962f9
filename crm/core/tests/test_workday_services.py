"""Corrections of the production calendar: saved with an audit record, the cache cleared,
bad input refused in Russian with nothing changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from crm.core import services, workdays
from crm.core.models import AuditEntry, WorkdayCorrection, WorkdayKind

pytestmark = pytest.mark.django_db
d = dt.date


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}


def test_save_makes_a_day_off_audits_and_the_calendar_follows_at_once(administrator):
    assert workdays.is_working_day(d(2026, 6, 11)) is True  # fills the cache

    correction = services.workday_correction_save(
        by=administrator, date=d(2026, 6, 11), kind=WorkdayKind.DAY_OFF, comment="  Приказ  № 5 "
    )

    assert (correction.date, correction.kind, correction.comment) == (
        d(2026, 6, 11),
        "day_off",
        "Приказ № 5",
    )
    assert workdays.is_working_day(d(2026, 6, 11)) is False
    assert workdays.add_working_days(d(2026, 6, 10), 1) == d(2026, 6, 15)  # 11 off, 12 holiday
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_repr) == (
        administrator,
        "create",
        "11.06.2026 — Выходной",
    )
    assert entry.changes == {
        "date": [None, "2026-06-11"],
        "kind": [None, "day_off"],
        "comment": [None, "Приказ № 5"],
    }


def test_save_makes_a_saturday_working(administrator):
    services.workday_correction_save(by=administrator, date=d(2026, 6, 13), kind="working")
    assert workdays.is_working_day(d(2026, 6, 13)) is True
    assert workdays.working_days_between(d(2026, 6, 11), d(2026, 6, 15)) == 2  # 13 and 15


def test_delete_returns_the_day_to_the_russian_calendar_and_audits(administrator):
    correction = services.workday_correction_save(
        by=administrator, date=d(2026, 1, 9), kind="working", comment="Работаем"
    )
    assert workdays.is_working_day(d(2026, 1, 9)) is True

    services.workday_correction_delete(by=administrator, correction=correction)

    assert not WorkdayCorrection.objects.exists()
    assert workdays.is_working_day(d(2026, 1, 9)) is False
    deleted = AuditEntry.objects.get(action="delete")
    assert deleted.object_repr == "09.01.2026 — Рабочий день"
    assert deleted.changes == {
        "date": ["2026-01-09", None],
        "kind": ["working", None],
        "comment": ["Работаем", None],
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"date": None, "kind": "day_off"}, {"date": ["Укажите дату"]}),
        (
            {"date": d(2026, 6, 11), "kind": ""},
            {"kind": ["Выберите, каким будет день: рабочим или выходным"]},
        ),
        (
            {"date": None, "kind": "holiday"},
            {
                "date": ["Укажите дату"],
                "kind": ["Выберите, каким будет день: рабочим или выходным"],
            },
        ),
        (
            {"date": d(2026, 6, 11), "kind": "day_off", "comment": "я" * 256},
            {"comment": ["Основание — не длиннее 255 символов"]},
        ),
        ({"date": d(2026, 6, 11), "kind": "working"}, {"kind": ["11.06.2026 и так рабочий день"]}),
        ({"date": d(2026, 6, 13), "kind": "day_off"}, {"kind": ["13.06.2026 и так выходной"]}),
        ({"date": d(2026, 1, 9), "kind": "day_off"}, {"kind": ["09.01.2026 и так выходной"]}),
        ({"date": d(2024, 4, 27), "kind": "working"}, {"kind": ["27.04.2024 и так рабочий день"]}),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(administrator, data, expected):
    with pytest.raises(ValidationError) as error:
        services.workday_correction_save(by=administrator, **data)
    assert _messages(error.value) == expected
    assert not WorkdayCorrection.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_same_date_twice_is_refused(administrator):
    services.workday_correction_save(by=administrator, date=d(2026, 6, 11), kind="day_off")
    with pytest.raises(ValidationError) as error:
        services.workday_correction_save(by=administrator, date=d(2026, 6, 11), kind="working")
    assert _messages(error.value) == {
        "date": ["На 11.06.2026 поправка уже есть — удалите её, чтобы задать другую"]
    }
    assert WorkdayCorrection.objects.get().kind == "day_off"
    assert AuditEntry.objects.count() == 1

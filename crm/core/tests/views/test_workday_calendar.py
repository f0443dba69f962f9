"""The settings tab «Производственный календарь» (administrators only)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.urls import reverse

from crm.core import workdays
from crm.core.models import AuditEntry, WorkdayCorrection

pytestmark = pytest.mark.django_db
URL = "/settings/calendar/"


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def _rows(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_url():
    assert reverse("core:workday_calendar").endswith("settings/calendar/")


@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_forbidden_to_non_administrators(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("core:workday_calendar")).status_code == 403
    response = client.post(
        reverse("core:workday_calendar"), {"date": "2026-06-11", "kind": "day_off"}
    )
    assert response.status_code == 403
    correction = WorkdayCorrection.objects.create(date=dt.date(2026, 6, 11), kind="day_off")
    delete = reverse("core:workday_correction_delete", args=[correction.pk])
    assert client.post(delete).status_code == 403
    assert WorkdayCorrection.objects.count() == 1


def test_needs_a_login(client):
    response = client.get(reverse("core:workday_calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_lists_the_years_special_days_and_months(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("core:workday_calendar"), {"year": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    assert ">Производственный календарь</a>" in html  # the settings tab, active
    rows = _rows(html, "special-days")
    assert "27.04.2024 суббота рабочий Рабочий день (перенос)" in rows
    assert "29.04.2024 понедельник выходной Выходной (перенесено с 27.04.2024)" in rows
    assert "30.04.2024 вторник выходной Выходной (перенесено с 02.11.2024)" in rows
    assert "01.01.2024 понедельник выходной Новогодние каникулы" in rows
    assert not any(row.startswith("28.04.2024") for row in rows)  # an ordinary Sunday
    months = _rows(html, "months")
    assert months[0] == "Январь 17 14"
    assert months[3] == "Апрель 21 9"
    assert "В 2024 году рабочих дней: 248, выходных и праздничных: 118" in html


def test_2026_new_year(client, administrator):
    client.force_login(administrator)
    html = client.get(reverse("core:workday_calendar"), {"year": "2026"}).content.decode()
    rows = _rows(html, "special-days")
    assert rows[:7] == [
        "01.01.2026 четверг выходной Новогодние каникулы",
        "02.01.2026 пятница выходной Новогодние каникулы",
        "05.01.2026 понедельник выходной Новогодние каникулы",
        "06.01.2026 вторник выходной Новогодние каникулы",
        "07.01.2026 среда выходной Рождество Христово",
        "08.01.2026 четверг выходной Новогодние каникулы",
        "09.01.2026 пятница выходной Выходной (перенесено с 03.01.2026)",
    ]
    assert "Январь 15 16" in _rows(html, "months")


@pytest.mark.parametrize("year", ["", "abc", "1900", "3000"])
def test_a_bad_year_shows_the_current_one(client, administrator, year):
    client.force_login(administrator)
    response = client.get(reverse("core:workday_calendar"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == dt.date.today().year


def test_add_and_delete_a_correction(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("core:workday_calendar"),
        {"date": "2026-06-11", "kind": "day_off", "comment": "Приказ № 5"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/settings/calendar/?year=2026"
    correction = WorkdayCorrection.objects.get()
    assert (correction.date, correction.kind, correction.comment) == (
        dt.date(2026, 6, 11),
        "day_off",
        "Приказ № 5",
    )
    assert workdays.is_working_day(dt.date(2026, 6, 11)) is False

    html = client.get(response["Location"]).content.decode()
    assert "Поправка на 11.06.2026 сохранена." in html
    assert "11.06.2026 четверг выходной поправка Приказ № 5" in _rows(html, "special-days")
    assert _rows(html, "corrections") == ["11.06.2026 Выходной Приказ № 5"]
    assert "Июнь 20 10" in _rows(html, "months")

    response = client.post(reverse("core:workday_correction_delete", args=[correction.pk]))
    assert response.status_code == 302
    assert not WorkdayCorrection.objects.exists()
    assert workdays.is_working_day(dt.date(2026, 6, 11)) is True
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("pk")) == [
        "create",
        "delete",
    ]
    html = client.get(response["Location"]).content.decode()
    assert "Поправка на 11.06.2026 удалена: день снова по календарю РФ." in html
    assert _rows(html, "corrections") == ["Поправок нет: дни считаются по календарю РФ."]


def test_dates_in_russian_format_are_accepted(client, administrator):
    client.force_login(administrator)
    client.post(reverse("core:workday_calendar"), {"date": "13.06.2026", "kind": "working"})
    assert WorkdayCorrection.objects.get().date == dt.date(2026, 6, 13)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "", "kind": "day_off"}, "date", "Укажите дату"),
        ({"date": "31.02.2026", "kind": "day_off"}, "date", "Дата — в виде ДД.ММ.ГГГГ"),
        ({"date": "завтра", "kind": "day_off"}, "date", "Дата — в виде ДД.ММ.ГГГГ"),
        (
            {"date": "2026-06-11", "kind": ""},
            "kind",
            "Выберите, каким будет день: рабочим или выходным",
        ),
        (
            {"date": "2026-06-11", "kind": "x"},
            "kind",
            "Выберите, каким будет день: рабочим или выходным",
        ),
        ({"date": "2026-06-11", "kind": "working"}, "kind", "11.06.2026 и так рабочий день"),
        ({"date": "2026-06-11", "kind": "day_off", "comment": "я" * 256}, "comment", None),
        ({"date": "2026-01-01", "kind": "day_off"}, "kind", "01.01.2026 и так выходной"),
    ],
)
def test_bad_input_shows_russian_messages_and_changes_nothing(
    client, administrator, data, field, message
):
    client.force_login(administrator)
    response = client.post(reverse("core:workday_calendar"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert not WorkdayCorrection.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_same_date_twice(client, administrator):
    client.force_login(administrator)
    client.post(reverse("core:workday_calendar"), {"date": "2026-06-11", "kind": "day_off"})
    response = client.post(
        reverse("core:workday_calendar"), {"date": "11.06.2026", "kind": "working"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date": ["На 11.06.2026 поправка уже есть — удалите её, чтобы задать другую"]
    }
    assert WorkdayCorrection.objects.get().kind == "day_off"


def test_delete_needs_post_and_an_existing_correction(client, administrator):
    client.force_login(administrator)
    correction = WorkdayCorrection.objects.create(date=dt.date(2026, 6, 11), kind="day_off")
    delete = reverse("core:workday_correction_delete", args=[correction.pk])
    assert client.get(delete).status_code == 405
    assert client.post(reverse("core:workday_correction_delete", args=[999999])).status_code == 404
    assert WorkdayCorrection.objects.count() == 1


def test_the_tab_is_registered():
    from crm.core.registry import settings_tabs

    tab = next(tab for tab in settings_tabs() if tab.url_name == "core:workday_calendar")
    assert str(tab.title) == "Производственный календарь"

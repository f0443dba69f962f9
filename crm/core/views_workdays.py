"""The administrator's production calendar (settings tab «Производственный календарь»): the
year's days off and working weekends as the company counts them, and the corrections table."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import holidays
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.core import registry, services, workdays
from crm.core.forms import WorkdayCorrectionForm
from crm.core.models import WorkdayCorrection, WorkdayKind


def may_administer(user: Any) -> bool:
    """Who opens the settings: decided by the app that registers the «settings» section
    (accounts: administrators), since core knows no roles."""
    section = registry.section("settings")
    if section is None or section.visible is None:
        return bool(getattr(user, "is_superuser", False))
    return section.visible(user)


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class SpecialDay:
    date: dt.date
    working: bool
    name: str
    correction: WorkdayCorrection | None


@dataclass(frozen=True)
class MonthSummary:
    month: int
    title: str
    working: int
    days_off: int


def _years() -> range:
    return range(workdays.FIRST_YEAR, dt.date.today().year + workdays.YEARS_AHEAD + 1)


def _year(value: str) -> int:
    year = int(value) if value.isdigit() else dt.date.today().year
    return year if year in _years() else dt.date.today().year


def calendar_of_year(year: int) -> tuple[list[SpecialDay], list[MonthSummary]]:
    """The year's weekdays off and working weekend days, with the Russian holiday's name or the
    correction that made them so, and the working days per month."""
    calendar_now = workdays.work_calendar()
    corrections = {c.date: c for c in WorkdayCorrection.objects.filter(date__year=year)}
    names = holidays.country_holidays("RU", years=year, language="ru")
    special: list[SpecialDay] = []
    summaries: list[MonthSummary] = []
    month_names = [formats.date_format(dt.date(year, m, 1), "F") for m in range(1, 13)]
    for month in range(1, 13):
        working = 0
        days = calendar.monthrange(year, month)[1]
        for number in range(1, days + 1):
            day = dt.date(year, month, number)
            is_working = calendar_now.is_working(day)
            working += is_working
            weekend = day.weekday() >= 5
            if is_working == weekend or day in corrections:
                correction = corrections.get(day)
                name = names.get(day) or ""
                if not name and is_working and weekend:
                    name = _("Рабочий день (перенос)")
                special.append(SpecialDay(day, is_working, name, correction))
        summaries.append(MonthSummary(month, month_names[month - 1], working, days - working))
    return special, summaries


@administrator_required
def workday_calendar(request: HttpRequest) -> HttpResponse:
    year = _year(request.GET.get("year", ""))
    form = WorkdayCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.workday_correction_save(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Поправка на %(date)s сохранена.")
                % {"date": formats.date_format(correction.date, "d.m.Y")},
            )
            return redirect(f"{reverse('core:workday_calendar')}?year={correction.date.year}")
    special, months = calendar_of_year(year)
    return render(
        request,
        "core/workday_calendar.html",
        {
            "year": year,
            "years": _years(),
            "special": special,
            "months": months,
            "working_total": sum(month.working for month in months),
            "days_off_total": sum(month.days_off for month in months),
            "corrections": WorkdayCorrection.objects.order_by("-date"),
            "form": form,
            "kinds": WorkdayKind,
        },
    )


@administrator_required
@require_POST
def workday_correction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(WorkdayCorrection, pk=pk)
    shown = formats.date_format(correction.date, "d.m.Y")
    year = correction.date.year
    services.workday_correction_delete(by=request.user, correction=correction)
    messages.success(
        request,
        _("Поправка на %(date)s удалена: день снова по календарю РФ.") % {"date": shown},
    )
    return redirect(f"{reverse('core:workday_calendar')}?year={year}")

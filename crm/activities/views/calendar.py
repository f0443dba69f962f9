"""The personal calendar: the page (FullCalendar day, week and month views), its events as
JSON, and the move of an activity by drag and drop or resize (the reschedule service)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.accounts.access import access_object
from crm.accounts.http import AuthenticatedRequest
from crm.activities.models import Activity
from crm.activities.selectors import calendar as selectors
from crm.activities.selectors.activities import user_zone
from crm.activities.services import activities as services


def _when(value: str, zone: dt.tzinfo) -> dt.datetime | None:
    """An ISO date or date-time from FullCalendar; without an offset it is a wall-clock time
    of the user's zone."""
    value = (value or "").strip().replace(" ", "+")  # a "+" of an offset read as a space
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        for part in value.split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return ids


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@login_required
def calendar_page(request: AuthenticatedRequest) -> HttpResponse:
    colleagues = selectors.calendar_colleagues(request.user)
    people = selectors.calendar_people(request.user, _ids(request.GET.getlist("users")))
    colors = selectors.person_colors([person.pk for person in colleagues])
    view = request.GET.get("view", "")
    config = {
        "eventsUrl": reverse("activities:calendar_events"),
        "moveUrl": reverse("activities:calendar_move", args=[0]),
        "createUrl": reverse("activities:create"),
        "calendarUrl": reverse("activities:calendar"),
        "locale": "ru" if get_language().startswith("ru") else "en",
        "timeZone": getattr(request.user, "time_zone", "") or "local",
        "initialView": view if view in ("timeGridDay", "timeGridWeek", "dayGridMonth") else "",
        "initialDate": request.GET.get("date", "")[:10],
        "people": people,
        "now": timezone.localtime(timezone.now(), user_zone(request.user))
        .replace(tzinfo=None)
        .isoformat(timespec="seconds"),
        "messages": {
            "loadFailed": _("Не удалось загрузить события календаря."),
            "denied": _("Это событие недоступно: перенос отменён."),
            "failed": _("Не удалось перенести событие. Проверьте связь и попробуйте ещё раз."),
            "allDay": _(
                "Событие на весь день переносится между днями, событие со временем — между часами."
            ),
            "moved": _("Событие перенесено."),
        },
    }
    return render(
        request,
        "activities/calendar.html",
        {
            "config": config,
            "colleagues": [(person, colors[person.pk]) for person in colleagues],
            "people": people,
        },
    )


@login_required
@require_GET
def calendar_events(request: AuthenticatedRequest) -> HttpResponse:
    zone = user_zone(request.user)
    start = _when(request.GET.get("start", ""), zone)
    end = _when(request.GET.get("end", ""), zone)
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start"] = [_("Укажите начало периода: дата в формате ГГГГ-ММ-ДД")]
    if end is None:
        errors["end"] = [_("Укажите конец периода: дата в формате ГГГГ-ММ-ДД")]
    if start is not None and end is not None:
        if end <= start:
            errors["end"] = [_("Конец периода должен быть позже начала")]
        elif end - start > selectors.MAX_RANGE:
            errors["end"] = [_("Период календаря — не больше 100 дней")]
    if errors or start is None or end is None:
        return JsonResponse({"errors": errors}, status=400)
    people = selectors.calendar_people(request.user, _ids(request.GET.getlist("users")))
    events = selectors.calendar_events(user=request.user, start=start, end=end, people=people)
    # Russian titles as UTF-8, not \uXXXX escapes: a busy month is a third of the bytes.
    return JsonResponse(events, safe=False, json_dumps_params={"ensure_ascii": False})


@login_required
@require_POST
def calendar_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Drag and drop or resize: {start, end?} → the reschedule service (audited)."""
    activity = access_object(request.user, Activity.objects.select_related("kind"), pk)
    zone = user_zone(request.user)
    start = _when(request.POST.get("start", ""), zone)
    end_text = request.POST.get("end", "")
    end = _when(end_text, zone) if end_text else None
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start_at"] = [_("Начало: укажите дату и время в формате ГГГГ-ММ-ДДTЧЧ:ММ")]
    if end_text and end is None:
        errors["end_at"] = [_("Окончание: укажите дату и время в формате ГГГГ-ММ-ДДTЧЧ:ММ")]
    if errors or start is None:
        return JsonResponse({"errors": errors}, status=400)
    if activity.all_day and end is not None:
        end = end - dt.timedelta(days=1)  # FullCalendar's end of an all-day event is exclusive
        end = max(end, start)
    try:
        activity = services.activity_reschedule(
            by=request.user, activity=activity, start_at=start, end_at=end
        )
    except ValidationError as error:
        return JsonResponse({"errors": _errors(error)}, status=400)
    activity = Activity.objects.select_related("kind", "client", "responsible").get(pk=activity.pk)
    event: dict[str, Any] = selectors.calendar_event(user=request.user, activity=activity)
    return JsonResponse({"event": event, "message": _("Событие перенесено.")})

"""Reads of the personal calendar: the activities of the user (and of the colleagues the user
may look at) in a range, as FullCalendar events.

Times go out as local wall-clock times of the viewer's time zone without an offset (the page
gives FullCalendar the same named zone, without a time-zone plugin), and the range asked for
is read the same way.

A range costs the same three queries however many activities it holds: the people allowed,
the activities they are responsible for (index (responsible, status, start_at)), the ones they
co-execute (through table by user, then by primary key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone

from crm.accounts.access import acting_for, visible_to
from crm.accounts.models import User
from crm.accounts.selectors import colleagues_visible_to
from crm.activities.models import Activity, ActivityStatus
from crm.activities.selectors.activities import user_zone

# Activities starting this long before the range are still looked at (a long one may cross
# into it); longer ones are not shown on the days after this window.
LOOKBACK = dt.timedelta(days=7)
MAX_RANGE = dt.timedelta(days=100)
SHOWN_STATUSES = (ActivityStatus.PLANNED, ActivityStatus.DONE)
# Colours of people when colleagues are shown side by side (the first is the viewer's).
PEOPLE_COLORS = (
    "#2f6fed",
    "#d9480f",
    "#2b8a3e",
    "#862e9c",
    "#c2255c",
    "#0b7285",
    "#e67700",
    "#5c940d",
    "#364fc7",
    "#a61e4d",
)
DONE_COLOR = "#adb5bd"
OVERDUE_BORDER = "#dc3545"


def calendar_colleagues(user: Any) -> list[User]:
    """Whose calendars `user` may put beside their own: self first, then by name."""
    people = list(colleagues_visible_to(user).order_by("last_name", "first_name", "pk"))
    return sorted(people, key=lambda person: person.pk != user.pk)


def calendar_people(user: Any, requested: Iterable[int]) -> list[int]:
    """The requested ids the user may look at (others are ignored); the user when none is."""
    wanted = {pk for pk in requested if isinstance(pk, int)}
    if not wanted or wanted == {user.pk}:
        return [user.pk]
    allowed = set(colleagues_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    people = ([user.pk] if user.pk in wanted else []) + sorted(allowed - {user.pk})
    return people or [user.pk]


def _local(value: dt.datetime, zone: dt.tzinfo) -> str:
    return value.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def _event(
    activity: Activity,
    *,
    zone: dt.tzinfo,
    now: dt.datetime,
    person_color: str | None,
    url: str,
) -> dict[str, Any]:
    done = activity.status == ActivityStatus.DONE
    color = person_color or activity.kind.color
    if activity.all_day:
        first = activity.start_at.astimezone(zone).date()
        last = activity.end_at.astimezone(zone).date() if activity.end_at else first
        start, end = first.isoformat(), (max(last, first) + dt.timedelta(days=1)).isoformat()
        overdue = not done and last < now.astimezone(zone).date()
    else:
        end_at = activity.end_at or activity.start_at + dt.timedelta(
            minutes=activity.kind.default_duration_minutes or 30
        )
        start, end = _local(activity.start_at, zone), _local(end_at, zone)
        overdue = not done and activity.start_at < now
    classes = ["svod-event"]
    if done:
        classes.append("is-done")
    if overdue:
        classes.append("is-overdue")
    title = activity.subject
    if activity.client is not None:
        title = f"{title} · {activity.client.name}"
    return {
        "id": str(activity.pk),
        "title": title,
        "start": start,
        "end": end,
        "allDay": activity.all_day,
        "backgroundColor": DONE_COLOR if done else color,
        "borderColor": OVERDUE_BORDER if overdue else (DONE_COLOR if done else color),
        "textColor": "#ffffff",
        "classNames": classes,
        "editable": not done,
        "extendedProps": {
            "url": url.replace("/0/", f"/{activity.pk}/"),
            "kind": activity.kind.name,
            "status": activity.status,
            "responsible": activity.responsible.short_name,
            "responsibleId": activity.responsible_id,
            "overdue": overdue,
        },
    }


def calendar_events(
    *,
    user: Any,
    start: dt.datetime,
    end: dt.datetime,
    people: list[int],
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Events of `people` (already checked by calendar_people) starting in [start, end), or
    starting up to LOOKBACK earlier and still running at `start`; planned and done, not
    cancelled. Only activities `user` may see."""
    now = now or timezone.now()
    zone = user_zone(user)
    in_range = models.Q(
        status__in=SHOWN_STATUSES, start_at__gte=start - LOOKBACK, start_at__lt=end
    ) & (models.Q(start_at__gte=start) | models.Q(end_at__gt=start))
    base = Activity.objects.select_related("kind", "client", "responsible")
    if not set(people) <= set(acting_for(user)):
        # Colleagues' calendars: only what the user may see of them. The user's own activities
        # (responsible or co-executor, or of whom the user stands in for) are always visible,
        # and skipping the condition keeps the plan on the indexes.
        base = visible_to(user, base)
    own = list(base.filter(in_range, responsible_id__in=people))
    seen = {activity.pk for activity in own}
    co_executed = []
    for activity in base.filter(in_range, co_executors__in=people).exclude(
        responsible_id__in=people
    ):
        if activity.pk not in seen:
            seen.add(activity.pk)
            co_executed.append(activity)
    palette = person_colors(people)
    url = reverse("activities:detail", args=[0])
    several = len(people) > 1
    events = []
    for activity in sorted(own + co_executed, key=lambda a: (a.start_at, a.pk)):
        person_color = palette.get(activity.responsible_id) if several else None
        events.append(_event(activity, zone=zone, now=now, person_color=person_color, url=url))
    return events


def person_colors(people: list[int]) -> dict[int, str]:
    return {pk: PEOPLE_COLORS[index % len(PEOPLE_COLORS)] for index, pk in enumerate(people)}


def calendar_event(
    *, user: Any, activity: Activity, now: dt.datetime | None = None
) -> dict[str, Any]:
    """One activity as an event, in its kind's colour (after a move)."""
    return _event(
        activity,
        zone=user_zone(user),
        now=now or timezone.now(),
        person_color=None,
        url=reverse("activities:detail", args=[0]),
    )

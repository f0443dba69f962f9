"""Reads of the personal calendar: the activities of the user (and of the colleagues the user
may look at) in a range, as FullCalendar events.

Times go out as local wall-clock times of the viewer's time zone without an offset (the page
gives FullCalendar the same named zone, without a time-zone plugin), and the range asked for
is read the same way.

A range costs the same queries however many activities it holds: the people the user stands
in for, the activities they are responsible for (index (responsible, status, start_at)), the
ones they co-execute (through table by user, then by primary key), the kinds and the
responsibles' names. Rows are read as plain values and turned into events without model
instances or a reverse() per row: a month of a busy manager is mostly JSON to write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models
from django.urls import reverse
from django.utils import timezone

from crm.accounts.access import acting_for, visible_to
from crm.accounts.models import User
from crm.accounts.selectors import colleagues_visible_to
from crm.activities.models import Activity, ActivityKind, ActivityStatus
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


class EventRow(NamedTuple):
    """What an event needs of one activity: plain values, no model instance."""

    pk: int
    subject: str
    start_at: dt.datetime
    end_at: dt.datetime | None
    all_day: bool
    status: str
    responsible_id: int
    kind_id: int
    client_name: str | None


# The columns of EventRow, in its order, as values_list() reads them (the client is joined).
EVENT_COLUMNS = (
    "pk",
    "subject",
    "start_at",
    "end_at",
    "all_day",
    "status",
    "responsible_id",
    "kind_id",
    "client__name",
)


@dataclass(frozen=True)
class EventKind:
    name: str
    color: str
    default_duration: dt.timedelta


class EventBuilder:
    """Turns EventRows into FullCalendar events for one viewer and one moment: the kinds and
    the responsibles' names are looked up once, the detail URL is formatted, not reversed."""

    def __init__(
        self,
        *,
        zone: dt.tzinfo,
        now: dt.datetime,
        kinds: dict[int, EventKind],
        names: dict[int, str],
        palette: dict[int, str] | None = None,
    ) -> None:
        self.zone = zone
        self.now = now
        self.today = now.astimezone(zone).date()
        self.kinds = kinds
        self.names = names
        self.palette = palette
        head, _zero, tail = reverse("activities:detail", args=[0]).rpartition("/0/")
        self.url_head, self.url_tail = f"{head}/", f"/{tail}"

    def local(self, value: dt.datetime) -> str:
        """A wall-clock time of the viewer's zone without an offset: 2026-03-11T10:00:00."""
        return value.astimezone(self.zone).isoformat(timespec="seconds")[:19]

    def event(self, row: EventRow) -> dict[str, Any]:
        kind = self.kinds[row.kind_id]
        done = row.status == ActivityStatus.DONE
        color = (self.palette.get(row.responsible_id) if self.palette else None) or kind.color
        if row.all_day:
            first = row.start_at.astimezone(self.zone).date()
            last = row.end_at.astimezone(self.zone).date() if row.end_at else first
            start, end = first.isoformat(), (max(last, first) + ONE_DAY).isoformat()
            overdue = not done and last < self.today
        else:
            start = self.local(row.start_at)
            end = self.local(row.end_at or row.start_at + kind.default_duration)
            overdue = not done and row.start_at < self.now
        classes = ["svod-event"]
        if done:
            classes.append("is-done")
        if overdue:
            classes.append("is-overdue")
        client = row.client_name
        # A subject that names the client already («Звонок: ООО «Ромашка»») is not repeated.
        title = (
            row.subject if client is None or client in row.subject else f"{row.subject} · {client}"
        )
        return {
            "id": str(row.pk),
            "title": title,
            "start": start,
            "end": end,
            "allDay": row.all_day,
            "backgroundColor": DONE_COLOR if done else color,
            "borderColor": OVERDUE_BORDER if overdue else (DONE_COLOR if done else color),
            "textColor": "#ffffff",
            "classNames": classes,
            "editable": not done,
            "extendedProps": {
                "url": f"{self.url_head}{row.pk}{self.url_tail}",
                "kind": kind.name,
                "status": row.status,
                "responsible": self.names.get(row.responsible_id, ""),
                "responsibleId": row.responsible_id,
                "overdue": overdue,
            },
        }


ONE_DAY = dt.timedelta(days=1)


def _event_kinds() -> dict[int, EventKind]:
    """Every kind (a catalog of a dozen rows): one query instead of a join per event."""
    rows = ActivityKind.objects.values_list("pk", "name", "color", "default_duration_minutes")
    return {
        pk: EventKind(name, color, dt.timedelta(minutes=minutes or 30))
        for pk, name, color, minutes in rows
    }


def _short_names(ids: Iterable[int]) -> dict[int, str]:
    """«Иванова А. П.» of each responsible (User.short_name), one query."""
    people = User.objects.filter(pk__in=set(ids)).only(
        "pk", "username", "last_name", "first_name", "middle_name"
    )
    return {person.pk: person.short_name for person in people}


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
    cancelled. Only activities `user` may see.

    Rows are read as plain values (values_list with the client's name joined): no model
    instances; kinds and names come from two small queries, so a month of a busy manager costs
    the same five queries as an empty one."""
    now = now or timezone.now()
    in_range = models.Q(
        status__in=SHOWN_STATUSES, start_at__gte=start - LOOKBACK, start_at__lt=end
    ) & (models.Q(start_at__gte=start) | models.Q(end_at__gt=start))
    base = Activity.objects.order_by()
    if not set(people) <= set(acting_for(user)):
        # Colleagues' calendars: only what the user may see of them. The user's own activities
        # (responsible or co-executor, or of whom the user stands in for) are always visible,
        # and skipping the condition keeps the plan on the indexes.
        base = visible_to(user, base)
    rows = [
        EventRow._make(values)
        for values in base.filter(in_range, responsible_id__in=people).values_list(*EVENT_COLUMNS)
    ]
    seen = {row.pk for row in rows}
    # Driven from the co-executor rows (a few per person): joined, SQLite's planner walks the
    # seven weeks of everybody's activities by date instead (decision 0009).
    through = Activity.co_executors.through
    co_executed = (
        base.filter(
            in_range,
            pk__in=through.objects.filter(user_id__in=people).values("activity_id"),
        )
        .exclude(responsible_id__in=people)
        .values_list(*EVENT_COLUMNS)
    )
    for values in co_executed:
        if values[0] not in seen:  # co-executed by several of `people`: once
            seen.add(values[0])
            rows.append(EventRow._make(values))
    rows.sort(key=lambda row: (row.start_at, row.pk))
    builder = EventBuilder(
        zone=user_zone(user),
        now=now,
        kinds=_event_kinds(),
        names=_short_names(row.responsible_id for row in rows) if rows else {},
        palette=person_colors(people) if len(people) > 1 else None,
    )
    return [builder.event(row) for row in rows]


def person_colors(people: list[int]) -> dict[int, str]:
    return {pk: PEOPLE_COLORS[index % len(PEOPLE_COLORS)] for index, pk in enumerate(people)}


def calendar_event(
    *, user: Any, activity: Activity, now: dt.datetime | None = None
) -> dict[str, Any]:
    """One activity as an event, in its kind's colour (after a move)."""
    kind = activity.kind
    row = EventRow(
        pk=activity.pk,
        subject=activity.subject,
        start_at=activity.start_at,
        end_at=activity.end_at,
        all_day=activity.all_day,
        status=activity.status,
        responsible_id=activity.responsible_id,
        kind_id=activity.kind_id,
        client_name=activity.client.name if activity.client is not None else None,
    )
    builder = EventBuilder(
        zone=user_zone(user),
        now=now or timezone.now(),
        kinds={
            kind.pk: EventKind(
                kind.name, kind.color, dt.timedelta(minutes=kind.default_duration_minutes or 30)
            )
        },
        names={activity.responsible_id: activity.responsible.short_name},
    )
    return builder.event(row)

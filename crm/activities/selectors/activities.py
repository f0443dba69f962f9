"""Reads on activities, scoped to what the user may see (crm.accounts.access): the work lists
(overdue, today, upcoming, done recently) in the user's own time zone, their counts in one
query, one activity with what its page shows, and a client's contact history.

Every list is answered from the indexes of Activity — (responsible, status, start_at),
(department, status, start_at), (status, start_at), (client, -start_at) — so a page costs the
same few queries at 1 000 000 activities as at ten."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.http import Http404
from django.utils import timezone

from crm.accounts.access import acting_for, user_scope, visible_to
from crm.accounts.models import User
from crm.accounts.roles import Area, Scope
from crm.activities.domain.schedule import WorkListBounds, local_midnight, work_list_bounds
from crm.activities.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    ActivityStatus,
    Reminder,
)
from crm.clients.domain.normalize import searchable
from crm.clients.models import Client

TABS = ("overdue", "today", "upcoming", "done")
ALL = "all"


@dataclass(frozen=True)
class ActivityFilter:
    tab: str = ""  # one of TABS, or "" (every status and time)
    department: bool = False  # a head's "Мой отдел": everything the user may see, not only own
    kind_id: int | None = None
    client_id: int | None = None
    employee_id: int | None = None  # the responsible
    date_from: dt.date | None = None  # start, inclusive, in the user's time zone
    date_to: dt.date | None = None  # inclusive
    status: str = ""
    direction: str = ""
    text: str = ""


def user_zone(user: Any) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def bounds_for(user: Any, now: dt.datetime | None = None) -> WorkListBounds:
    return work_list_bounds(now or timezone.now(), user_zone(user))


def sees_department(user: Any) -> bool:
    """Whether the user may switch to "Мой отдел" (heads, accountants, administrators)."""
    return user_scope(user, Area.SALES) in (Scope.DEPARTMENT, Scope.ALL)


def _own(user: Any) -> Q:
    """Responsible or co-executor — the user or anyone the user substitutes today."""
    people = acting_for(user)
    helpers = Activity.co_executors.through.objects.filter(user_id__in=people).values("activity_id")
    return Q(responsible_id__in=people) | Q(pk__in=helpers)


def _scoped(user: Any, department: bool) -> models.QuerySet[Activity]:
    """"Мои": the user's own work (a subset of what any role may see); "Мой отдел": all the
    user may see (crm.accounts.access)."""
    if department:
        return visible_to(user, Activity.objects.all())
    if user_scope(user, Area.SALES) == Scope.NONE:
        return Activity.objects.none()
    return Activity.objects.filter(_own(user))


def _overdue(b: WorkListBounds) -> Q:
    return Q(status=ActivityStatus.PLANNED) & (
        Q(start_at__lt=b.today_start) | Q(all_day=False, start_at__lt=b.now)
    )


def _today(b: WorkListBounds) -> Q:
    return Q(
        status=ActivityStatus.PLANNED, start_at__gte=b.today_start, start_at__lt=b.tomorrow_start
    ) & (Q(all_day=True) | Q(start_at__gte=b.now))


def _upcoming(b: WorkListBounds) -> Q:
    return Q(
        status=ActivityStatus.PLANNED, start_at__gte=b.tomorrow_start, start_at__lt=b.upcoming_end
    )


def _done(b: WorkListBounds) -> Q:
    return Q(status=ActivityStatus.DONE, start_at__gte=b.done_from)


TAB_CONDITIONS = {"overdue": _overdue, "today": _today, "upcoming": _upcoming, "done": _done}
# Overdue first the oldest; today and upcoming in the order they come; done the latest first.
TAB_ORDER = {
    "overdue": ("start_at", "id"),
    "today": ("start_at", "id"),
    "upcoming": ("start_at", "id"),
    "done": ("-start_at", "-id"),
    "": ("-start_at", "-id"),
}


def _contains(field: str, text: str) -> Q:
    return Q(GreaterThan(StrIndex(field, Value(text)), 0))


def _filtered(
    activities: models.QuerySet[Activity], filters: ActivityFilter, zone: dt.tzinfo
) -> models.QuerySet[Activity]:
    if filters.kind_id:
        activities = activities.filter(kind_id=filters.kind_id)
    if filters.client_id:
        activities = activities.filter(client_id=filters.client_id)
    if filters.employee_id:
        activities = activities.filter(responsible_id=filters.employee_id)
    if filters.status in ActivityStatus.values:
        activities = activities.filter(status=filters.status)
    if filters.direction:
        activities = activities.filter(direction=filters.direction)
    if filters.date_from:
        activities = activities.filter(start_at__gte=local_midnight(filters.date_from, zone))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        activities = activities.filter(start_at__lt=local_midnight(next_day, zone))
    text = filters.text.strip()[:100]
    if text:
        # SQLite folds the case of Latin letters only: try the ways a word is usually written.
        variants = {text, text.lower(), text.capitalize(), text.upper()}
        condition = _contains("client__name_search", searchable(text))
        for variant in variants:
            condition |= Q(subject__icontains=variant)
        activities = activities.filter(condition)
    return activities


def activity_list(
    *, user: Any, filters: ActivityFilter | None = None, now: dt.datetime | None = None
) -> models.QuerySet[Activity]:
    """The user's activities by `filters`, ordered as the tab reads, with what a row shows."""
    filters = filters or ActivityFilter()
    zone = user_zone(user)
    activities = _filtered(_scoped(user, filters.department), filters, zone)
    if filters.tab in TAB_CONDITIONS:
        activities = activities.filter(TAB_CONDITIONS[filters.tab](bounds_for(user, now)))
    return activities.select_related(
        "kind", "client", "contact", "responsible", "outcome"
    ).order_by(*TAB_ORDER.get(filters.tab, TAB_ORDER[""]))


def activity_counts(
    *, user: Any, filters: ActivityFilter | None = None, now: dt.datetime | None = None
) -> dict[str, int]:
    """{"overdue", "today", "upcoming", "done"} for the tabs, under the same filters, in one
    query (conditional aggregation over the rows of any tab)."""
    filters = filters or ActivityFilter()
    bounds = bounds_for(user, now)
    activities = _filtered(_scoped(user, filters.department), filters, user_zone(user))
    rows = activities.filter(
        Q(status=ActivityStatus.PLANNED, start_at__lt=bounds.upcoming_end)
        | Q(status=ActivityStatus.DONE, start_at__gte=bounds.done_from)
    )
    counts = rows.aggregate(
        **{tab: Count("id", filter=condition(bounds)) for tab, condition in TAB_CONDITIONS.items()}
    )
    return {tab: counts[tab] or 0 for tab in TABS}


def activity_badge(user: Any, now: dt.datetime | None = None) -> int:
    """Overdue + today of the user's own work: the number beside "События" in the navigation.
    One query over (responsible, status, start_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    bounds = bounds_for(user, now)
    condition = _overdue(bounds) | _today(bounds)
    return (
        _scoped(user, department=False)
        .filter(status=ActivityStatus.PLANNED, start_at__lt=bounds.tomorrow_start)
        .filter(condition)
        .count()
    )


def activity_is_overdue(activity: Activity, now: dt.datetime | None = None) -> bool:
    """The list's rule for one row: an all-day activity is overdue once its day is over."""
    if activity.status != ActivityStatus.PLANNED:
        return False
    now = now or timezone.now()
    if activity.all_day:
        zone = timezone.get_current_timezone()
        return activity.start_at.astimezone(zone).date() < now.astimezone(zone).date()
    return activity.start_at < now


def _readable(user: Any) -> Q:
    """An activity is open to whoever may see it, and to whoever may see its client (the owner of
    a client reads every contact with the client)."""
    clients = visible_to(user, Client.objects.all()).values("pk")
    return Q(pk__in=visible_to(user, Activity.objects.all()).values("pk")) | Q(
        client_id__in=clients
    )


def activity_get(*, user: Any, pk: Any) -> Activity:
    """One activity the user may open (404 otherwise), with what its page shows."""
    try:
        return (
            Activity.objects.filter(_readable(user))
            .select_related(
                "kind",
                "client",
                "contact",
                "responsible",
                "department",
                "outcome",
                "previous__kind",
                "created_by",
            )
            .prefetch_related(
                models.Prefetch("co_executors", queryset=User.objects.order_by("last_name")),
                "attachments",
                models.Prefetch(
                    "reminders",
                    queryset=Reminder.objects.select_related("user").order_by("remind_at", "id"),
                ),
                models.Prefetch(
                    "next_activities",
                    queryset=Activity.objects.select_related("kind").order_by("start_at", "id"),
                ),
            )
            .get(pk=pk)
        )
    except (Activity.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def client_activities(*, client: Client) -> models.QuerySet[Activity]:
    """The whole contact history of a client the caller has already opened (clients.client_get
    checked access), newest first — served by the index (client, -start_at)."""
    return (
        Activity.objects.filter(client=client)
        .select_related("kind", "contact", "responsible", "outcome")
        .order_by("-start_at", "-id")
    )


def activity_kinds(*, active_only: bool = True) -> models.QuerySet[ActivityKind]:
    kinds = ActivityKind.objects.prefetch_related(
        models.Prefetch("outcomes", queryset=ActivityOutcome.objects.order_by("order", "name"))
    )
    return kinds.filter(is_active=True) if active_only else kinds


def assignable_users(user: Any) -> models.QuerySet[User]:
    """Whom `user` may make responsible: the colleagues the user may see, and the user."""
    from crm.accounts.selectors import colleagues_visible_to

    return colleagues_visible_to(user).order_by("last_name", "first_name")


def co_executor_choices() -> models.QuerySet[User]:
    """Co-executors may come from any department."""
    return (
        User.objects.filter(is_active=True)
        .select_related("department")
        .order_by("last_name", "first_name")
    )


def clients_for_select(*, user: Any, query: str, limit: int = 15) -> list[Client]:
    """The user's clients matching `query` (name, ИНН, phone) for the client search select."""
    from crm.clients.selectors import ClientFilter, client_list

    query = query.strip()
    if not query:
        return []
    clients = client_list(user=user, filters=ClientFilter(query=query[:100]))
    return list(clients[:limit])

"""Reads on activities, scoped to what the user may see (crm.accounts.access): the work lists
(overdue, today, upcoming, done recently) in the user's own time zone, their counts in one
query, one activity with what its page shows, and a client's contact history.

Speed at 1 000 000 activities. "Responsible OR co-executor OR same department" written as one
OR makes a planner (SQLite's above all) give up the composite indexes and walk the whole
(status, start_at) range of every user. So a list is the UNION ALL of disjoint parts, each
answered from one index:

- the user's own rows: (responsible, status, start_at) — also ordered by start_at, so a page
  stops after its 50 rows;
- a head's department: (department, status, start_at);
- the rows the user only co-executes: driven from the co-executor table (a few rows per
  user); their other conditions are wrapped in COALESCE(x, x) so that no planner is tempted to
  walk an index of all users' rows instead.

Counts are COUNT(*) over the same unions — the four tab counts in one statement."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, StrIndex
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
)
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
ROW_RELATIONS = ("kind", "client", "contact", "responsible", "outcome")
ALL_COUNT_LIMIT = 10_000  # the list of everything counts up to here ("более 10 000")


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


# ---------------------------------------------------------------------------------------------
# Conditions. `fenced` conditions compare COALESCE(column, column): the same rows, no index.

Column = Callable[[str], Any]


def _plain(name: str) -> Any:
    return F(name)


def _fenced(name: str) -> Any:
    return Coalesce(F(name), F(name))


def _overdue(b: WorkListBounds, col: Column = _plain) -> Q:
    """Planned and past; an all-day activity only once its day is over."""
    return (
        Q(Exact(col("status"), ActivityStatus.PLANNED))
        & Q(LessThan(col("start_at"), b.now))
        & (Q(LessThan(col("start_at"), b.today_start)) | Q(Exact(col("all_day"), False)))
    )


def _today(b: WorkListBounds, col: Column = _plain) -> Q:
    return (
        Q(Exact(col("status"), ActivityStatus.PLANNED))
        & Q(GreaterThanOrEqual(col("start_at"), b.today_start))
        & Q(LessThan(col("start_at"), b.tomorrow_start))
        & (Q(Exact(col("all_day"), True)) | Q(GreaterThanOrEqual(col("start_at"), b.now)))
    )


def _upcoming(b: WorkListBounds, col: Column = _plain) -> Q:
    return (
        Q(Exact(col("status"), ActivityStatus.PLANNED))
        & Q(GreaterThanOrEqual(col("start_at"), b.tomorrow_start))
        & Q(LessThan(col("start_at"), b.upcoming_end))
    )


def _done(b: WorkListBounds, col: Column = _plain) -> Q:
    return Q(Exact(col("status"), ActivityStatus.DONE)) & Q(
        GreaterThanOrEqual(col("start_at"), b.done_from)
    )


def _attention(b: WorkListBounds, col: Column = _plain) -> Q:
    """Overdue + today = every planned activity that starts before tomorrow."""
    return Q(Exact(col("status"), ActivityStatus.PLANNED)) & Q(
        LessThan(col("start_at"), b.tomorrow_start)
    )


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


def _filter_condition(filters: ActivityFilter, zone: dt.tzinfo, col: Column = _plain) -> Q:
    condition = Q()
    if filters.kind_id:
        condition &= Q(Exact(col("kind_id"), filters.kind_id))
    if filters.client_id:
        condition &= Q(Exact(col("client_id"), filters.client_id))
    if filters.employee_id:
        condition &= Q(Exact(col("responsible_id"), filters.employee_id))
    if filters.status in ActivityStatus.values:
        condition &= Q(Exact(col("status"), filters.status))
    if filters.direction:
        condition &= Q(Exact(col("direction"), filters.direction))
    if filters.date_from:
        condition &= Q(GreaterThanOrEqual(col("start_at"), local_midnight(filters.date_from, zone)))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        condition &= Q(LessThan(col("start_at"), local_midnight(next_day, zone)))
    text = filters.text.strip()[:100]
    if text:
        # SQLite folds the case of Latin letters only: try the ways a word is usually written.
        variants = {text, text.lower(), text.capitalize(), text.upper()}
        found = _contains("client__name_search", searchable(text))
        for variant in variants:
            found |= Q(subject__icontains=variant)
        condition &= found
    return condition


# ---------------------------------------------------------------------------------------------
# Scope as disjoint parts


@dataclass(frozen=True)
class Part:
    """One disjoint piece of what a user sees: its own condition, and whether the tab and
    filter conditions on it are fenced (the co-executor piece: driven from its own table)."""

    condition: Q
    fenced: bool = False


def _helper_rows(people: Sequence[int]) -> Q:
    helpers = Activity.co_executors.through.objects.filter(user_id__in=people)
    return Q(pk__in=helpers.values("activity_id"))


def _own_parts(user: Any, outside: Q | None = None) -> list[Part]:
    """Responsible, or co-executor without being responsible — for the user and anyone the
    user substitutes today. `outside` leaves out rows another part already holds."""
    people = acting_for(user)
    responsible = Q(In(F("responsible_id"), people))
    helper = _helper_rows(people) & ~Q(
        In(Coalesce(F("responsible_id"), F("responsible_id")), people)
    )
    if outside is not None:
        responsible &= outside
        helper &= outside
    return [Part(responsible), Part(helper, fenced=True)]


def scope_parts(user: Any, department: bool) -> list[Part]:
    """ "Мои": the user's own work (a subset of what any role may see). "Мой отдел": all the
    user may see — the same rows as crm.accounts.access.visible_to, cut into disjoint parts."""
    scope = user_scope(user, Area.SALES)
    if scope == Scope.NONE:
        return []
    if not department or scope == Scope.OWN:
        return _own_parts(user)
    if scope == Scope.ALL:
        return [Part(Q())]
    if not user.department_id:
        return _own_parts(user)
    same = Q(department_id=user.department_id)
    department_or_none = Coalesce(
        F("department_id"), Value(0), output_field=models.BigIntegerField()
    )
    other = ~Q(Exact(department_or_none, user.department_id))
    return [Part(same), *_own_parts(user, outside=other)]


# ---------------------------------------------------------------------------------------------
# A list made of parts


class ActivityRows:
    """A work list as the UNION ALL of index-friendly parts: sliceable and countable, which is
    all Django's Paginator and DRF's pagination need.

    A page is read in two steps: the ids of the slice (each part read in its index order up
    to the page's end, then merged), then those rows with ROW_RELATIONS joined and the
    `prefetch` lookups. Counting reads (start_at) only, which the composite indexes hold.
    With `count_limit` the count stops there (a list of everything need not count a million
    rows to show "more than 10 000")."""

    ordered = True

    def __init__(
        self,
        parts: list[models.QuerySet[Activity]],
        order: Sequence[str],
        prefetch: Sequence[Any] = (),
        count_limit: int | None = None,
    ) -> None:
        self.parts = parts
        self.order = tuple(order)
        self.prefetch = tuple(prefetch)
        self.count_limit = count_limit
        self._count: int | None = None

    def prefetch_related(self, *lookups: Any) -> ActivityRows:
        rows = ActivityRows(self.parts, self.order, (*self.prefetch, *lookups), self.count_limit)
        rows._count = self._count  # a count already known stays known
        return rows

    @staticmethod
    def _union_sql(querysets: list[models.QuerySet[Any]]) -> tuple[str, list[Any]]:
        combined = (
            querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else (querysets[0])
        )
        sql, params = combined.query.get_compiler(combined.db).as_sql()
        return sql, list(params)

    def count_sql(self) -> tuple[str, list[Any]]:
        """SELECT COUNT(*) of the rows (up to count_limit + 1), for use as a subquery."""
        keys = [part.order_by().values(k_start=F("start_at")) for part in self.parts]
        sql, params = self._union_sql(keys)
        if self.count_limit is not None:
            sql = f"SELECT 1 FROM ({sql}) limited LIMIT {int(self.count_limit) + 1}"  # noqa: S608
        return f"SELECT COUNT(*) FROM ({sql}) counted", params  # noqa: S608

    def count(self) -> int:
        if self._count is None:
            if not self.parts:
                self._count = 0
            else:
                sql, params = self.count_sql()
                with connections[Activity.objects.db].cursor() as cursor:
                    cursor.execute(sql, params)
                    self._count = int(cursor.fetchone()[0])
        return self._count

    @property
    def capped(self) -> bool:
        """True when there are more rows than count_limit (the count shows "более N")."""
        return self.count_limit is not None and self.count() > self.count_limit

    def __len__(self) -> int:
        return self.count()

    def _ids(self, start: int, stop: int | None) -> list[int]:
        """The ids of rows start..stop. Each part gives at most `stop` rows in list order (its
        own index order: a short read), the union of those is ordered again and cut — one
        statement, and no planner has to sort every row of every part."""
        columns = {"start_at": "k_start", "id": "k_id", "pk": "k_id"}
        pieces, params = [], []
        for index, part in enumerate(self.parts):
            keys = part.values(k_id=F("pk"), k_start=F("start_at")).order_by(*self.order)
            if stop is not None:
                keys = keys[:stop]
            sql, part_params = keys.query.get_compiler(keys.db).as_sql()
            pieces.append(f"SELECT k_id, k_start FROM ({sql}) part{index}")  # noqa: S608
            params.extend(part_params)
        order = ", ".join(
            f"{columns[name.lstrip('-')]} {'DESC' if name.startswith('-') else 'ASC'}"
            for name in self.order
        )
        query = f"SELECT k_id FROM ({' UNION ALL '.join(pieces)}) keyed"  # noqa: S608
        if order:
            query += f" ORDER BY {order}"
        connection = connections[Activity.objects.db]
        if stop is not None:
            query += f" LIMIT {int(stop) - int(start)}"
        elif start and connection.vendor == "sqlite":
            query += " LIMIT -1"  # SQLite has no OFFSET without LIMIT
        if start:
            query += f" OFFSET {int(start)}"
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return [row[0] for row in cursor.fetchall()]

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        if key.step not in (None, 1):
            raise ValueError("ActivityRows slices have no step")
        if not self.parts:
            return []
        start, stop = key.start or 0, key.stop
        if stop is not None and stop <= start:
            return []
        ids = self._ids(start, stop)
        by_id = Activity.objects.filter(pk__in=ids).select_related(*ROW_RELATIONS).in_bulk()
        found = [by_id[pk] for pk in ids if pk in by_id]
        if self.prefetch:
            models.prefetch_related_objects(found, *self.prefetch)
        return found

    def __iter__(self) -> Iterator[Activity]:
        return iter(self[0:None])


def _parts_for(
    user: Any,
    filters: ActivityFilter,
    condition: Callable[[WorkListBounds, Column], Q] | None,
    bounds: WorkListBounds,
    *,
    split_by_status: bool = False,
) -> list[models.QuerySet[Activity]]:
    zone = user_zone(user)
    querysets: list[models.QuerySet[Activity]] = []
    for part in scope_parts(user, filters.department):
        col = _fenced if part.fenced else _plain
        where = part.condition & _filter_condition(filters, zone, col)
        if condition is not None:
            where &= condition(bounds, col)
        if split_by_status and not part.fenced and not filters.status:
            # One status per piece: each is read in start_at order straight from its index.
            querysets.extend(
                Activity.objects.filter(where, status=status) for status in ActivityStatus.values
            )
        else:
            querysets.append(Activity.objects.filter(where))
    return querysets


def activity_list(
    *,
    user: Any,
    filters: ActivityFilter | None = None,
    now: dt.datetime | None = None,
    counts: dict[str, int] | None = None,
) -> ActivityRows:
    """The user's activities by `filters`, ordered as the tab reads, with what a row shows.

    `counts`: the tab counts of activity_counts under the same filters and `now`; the list of
    a tab then takes its count from there instead of counting again."""
    filters = filters or ActivityFilter()
    tab = filters.tab if filters.tab in TAB_CONDITIONS else ""
    parts = _parts_for(
        user,
        filters,
        TAB_CONDITIONS.get(tab),
        bounds_for(user, now),
        split_by_status=not tab,
    )
    rows = ActivityRows(parts, TAB_ORDER[tab], count_limit=None if tab else ALL_COUNT_LIMIT)
    if tab and counts is not None and tab in counts:
        rows._count = counts[tab]
    return rows


def _tab_counts_sql(
    user: Any, filters: ActivityFilter, bounds: WorkListBounds, tabs: Sequence[str]
) -> tuple[str, list[Any], list[list[int]]]:
    """One statement counting the tabs: for each tab a COUNT(*) of the union of the parts read
    from their own index; the co-executor part (a few rows per user, each looked up by its
    primary key) is read once and counted for every tab with CASE, instead of once per tab.

    Returns the SQL, its parameters and, per tab, the positions of the columns to add up."""
    zone = user_zone(user)
    indexed: list[Part] = []
    columns: list[str] = []
    params: list[Any] = []
    helpers: list[tuple[str, list[Any]]] = []
    for part in scope_parts(user, filters.department):
        if not part.fenced:
            indexed.append(part)
            continue
        where = part.condition & _filter_condition(filters, zone, _fenced)
        flags = {
            f"t_{tab}": models.Case(
                models.When(TAB_CONDITIONS[tab](bounds, _fenced), then=Value(1)),
                default=Value(0),
                output_field=models.IntegerField(),
            )
            for tab in tabs
        }
        rows = Activity.objects.filter(where).order_by().values(**flags)
        sql, part_params = rows.query.get_compiler(rows.db).as_sql()
        sums = ", ".join(f"COALESCE(SUM(t_{tab}), 0) AS t_{tab}" for tab in tabs)
        flagged = f"(SELECT {sums} FROM ({sql}) flagged) h{len(helpers)}"  # noqa: S608
        helpers.append((flagged, list(part_params)))
    summands: list[list[int]] = [[] for _ in tabs]
    for index, tab in enumerate(tabs):
        if indexed:
            parts = [
                Activity.objects.filter(
                    part.condition
                    & _filter_condition(filters, zone)
                    & TAB_CONDITIONS[tab](bounds, _plain)
                )
                for part in indexed
            ]
            sql, part_params = ActivityRows(parts, ()).count_sql()
            columns.append(f"({sql}) AS c_{tab}")
            params.extend(part_params)
            summands[index].append(len(columns) - 1)
        for number in range(len(helpers)):
            columns.append(f"h{number}.t_{tab}")
            summands[index].append(len(columns) - 1)
    statement = "SELECT " + ", ".join(columns)  # compiled by Django, the values are parameters
    if helpers:
        statement += " FROM " + ", ".join(sql for sql, _ in helpers)
        # The FROM clause comes after the columns in the text, its parameters too.
        params.extend(value for _, helper_params in helpers for value in helper_params)
    return statement, params, summands


def activity_counts(
    *,
    user: Any,
    filters: ActivityFilter | None = None,
    now: dt.datetime | None = None,
    tabs: Sequence[str] = TABS,
) -> dict[str, int]:
    """{"overdue", "today", "upcoming", "done"} for the tabs, under the same filters, in one
    query. `tabs` counts only these (the dashboard shows no "done": its 30 days are the
    longest count)."""
    filters = replace(filters or ActivityFilter(), tab="")
    if not scope_parts(user, filters.department) or not tabs:
        return dict.fromkeys(tabs, 0)
    sql, params, summands = _tab_counts_sql(user, filters, bounds_for(user, now), tabs)
    with connections[Activity.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
    return {
        tab: sum(int(values[position] or 0) for position in positions)
        for tab, positions in zip(tabs, summands, strict=True)
    }


def activity_badge(user: Any, now: dt.datetime | None = None) -> int:
    """Overdue + today of the user's own work: the number beside "События" in the navigation.
    One query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    if not scope_parts(user, department=False):
        return 0
    rows = ActivityRows(_parts_for(user, ActivityFilter(), _attention, bounds_for(user, now)), ())
    return rows.count()


def visible_activities(user: Any) -> models.QuerySet[Activity]:
    """Every activity the user may see, as one queryset (for choosing one, not for lists)."""
    return visible_to(user, Activity.objects.all())


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

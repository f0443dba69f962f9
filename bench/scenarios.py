"""The named scenarios: which page or endpoint, as whom, and the SQL written by hand that the
same answer needs at least (the "raw" baseline the app is compared with).

The raw functions run on Django's connection (`connection.cursor()`) in the measuring process,
one function per request variant; each executes its statements and fetches every row, as the
page must. Of the app only the pure normalize module is imported (no Django), so the command
line can list the names without setting Django up."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from crm.activities.domain.schedule import WorkListBounds, local_midnight, work_list_bounds
from crm.clients.domain.dedup import PUBLIC_MAIL_DOMAINS, email_domain
from crm.clients.domain.normalize import (
    PhoneError,
    comparable_name,
    normalize_email,
    normalize_phone,
    searchable,
)

PAGE_SIZE = 50  # the client list and the API both show 50 rows a page
DEEP_PAGE = 500

SCENARIO_NAMES = (
    "login_page",
    "dashboard",
    "client_list_manager",
    "client_list_admin",
    "client_search",
    "client_list_page_500",
    "api_client_list",
    "api_client_search",
    "client_duplicate_check",
    "user_list",
    "activity_today",
    "activity_overdue",
    "activity_upcoming",
    "activity_filtered",
    "api_activity_list",
    "calendar_month",
    # bench/sales.py (SALES_SCENARIO_NAMES)
    "deal_board",
    "deal_board_head",
    "deal_board_admin",
    "deal_list",
    "deal_card",
    "api_deal_list",
)

Cursor = Any  # django.db.backends.utils.CursorWrapper; Any keeps this module Django-free
RawQuery = Callable[[Cursor], int]  # runs the statements, returns the number of rows fetched


@dataclass(frozen=True)
class Fixture:
    """What the scenarios need to know about the measured database."""

    vendor: str  # connection.vendor: "sqlite" or "postgresql"
    user_ids: dict[str, int]
    superusers: frozenset[str]
    session_keys: dict[str, str]
    active_clients: int  # what the administrator's list counts
    search_terms: tuple[str, ...]  # a name fragment, an ИНН prefix, a phone as people type it
    # What the quick registration form holds while the duplicate check runs: name_or_inn,
    # phone, email of one client of the base, typed in three ways (see _duplicate_forms).
    duplicate_forms: tuple[dict[str, str], ...]
    now: Any  # the session expiry bound, already adapted for the backend
    clock: dt.datetime | None = None  # the same moment, aware (for the activity lists' bounds)
    adapt: Callable[[dt.datetime], Any] = lambda value: value  # a datetime as a SQL parameter
    time_zones: dict[str, str] = field(default_factory=dict)  # username → time zone
    kind_ids: dict[str, int] = field(default_factory=dict)  # activity kind code → id
    activity_term: str = ""  # a word of activity subjects, for the list's text filter


@dataclass(frozen=True)
class Variant:
    path: str
    raw: RawQuery | None


@dataclass(frozen=True)
class Scenario:
    name: str
    username: str | None  # None: anonymous
    variants: tuple[Variant, ...]
    skip_reason: str | None = None


def discover_fixture(
    cursor: Cursor,
    vendor: str,
    session_keys: dict[str, str],
    now: Any,
    *,
    clock: dt.datetime | None = None,
    adapt: Callable[[dt.datetime], Any] | None = None,
) -> Fixture:
    """Read the users and pick search terms that exist in this database (raw SQL only)."""
    cursor.execute("SELECT username, id, is_superuser, time_zone FROM accounts_user")
    users = cursor.fetchall()
    rows = [(username, user_id, is_superuser) for username, user_id, is_superuser, _ in users]
    cursor.execute("SELECT code, id FROM activities_activitykind")
    kind_ids = {str(code): int(pk) for code, pk in cursor.fetchall()}
    cursor.execute("SELECT COUNT(*) FROM clients_client WHERE status = %s", ["active"])
    active = int(cursor.fetchone()[0])
    cursor.execute(
        "SELECT name, inn, phone, email FROM clients_client"
        " WHERE status = %s AND kind = %s AND inn <> '' AND phone <> ''"
        " ORDER BY id LIMIT 1 OFFSET %s",
        ["active", "company", active // 3],
    )
    name, inn, phone, email = cursor.fetchone()
    return Fixture(
        vendor=vendor,
        user_ids={username: user_id for username, user_id, _ in rows},
        superusers=frozenset(username for username, _, is_superuser in rows if is_superuser),
        session_keys=session_keys,
        active_clients=active,
        search_terms=(_name_fragment(name), inn[:6], _phone_as_typed(phone)),
        duplicate_forms=_duplicate_forms(name, inn, phone, email),
        now=now,
        clock=clock,
        adapt=adapt or (lambda value: value),
        time_zones={username: str(zone or "") for username, _, _, zone in users},
        kind_ids=kind_ids,
        activity_term="поставк",  # "Обсудить условия поставки", "Переговоры по договору поставки"
    )


def _name_fragment(name: str) -> str:
    """'ООО «Ромашка Плюс 17»' → 'Ромашка': the word a person remembers."""
    inner = name.partition("«")[2].partition("»")[0] or name
    return inner.split()[0] if inner.split() else name[:5]


def _duplicate_forms(name: str, inn: str, phone: str, email: str) -> tuple[dict[str, str], ...]:
    """The form as the duplicate check sees it: the first word of the name being typed; the
    whole name with the phone as typed and the e-mail (the form filled in); the ИНН with the
    phone (a caller who gave the ИНН). The empty fields are sent too, as the form sends them."""
    typed = _phone_as_typed(phone)
    return (
        {"name_or_inn": _name_fragment(name), "phone": "", "email": ""},
        {"name_or_inn": name, "phone": typed, "email": email},
        {"name_or_inn": inn, "phone": typed, "email": ""},
    )


def _phone_as_typed(e164: str) -> str:
    """'+74951234567' → '8 (495) 123-45-67'; the search has to normalize it."""
    digits = e164.removeprefix("+7")
    if len(digits) != 10:
        return e164
    return f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


# --- raw SQL -------------------------------------------------------------------------------


def _fetch(cursor: Cursor, statement: str, params: list[Any] | tuple[Any, ...] = ()) -> list[Any]:
    cursor.execute(statement, params)
    return list(cursor.fetchall())


def _authenticated(cursor: Cursor, fixture: Fixture, username: str) -> int:
    """Every logged-in request: the session, the user, and the user's role (groups) unless a
    superuser, whose role needs no query."""
    rows = _fetch(
        cursor,
        "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s",
        [fixture.session_keys[username], fixture.now],
    )
    rows += _fetch(
        cursor,
        "SELECT id, username, last_name, first_name, middle_name, is_superuser, is_active,"
        " department_id, language, time_zone FROM accounts_user WHERE id = %s",
        [fixture.user_ids[username]],
    )
    if username not in fixture.superusers:
        rows += _fetch(
            cursor,
            "SELECT g.name FROM auth_group g JOIN accounts_user_groups ug ON ug.group_id = g.id"
            " WHERE ug.user_id = %s",
            [fixture.user_ids[username]],
        )
    return len(rows)


def _search_condition(fixture: Fixture, term: str) -> tuple[str, list[Any]]:
    """The search of ClientFilter, by hand: the folded name (name_search, kept by the services)
    contains the folded text; with four digits or more also the ИНН starts with them and the
    phone equals the normalized number (or contains the digits when it is no phone number).
    The terms used here have no '@', so the e-mail branch is left out.

    PostgreSQL: LIKE, served by the trigram indexes on name_search and phone and the pattern
    index on the ИНН. SQLite (whose LIKE is a Python function in the app, crm.core.db): a UNION
    of instr() over the name's index, a range on the ИНН's index and the phone's index."""
    text = searchable(term)
    digits = "".join(ch for ch in term if ch.isdigit())
    phone = ""
    if len(digits) >= 4:
        try:
            phone = normalize_phone(term)
        except PhoneError:
            phone = ""
    if fixture.vendor == "postgresql":
        parts, params = ["c.name_search LIKE %s"], [f"%{_like_escape(text)}%"]
        if len(digits) >= 4:
            parts.append("c.inn LIKE %s")
            params.append(f"{digits}%")
            parts.append("c.phone = %s" if phone else "c.phone LIKE %s")
            params.append(phone or f"%{digits}%")
        return "(" + " OR ".join(parts) + ")", params
    selects, params = ["SELECT id FROM clients_client WHERE instr(name_search, %s) > 0"], [text]
    if len(digits) >= 4:
        selects.append("SELECT id FROM clients_client WHERE inn >= %s AND inn < %s")
        params += [digits, digits[:-1] + chr(ord(digits[-1]) + 1)]
        selects.append(
            "SELECT id FROM clients_client WHERE "
            + ("phone = %s" if phone else "instr(phone, %s) > 0")
        )
        params.append(phone or digits)
    return "c.id IN (" + " UNION ".join(selects) + ")", params


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


PAGE_COLUMNS = (
    "c.id, c.name, c.kind, c.region, c.inn, c.kpp, c.phone, i.name, s.name,"
    " u.last_name, u.first_name, u.middle_name"
)
API_COLUMNS = (
    "c.id, c.kind, c.name, c.full_name, c.inn, c.kpp, c.ogrn, c.legal_address,"
    " c.actual_address, c.phone, c.email, c.website, c.industry_id, c.region, c.size,"
    " c.source_id, s.name, c.owner_id, u.last_name, u.first_name, u.middle_name,"
    " c.department_id, c.status, c.comment, c.created_at, c.updated_at"
)


def _client_page(
    cursor: Cursor,
    fixture: Fixture,
    *,
    owner: str | None = None,
    term: str = "",
    offset: int = 0,
    api: bool = False,
) -> int:
    """COUNT(*) for the paginator, one page in (name, id) order with the owner's name (and the
    industry and source names the page shows), the tags of the page's clients."""
    where, params = ["c.status = %s"], list[Any](["active"])
    if owner is not None:
        where.append("c.owner_id = %s")
        params.append(fixture.user_ids[owner])
    if term:
        condition, extra = _search_condition(fixture, term)
        where.append(condition)
        params += extra
    clause = " AND ".join(where)
    rows = _fetch(cursor, f"SELECT COUNT(*) FROM clients_client c WHERE {clause}", params)
    # The paginator asks only for the rows that exist: LIMIT min(50, count - offset). With a
    # handful of matches that lets the database stop at the last one instead of scanning on.
    limit = max(0, min(PAGE_SIZE, int(rows[0][0]) - offset))
    if limit == 0:
        return len(rows)
    joins = " JOIN accounts_user u ON u.id = c.owner_id"
    joins += " LEFT JOIN clients_leadsource s ON s.id = c.source_id"
    if not api:
        joins += " LEFT JOIN clients_industry i ON i.id = c.industry_id"
    page = _fetch(
        cursor,
        f"SELECT {API_COLUMNS if api else PAGE_COLUMNS} FROM clients_client c{joins}"
        f" WHERE {clause} ORDER BY c.name, c.id LIMIT {limit} OFFSET %s",
        [*params, offset],
    )
    rows += page
    if page:  # both the page and the API show the tags of each client
        marks = ", ".join(["%s"] * len(page))
        rows += _fetch(
            cursor,
            "SELECT ct.client_id, t.name FROM clients_client_tags ct"
            f" JOIN clients_tag t ON t.id = ct.tag_id WHERE ct.client_id IN ({marks})",
            [row[0] for row in page],
        )
    return len(rows)


DUPLICATE_BLOCK = 300  # crm.clients.selectors.duplicates.NAME_BLOCK_LIMIT
DUPLICATE_COLUMNS = (
    "c.id, c.name, c.name_comparable, c.inn, c.kpp, c.phone, c.email, c.owner_id,"
    " u.last_name, u.first_name, u.middle_name"
)


def _duplicate_check(cursor: Cursor, fixture: Fixture, username: str, form: dict[str, str]) -> int:
    """The duplicate check of quick registration, by hand: the clients (not merged) with the
    same ИНН, phone or e-mail (also a contact person's) or an e-mail at the same company domain
    (a UNION of index look-ups); then, up to 300 in all, those whose name contains one of the
    three longest typed words (their first five letters), most words first; the phones and
    e-mails of their contact persons for the score; which of the best ones the user may open.
    Scoring and the best eight are done in Python."""
    rows = _authenticated(cursor, fixture, username)
    typed = " ".join(form["name_or_inn"].split())
    digits_only = typed.replace(" ", "").replace("-", "")
    inn = digits_only if digits_only.isdigit() and len(digits_only) in (10, 12) else ""
    name = "" if digits_only.isdigit() or len(typed) < 3 else typed
    try:
        phone = normalize_phone(form["phone"]) if form["phone"].strip() else ""
    except PhoneError:
        phone = ""
    email = normalize_email(form["email"]) if "@" in form["email"] else ""
    words = sorted({w for w in comparable_name(name).split() if len(w) >= 3}, key=len, reverse=True)
    words = [word[:5] for word in words[:3]]
    postgres = fixture.vendor == "postgresql"
    contacts = (
        "SELECT cc.client_id FROM clients_clientcontact cc"
        " JOIN clients_contactperson p ON p.id = cc.contact_id WHERE "
    )
    keys: list[str] = []
    params: list[Any] = []
    if inn:
        keys.append("SELECT id FROM clients_client WHERE inn = %s")
        params.append(inn)
    if phone:
        keys.append("SELECT id FROM clients_client WHERE phone = %s")
        keys.append(contacts + "p.phone = %s")
        keys.append(contacts + "p.mobile_phone = %s")
        params += [phone, phone, phone]
    if email:
        keys.append("SELECT id FROM clients_client WHERE email = %s")
        keys.append(contacts + "p.email = %s")
        params += [email, email]
        domain = email_domain(email)
        if domain not in PUBLIC_MAIL_DOMAINS:
            if postgres:
                keys.append("SELECT id FROM clients_client WHERE email LIKE %s")
                params.append(f"%@{_like_escape(domain)}")
            else:
                keys.append("SELECT id FROM clients_client WHERE substr(email, -%s) = %s")
                params += [len(domain) + 1, f"@{domain}"]
    select = (
        f"SELECT {DUPLICATE_COLUMNS} FROM clients_client c"
        " JOIN accounts_user u ON u.id = c.owner_id WHERE c.status <> %s"
    )
    found: list[Any] = []
    if keys:
        found = _fetch(
            cursor,
            f"{select} AND c.id IN ({' UNION '.join(keys)})"
            f" ORDER BY c.name, c.id LIMIT {DUPLICATE_BLOCK}",
            ["merged", *params],
        )
    if words and len(found) < DUPLICATE_BLOCK:
        contains = "c.name_comparable LIKE %s" if postgres else "instr(c.name_comparable, %s) > 0"
        values = [f"%{_like_escape(word)}%" if postgres else word for word in words]
        hits = " + ".join(f"(CASE WHEN {contains} THEN 1 ELSE 0 END)" for _ in words)
        matching = " OR ".join(contains for _ in words)
        if not postgres:  # the ids from the name's index, then the rows by id
            matching = f"c.id IN (SELECT id FROM clients_client WHERE {matching.replace('c.', '')})"
        skip = f" AND c.id NOT IN ({', '.join(['%s'] * len(found))})" if found else ""
        found += _fetch(
            cursor,
            f"SELECT * FROM ({select} AND ({matching}){skip}) m"
            f" ORDER BY ({hits.replace('c.', 'm.')}) DESC, m.name, m.id"
            f" LIMIT {DUPLICATE_BLOCK - len(found)}",
            ["merged", *values, *[row[0] for row in found], *values],
        )
    rows += len(found)
    if found:
        marks = ", ".join(["%s"] * len(found))
        rows += len(
            _fetch(
                cursor,
                "SELECT cc.client_id, p.phone, p.mobile_phone, p.email"
                " FROM clients_clientcontact cc JOIN clients_contactperson p"
                f" ON p.id = cc.contact_id WHERE cc.client_id IN ({marks})",
                [row[0] for row in found],
            )
        )
        best = [row[0] for row in found[:8]]
        marks = ", ".join(["%s"] * len(best))
        rows += len(
            _fetch(
                cursor,
                f"SELECT id FROM clients_client WHERE id IN ({marks}) AND owner_id = %s",
                [*best, fixture.user_ids[username]],
            )
        )
    return rows


def _dashboard(cursor: Cursor, fixture: Fixture, username: str) -> int:
    return _authenticated(cursor, fixture, username) + len(
        _fetch(
            cursor,
            "SELECT id, title, url, read_at, created_at FROM core_notification"
            " WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT 5",
            [fixture.user_ids[username]],
        )
    )


def _user_list(cursor: Cursor, fixture: Fixture, username: str) -> int:
    rows = _authenticated(cursor, fixture, username)
    rows += len(_fetch(cursor, "SELECT COUNT(*) FROM accounts_user"))
    users = _fetch(
        cursor,
        "SELECT u.id, u.username, u.last_name, u.first_name, u.middle_name, u.position,"
        " u.email, u.is_active, u.is_superuser, d.name FROM accounts_user u"
        " LEFT JOIN accounts_department d ON d.id = u.department_id"
        f" ORDER BY u.last_name, u.first_name, u.username LIMIT {PAGE_SIZE}",
    )
    rows += len(users)
    if users:
        marks = ", ".join(["%s"] * len(users))
        rows += len(
            _fetch(
                cursor,
                "SELECT ug.user_id, g.name FROM accounts_user_groups ug"
                f" JOIN auth_group g ON g.id = ug.group_id WHERE ug.user_id IN ({marks})",
                [user[0] for user in users],
            )
        )
    return rows + len(_fetch(cursor, "SELECT id, name FROM accounts_department ORDER BY name"))


# --- activities ------------------------------------------------------------------------------
# A manager sees the activities he is responsible for and those he co-executes (decision 0004);
# by hand that is the UNION ALL of the two, each part answered from its own index (the
# composite (responsible, status, start_at) and the co-executor table by user).

ACTIVITY_PAGE_COLUMNS = (
    "a.id, a.subject, a.goal, a.start_at, a.end_at, a.all_day, a.status, a.direction,"
    " a.result, a.client_id, a.responsible_id, k.name, k.icon, k.color, cl.name,"
    " cp.last_name, cp.first_name, u.last_name, u.first_name, u.middle_name, o.name"
)
ACTIVITY_JOINS = (
    " JOIN activities_activitykind k ON k.id = a.kind_id"
    " LEFT JOIN clients_client cl ON cl.id = a.client_id"
    " LEFT JOIN clients_contactperson cp ON cp.id = a.contact_id"
    " JOIN accounts_user u ON u.id = a.responsible_id"
    " LEFT JOIN activities_activityoutcome o ON o.id = a.outcome_id"
)
ActivityCondition = tuple[str, list[Any]]


def _bounds(fixture: Fixture, username: str) -> WorkListBounds:
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(fixture.time_zones.get(username) or "Europe/Moscow")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Europe/Moscow")
    return work_list_bounds(fixture.clock or dt.datetime.now(dt.UTC), zone)


def _tab_condition(fixture: Fixture, bounds: WorkListBounds, tab: str) -> ActivityCondition:
    """The condition of a work list on `a` (the tab rules of crm.activities.selectors)."""
    moment = fixture.adapt
    if tab == "overdue":
        return (
            "a.status = %s AND a.start_at < %s AND (a.start_at < %s OR a.all_day = %s)",
            ["planned", moment(bounds.now), moment(bounds.today_start), False],
        )
    if tab == "today":
        return (
            "a.status = %s AND a.start_at >= %s AND a.start_at < %s"
            " AND (a.all_day = %s OR a.start_at >= %s)",
            [
                "planned",
                moment(bounds.today_start),
                moment(bounds.tomorrow_start),
                True,
                moment(bounds.now),
            ],
        )
    if tab == "upcoming":
        return (
            "a.status = %s AND a.start_at >= %s AND a.start_at < %s",
            ["planned", moment(bounds.tomorrow_start), moment(bounds.upcoming_end)],
        )
    if tab == "done":
        return "a.status = %s AND a.start_at >= %s", ["done", moment(bounds.done_from)]
    return "1 = 1", []


def _mine(user_id: int, condition: ActivityCondition, columns: str) -> tuple[str, list[Any]]:
    """`columns` of the user's own rows and of the rows the user only co-executes."""
    where, params = condition
    sql = (
        f"SELECT {columns} FROM activities_activity a WHERE a.responsible_id = %s AND {where}"
        # CROSS JOIN: SQLite keeps this join order (the co-executor rows drive, a few per
        # user); PostgreSQL plans it as any inner join.
        f" UNION ALL SELECT {columns} FROM activities_activity_co_executors ce"
        " CROSS JOIN activities_activity a"
        f" WHERE a.id = ce.activity_id AND ce.user_id = %s AND a.responsible_id <> %s AND {where}"
    )
    return sql, [user_id, *params, user_id, user_id, *params]


def _activity_rows(cursor: Cursor, ids: list[int], *, reminders: bool = False) -> int:
    """The rows of a page with what a row shows, and their co-executors (and reminders)."""
    if not ids:
        return 0
    marks = ", ".join(["%s"] * len(ids))
    rows = len(
        _fetch(
            cursor,
            f"SELECT {ACTIVITY_PAGE_COLUMNS} FROM activities_activity a{ACTIVITY_JOINS}"
            f" WHERE a.id IN ({marks})",
            ids,
        )
    )
    rows += len(
        _fetch(
            cursor,
            "SELECT ce.activity_id, u.id, u.last_name, u.first_name, u.middle_name"
            " FROM activities_activity_co_executors ce JOIN accounts_user u ON u.id = ce.user_id"
            f" WHERE ce.activity_id IN ({marks})",
            ids,
        )
    )
    if reminders:
        rows += len(
            _fetch(
                cursor,
                "SELECT id, activity_id, user_id, remind_at, offset_minutes, status, sent_at"
                f" FROM activities_reminder WHERE activity_id IN ({marks})"
                " ORDER BY remind_at, id",
                ids,
            )
        )
    return rows


def _activity_page(
    cursor: Cursor,
    fixture: Fixture,
    username: str,
    *,
    tab: str,
    extra: ActivityCondition = ("1 = 1", []),
    counts: bool = True,
    count_limit: int | None = None,
    reminders: bool = False,
) -> int:
    """A work list: its count, the four tab counts (one statement) when the page shows them,
    one page of 50 in the tab's order, and what its rows show."""
    user_id = fixture.user_ids[username]
    bounds = _bounds(fixture, username)
    rows = _authenticated(cursor, fixture, username)
    extra_sql, extra_params = extra

    def condition(name: str) -> ActivityCondition:
        where, params = _tab_condition(fixture, bounds, name)
        return f"{where} AND {extra_sql}", [*params, *extra_params]

    if counts:
        pieces, params = [], []
        for name in ("overdue", "today", "upcoming", "done"):
            sql, part = _mine(user_id, condition(name), "a.id")
            pieces.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
            params += part
        rows += len(_fetch(cursor, "SELECT " + ", ".join(pieces), params))
    sql, params = _mine(user_id, condition(tab), "a.id, a.start_at")
    if count_limit is not None:
        limited = f"SELECT 1 FROM ({sql}) listed LIMIT {count_limit + 1}"
        rows += len(_fetch(cursor, f"SELECT COUNT(*) FROM ({limited}) counted", params))
    elif not counts:
        rows += len(_fetch(cursor, f"SELECT COUNT(*) FROM ({sql}) counted", params))
    order = "start_at, id" if tab in ("overdue", "today", "upcoming") else "start_at DESC, id DESC"
    page = _fetch(
        cursor, f"SELECT id FROM ({sql}) listed ORDER BY {order} LIMIT {PAGE_SIZE}", params
    )
    return rows + len(page) + _activity_rows(cursor, [row[0] for row in page], reminders=reminders)


def _calendar_month(cursor: Cursor, fixture: Fixture, username: str, start: dt.datetime) -> int:
    """The events of a month grid: the user's own and co-executed activities planned or done
    that start in the range or run into it, with the client's name; the kinds."""
    user_id = fixture.user_ids[username]
    end = start + dt.timedelta(days=CALENDAR_DAYS)
    moment = fixture.adapt
    where = (
        "a.status IN (%s, %s) AND a.start_at >= %s AND a.start_at < %s"
        " AND (a.start_at >= %s OR a.end_at > %s)",
        [
            "planned",
            "done",
            moment(start - dt.timedelta(days=7)),
            moment(end),
            moment(start),
            moment(start),
        ],
    )
    columns = (
        "a.id, a.subject, a.start_at, a.end_at, a.all_day, a.status, a.responsible_id,"
        " a.kind_id, (SELECT cl.name FROM clients_client cl WHERE cl.id = a.client_id)"
    )
    sql, params = _mine(user_id, where, columns)
    rows = _authenticated(cursor, fixture, username) + len(_fetch(cursor, sql, params))
    return rows + len(
        _fetch(
            cursor, "SELECT id, name, color, default_duration_minutes FROM activities_activitykind"
        )
    )


CALENDAR_DAYS = 42  # FullCalendar's month grid: six weeks from the Monday on or before the 1st


def _month_grid(fixture: Fixture, username: str) -> dt.datetime:
    """The first day of this month's grid, at midnight in the user's zone."""
    bounds = _bounds(fixture, username)
    zone = bounds.today_start.tzinfo or dt.UTC
    first = bounds.today_start.date().replace(day=1)
    return local_midnight(first - dt.timedelta(days=first.weekday()), zone)


# --- scenarios -----------------------------------------------------------------------------


def _list_variant(path: str, fixture: Fixture, username: str, **page: Any) -> Variant:
    def raw(cursor: Cursor) -> int:
        return _authenticated(cursor, fixture, username) + _client_page(cursor, fixture, **page)

    return Variant(path, raw)


def build_scenarios(fixture: Fixture) -> list[Scenario]:
    """Every scenario, in SCENARIO_NAMES order, for this database."""
    admin, manager = "admin", "ivanova"
    terms = fixture.search_terms
    deep_offset = (DEEP_PAGE - 1) * PAGE_SIZE
    deep_skip = (
        None
        if fixture.active_clients > deep_offset
        else f"needs more than {deep_offset} active clients, the base has {fixture.active_clients}"
    )
    scenarios = [
        Scenario("login_page", None, (Variant("/accounts/login/", None),)),
        Scenario(
            "dashboard",
            manager,
            (Variant("/", lambda cursor: _dashboard(cursor, fixture, manager)),),
        ),
        Scenario(
            "client_list_manager",
            manager,
            (_list_variant("/clients/", fixture, manager, owner=manager),),
        ),
        Scenario("client_list_admin", admin, (_list_variant("/clients/", fixture, admin),)),
        Scenario(
            "client_search",
            admin,
            tuple(
                _list_variant(f"/clients/?{urlencode({'q': term})}", fixture, admin, term=term)
                for term in terms
            ),
        ),
        Scenario(
            "client_list_page_500",
            admin,
            (_list_variant(f"/clients/?page={DEEP_PAGE}", fixture, admin, offset=deep_offset),),
            skip_reason=deep_skip,
        ),
        Scenario(
            "api_client_list",
            admin,
            (_list_variant("/api/v1/clients/", fixture, admin, api=True),),
        ),
        Scenario(
            "api_client_search",
            admin,
            tuple(
                _list_variant(
                    f"/api/v1/clients/?{urlencode({'q': term})}",
                    fixture,
                    admin,
                    term=term,
                    api=True,
                )
                for term in terms
            ),
        ),
        Scenario(
            "client_duplicate_check",
            manager,
            tuple(
                Variant(
                    f"/clients/quick/duplicates/?{urlencode(form)}",
                    functools.partial(
                        _duplicate_check, fixture=fixture, username=manager, form=form
                    ),
                )
                for form in fixture.duplicate_forms
            ),
        ),
        Scenario(
            "user_list",
            admin,
            (
                Variant(
                    "/accounts/settings/users/", lambda cursor: _user_list(cursor, fixture, admin)
                ),
            ),
        ),
        *_activity_scenarios(fixture, manager),
    ]
    from bench.sales import sales_scenarios  # imports this module: not at the top

    scenarios += sales_scenarios(fixture)
    assert tuple(s.name for s in scenarios) == SCENARIO_NAMES
    return scenarios


def _activity_scenarios(fixture: Fixture, manager: str) -> list[Scenario]:
    """The manager's work lists, the list with filters, the API list and the month of the
    calendar (the JSON FullCalendar asks for)."""
    bounds = _bounds(fixture, manager)
    month_ago = (bounds.today_start - dt.timedelta(days=30)).date()
    today = bounds.today_start.date()
    meeting = fixture.kind_ids.get("meeting", 0)
    term = fixture.activity_term
    moment = fixture.adapt
    like = "%" + term + "%"
    grid = _month_grid(fixture, manager)
    grid_end = grid + dt.timedelta(days=CALENDAR_DAYS)

    def page(path: str, tab: str, **options: Any) -> Variant:
        return Variant(
            path, lambda cursor: _activity_page(cursor, fixture, manager, tab=tab, **options)
        )

    def local(value: dt.datetime) -> str:
        return value.replace(tzinfo=None).isoformat(timespec="seconds")

    filtered = (
        page(
            f"/activities/?{urlencode({'tab': 'all', 'kind': meeting})}",
            "",
            extra=("a.kind_id = %s", [meeting]),
            count_limit=10_000,
        ),
        page(
            "/activities/?"
            + urlencode(
                {
                    "tab": "all",
                    "status": "done",
                    "date_from": month_ago.isoformat(),
                    "date_to": today.isoformat(),
                }
            ),
            "",
            extra=(
                "a.status = %s AND a.start_at >= %s AND a.start_at < %s",
                ["done", moment(bounds.done_from), moment(bounds.tomorrow_start)],
            ),
            count_limit=10_000,
        ),
        page(
            f"/activities/?{urlencode({'tab': 'all', 'q': term})}",
            "",
            extra=("a.subject LIKE %s", [like]),
            count_limit=10_000,
        ),
    )
    return [
        Scenario("activity_today", manager, (page("/activities/", "today"),)),
        Scenario("activity_overdue", manager, (page("/activities/?tab=overdue", "overdue"),)),
        Scenario("activity_upcoming", manager, (page("/activities/?tab=upcoming", "upcoming"),)),
        Scenario("activity_filtered", manager, filtered),
        Scenario(
            "api_activity_list",
            manager,
            (
                page(
                    "/api/v1/activities/",
                    "",
                    counts=False,
                    count_limit=10_000,
                    reminders=True,
                ),
                page("/api/v1/activities/?tab=today", "today", counts=False, reminders=True),
            ),
        ),
        Scenario(
            "calendar_month",
            manager,
            (
                Variant(
                    "/activities/calendar/events/?"
                    + urlencode({"start": local(grid), "end": local(grid_end)}),
                    lambda cursor: _calendar_month(cursor, fixture, manager, grid),
                ),
            ),
        ),
    ]

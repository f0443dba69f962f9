"""The named scenarios: which page or endpoint, as whom, and the SQL written by hand that the
same answer needs at least (the "raw" baseline the app is compared with).

The raw functions run on Django's connection (`connection.cursor()`) in the measuring process,
one function per request variant; each executes its statements and fetches every row, as the
page must. Of the app only the pure normalize module is imported (no Django), so the command
line can list the names without setting Django up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from crm.clients.domain.normalize import PhoneError, normalize_phone, searchable

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
    "user_list",
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
    now: Any  # the session expiry bound, already adapted for the backend


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
    cursor: Cursor, vendor: str, session_keys: dict[str, str], now: Any
) -> Fixture:
    """Read the users and pick search terms that exist in this database (raw SQL only)."""
    cursor.execute("SELECT username, id, is_superuser FROM accounts_user")
    rows = cursor.fetchall()
    cursor.execute("SELECT COUNT(*) FROM clients_client WHERE status = %s", ["active"])
    active = int(cursor.fetchone()[0])
    cursor.execute(
        "SELECT name, inn, phone FROM clients_client"
        " WHERE status = %s AND kind = %s AND inn <> '' AND phone <> ''"
        " ORDER BY id LIMIT 1 OFFSET %s",
        ["active", "company", active // 3],
    )
    name, inn, phone = cursor.fetchone()
    return Fixture(
        vendor=vendor,
        user_ids={username: user_id for username, user_id, _ in rows},
        superusers=frozenset(username for username, _, is_superuser in rows if is_superuser),
        session_keys=session_keys,
        active_clients=active,
        search_terms=(_name_fragment(name), inn[:6], _phone_as_typed(phone)),
        now=now,
    )


def _name_fragment(name: str) -> str:
    """'ООО «Ромашка Плюс 17»' → 'Ромашка': the word a person remembers."""
    inner = name.partition("«")[2].partition("»")[0] or name
    return inner.split()[0] if inner.split() else name[:5]


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
    The terms used here have no '@', so the e-mail branch is left out."""
    position = "strpos" if fixture.vendor == "postgresql" else "instr"
    parts, params = [f"{position}(c.name_search, %s) > 0"], [searchable(term)]
    digits = "".join(ch for ch in term if ch.isdigit())
    if len(digits) >= 4:
        parts.append("c.inn LIKE %s")
        params.append(f"{digits}%")
        try:
            params.append(normalize_phone(term))
            parts.append("c.phone = %s")
        except PhoneError:
            parts.append(f"{position}(c.phone, %s) > 0")
            params.append(digits)
    return "(" + " OR ".join(parts) + ")", params


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
            "user_list",
            admin,
            (
                Variant(
                    "/accounts/settings/users/", lambda cursor: _user_list(cursor, fixture, admin)
                ),
            ),
        ),
    ]
    assert tuple(s.name for s in scenarios) == SCENARIO_NAMES
    return scenarios

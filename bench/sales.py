"""The scenarios of the sales pages (issue 5): the kanban board, the deal list, the deal card with
its stage timeline and the API list, each beside the SQL written by hand that the same answer
needs at least.

What the sales scenarios need to know about the base (the pipeline, its open stages, the users'
departments, the deal with the longest history) is read once when the scenarios are built, over
Django's connection in the measuring process; Django is imported inside the functions only, so
the command line can still list the names without setting Django up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.scenarios import PAGE_SIZE, Cursor, Fixture, Scenario, Variant, _authenticated, _fetch

SALES_SCENARIO_NAMES = (
    "deal_board",
    "deal_board_head",
    "deal_board_admin",
    "deal_list",
    "deal_card",
    "api_deal_list",
)
MANAGER, HEAD, ADMIN = "ivanova", "rop", "admin"
BOARD_PER_COLUMN = 50  # crm.sales.views.board.BOARD_PER_COLUMN


@dataclass(frozen=True)
class SalesFixture:
    """The sales data of the measured base the scenarios and their SQL refer to."""

    pipeline_id: int  # the board's pipeline: the default active one
    open_stages: tuple[int, ...]  # its stages "в работе", in board order
    scopes: dict[str, str]  # username → "all", "department" or "own" (Area.SALES)
    departments: dict[str, int | None]  # username → department id
    today: Any  # the local date, adapted for the backend (the "stuck" bound)
    card_deal: int | None  # the manager's deal with the most stage changes
    card_changes: int


def _scope(is_superuser: bool, groups: set[str]) -> str:
    """crm.accounts.roles.ROLE_SCOPES for Area.SALES, by the user's strongest role."""
    if is_superuser or groups & {"administrator", "accountant"}:
        return "all"
    if "head_of_sales" in groups:
        return "department"
    return "own" if "manager" in groups else "none"


def discover_sales(cursor: Cursor, fixture: Fixture, today: Any) -> SalesFixture:
    cursor.execute(
        'SELECT id, is_default FROM sales_pipeline WHERE is_active ORDER BY "order", name'
    )
    pipelines = cursor.fetchall()
    if not pipelines:
        raise SystemExit("no active sales pipeline — was the base seeded?")
    pipeline_id = next((pk for pk, default in pipelines if default), pipelines[0][0])
    cursor.execute(
        'SELECT id FROM sales_stage WHERE pipeline_id = %s AND kind = %s ORDER BY "order", id',
        [pipeline_id, "open"],
    )
    open_stages = tuple(int(row[0]) for row in cursor.fetchall())
    cursor.execute(
        "SELECT u.username, u.is_superuser, u.department_id, g.name FROM accounts_user u"
        " LEFT JOIN accounts_user_groups ug ON ug.user_id = u.id"
        " LEFT JOIN auth_group g ON g.id = ug.group_id"
    )
    groups: dict[str, set[str]] = {}
    superusers: dict[str, bool] = {}
    departments: dict[str, int | None] = {}
    for username, is_superuser, department_id, group in cursor.fetchall():
        groups.setdefault(username, set()).update([group] if group else [])
        superusers[username] = bool(is_superuser)
        departments[username] = department_id
    scopes = {name: _scope(superusers[name], groups[name]) for name in groups}
    cursor.execute(
        "SELECT ch.deal_id, COUNT(*) FROM sales_dealstagechange ch"
        " JOIN sales_deal d ON d.id = ch.deal_id WHERE d.manager_id = %s"
        " GROUP BY ch.deal_id ORDER BY COUNT(*) DESC, ch.deal_id LIMIT 1",
        [fixture.user_ids[MANAGER]],
    )
    row = cursor.fetchone()
    return SalesFixture(
        pipeline_id=int(pipeline_id),
        open_stages=open_stages,
        scopes=scopes,
        departments=departments,
        today=today,
        card_deal=int(row[0]) if row else None,
        card_changes=int(row[1]) if row else 0,
    )


# --- raw SQL -------------------------------------------------------------------------------


def _visible(fixture: Fixture, sales: SalesFixture, username: str) -> tuple[str, list[Any]]:
    """ " AND …" narrowing `d` (sales_deal) to the deals `username` may see: a manager his own
    and those he co-executes, a head of sales also his department's, the others all."""
    scope = sales.scopes.get(username, "none")
    if scope == "all":
        return "", []
    user_id = fixture.user_ids[username]
    co_executed = "d.id IN (SELECT deal_id FROM sales_deal_co_executors WHERE user_id = %s)"
    department = sales.departments.get(username)
    if scope == "department" and department is not None:
        return (
            f" AND (d.manager_id = %s OR d.department_id = %s OR {co_executed})",
            [user_id, department, user_id],
        )
    if scope in ("own", "department"):
        return f" AND (d.manager_id = %s OR {co_executed})", [user_id, user_id]
    return " AND 1 = 0", []


def _pipelines_and_stages(cursor: Cursor, sales: SalesFixture) -> int:
    """The pipeline tabs and the board's columns."""
    rows = _fetch(
        cursor,
        'SELECT id, name, is_default FROM sales_pipeline WHERE is_active ORDER BY "order", name',
    )
    return len(rows) + len(
        _fetch(
            cursor,
            "SELECT id, code, name, kind, color FROM sales_stage WHERE pipeline_id = %s"
            ' ORDER BY "order", id',
            [sales.pipeline_id],
        )
    )


CARD_COLUMNS = (
    "d.id, d.number, d.title, d.stage_id, d.status, d.amount, d.currency, d.stage_entered_at,"
    " d.stage_deadline, d.client_id, c.name, d.manager_id, u.last_name, u.first_name,"
    " u.middle_name, u.username"
)


def _visible_parts(fixture: Fixture, sales: SalesFixture, username: str) -> list[tuple[str, list]]:
    """What `username` may see as separate conditions on `d`, each one an index of its own
    (manager, co-executor table, department); [("1 = 1", [])] when everything."""
    scope = sales.scopes.get(username, "none")
    if scope == "all":
        return [("1 = 1", [])]
    user_id = fixture.user_ids[username]
    parts: list[tuple[str, list]] = [
        ("d.manager_id = %s", [user_id]),
        ("d.id IN (SELECT deal_id FROM sales_deal_co_executors WHERE user_id = %s)", [user_id]),
    ]
    department = sales.departments.get(username)
    if scope == "department" and department is not None:
        parts.append(("d.department_id = %s", [department]))
    return parts if scope in ("own", "department") else [("1 = 0", [])]


def _board(cursor: Cursor, fixture: Fixture, sales: SalesFixture, username: str) -> int:
    """The board of the default pipeline: the count and sum of the open deals per stage (one
    GROUP BY), and the newest 50 of each open stage with the client's and the manager's names,
    in one statement: per stage and per part of what the user may see (own, co-executed,
    department) an ORDER BY … LIMIT 50, their UNION cut to 50 again, all glued with UNION ALL."""
    rows = _authenticated(cursor, fixture, username) + _pipelines_and_stages(cursor, sales)
    visible, params = _visible(fixture, sales, username)
    where = "d.pipeline_id = %s AND d.status = %s"
    base = [sales.pipeline_id, "open"]
    rows += len(
        _fetch(
            cursor,
            "SELECT d.stage_id, COUNT(*), SUM(d.amount) FROM sales_deal d"
            f" WHERE {where}{visible} GROUP BY d.stage_id",
            [*base, *params],
        )
    )
    if not sales.open_stages:
        return rows
    order = f"ORDER BY created_at DESC, id DESC LIMIT {BOARD_PER_COLUMN}"
    inner_order = f"ORDER BY d.created_at DESC, d.id DESC LIMIT {BOARD_PER_COLUMN}"
    parts, part_params = [], []
    for index, stage_id in enumerate(sales.open_stages):
        pieces = []
        for number, (condition, extra) in enumerate(_visible_parts(fixture, sales, username)):
            pieces.append(
                f"SELECT * FROM (SELECT d.id, d.created_at FROM sales_deal d WHERE {where}"
                f" AND d.stage_id = %s AND {condition} {inner_order}) p{index}_{number}"
            )
            part_params += [*base, stage_id, *extra]
        parts.append(
            f"SELECT id FROM (SELECT id, created_at FROM ({' UNION '.join(pieces)}) u{index}"
            f" {order}) s{index}"
        )
    return rows + len(
        _fetch(
            cursor,
            f"SELECT {CARD_COLUMNS} FROM sales_deal d"
            " JOIN clients_client c ON c.id = d.client_id"
            " JOIN accounts_user u ON u.id = d.manager_id"
            f" WHERE d.id IN ({' UNION ALL '.join(parts)})"
            " ORDER BY d.stage_id, d.created_at DESC, d.id DESC",
            part_params,
        )
    )


LIST_COLUMNS = (
    "d.id, d.number, d.title, d.client_id, c.name, d.stage_id, st.name, st.color, d.status,"
    " d.amount, d.currency, d.expected_close_date, d.stage_entered_at, d.stage_deadline,"
    " d.created_at, src.name, u.last_name, u.first_name, u.middle_name"
)
LIST_JOINS = (
    " JOIN clients_client c ON c.id = d.client_id"
    " JOIN sales_stage st ON st.id = d.stage_id"
    " JOIN accounts_user u ON u.id = d.manager_id"
    " LEFT JOIN clients_leadsource src ON src.id = d.source_id"
)
API_COLUMNS = (
    "d.id, d.number, d.title, d.client_id, c.name, d.contact_id, d.pipeline_id, d.stage_id,"
    " st.code, st.name, d.status, d.amount, d.currency, d.expected_close_date, d.source_id,"
    " d.manager_id, u.last_name, u.first_name, u.middle_name, d.department_id, d.description,"
    " d.first_step, d.stage_entered_at, d.stage_deadline, d.lost_reason_id, d.lost_comment,"
    " d.closed_at, d.created_at, d.updated_at"
)


def _deal_page(
    cursor: Cursor,
    fixture: Fixture,
    sales: SalesFixture,
    username: str,
    *,
    stuck: bool = False,
    api: bool = False,
) -> int:
    """COUNT(*) for the paginator and the newest 50 deals with what a row shows; the API also
    the co-executors and the lines of the page's deals."""
    rows = _authenticated(cursor, fixture, username)
    visible, params = _visible(fixture, sales, username)
    where = f"1 = 1{visible}"
    if stuck:
        where += " AND d.status = %s AND d.stage_deadline < %s"
        params += ["open", sales.today]
    count = _fetch(cursor, f"SELECT COUNT(*) FROM sales_deal d WHERE {where}", params)
    limit = max(0, min(PAGE_SIZE, int(count[0][0])))
    rows += len(count)
    if limit == 0:
        return rows
    # The page's ids first, then their rows with the joins: a single statement with the joins
    # and the ORDER BY … LIMIT lets SQLite join every visible deal before it sorts.
    page = _fetch(
        cursor,
        f"SELECT {API_COLUMNS if api else LIST_COLUMNS} FROM sales_deal d{LIST_JOINS}"
        f" WHERE d.id IN (SELECT d.id FROM sales_deal d WHERE {where}"
        f" ORDER BY d.created_at DESC, d.id DESC LIMIT {limit})"
        " ORDER BY d.created_at DESC, d.id DESC",
        params,
    )
    rows += len(page)
    if api and page:
        ids = [row[0] for row in page]
        marks = ", ".join(["%s"] * len(ids))
        rows += len(
            _fetch(
                cursor,
                "SELECT ce.deal_id, ce.user_id FROM sales_deal_co_executors ce"
                f" WHERE ce.deal_id IN ({marks})",
                ids,
            )
        )
        rows += len(
            _fetch(
                cursor,
                "SELECT id, deal_id, product_id, name, quantity, unit_name, price, "
                f'"order" FROM sales_dealline WHERE deal_id IN ({marks})'
                ' ORDER BY deal_id, "order", id',
                ids,
            )
        )
    return rows


def _deal_card(
    cursor: Cursor, fixture: Fixture, sales: SalesFixture, username: str, *, tab: str = ""
) -> int:
    """The card: the deal (if the user may see it) with its client, contact, manager, stage and
    pipeline; the pipeline's stages for the stage bar. The "Этапы" tab: the deal (access), its
    stage changes oldest first with both stages and who made the change."""
    rows = _authenticated(cursor, fixture, username)
    visible, params = _visible(fixture, sales, username)
    if tab == "stages":
        deal = _fetch(
            cursor,
            f"SELECT d.id, d.number, d.status FROM sales_deal d WHERE d.id = %s{visible}",
            [sales.card_deal, *params],
        )
        return (
            rows
            + len(deal)
            + len(
                _fetch(
                    cursor,
                    "SELECT ch.id, ch.changed_at, ch.seconds_in_stage, ch.working_days_in_stage,"
                    " ch.skipped, ch.automatic, ch.comment, fs.name, fs.color, ts.name, ts.color,"
                    " u.last_name, u.first_name, u.middle_name FROM sales_dealstagechange ch"
                    " LEFT JOIN sales_stage fs ON fs.id = ch.from_stage_id"
                    " JOIN sales_stage ts ON ts.id = ch.to_stage_id"
                    " LEFT JOIN accounts_user u ON u.id = ch.changed_by_id"
                    " WHERE ch.deal_id = %s ORDER BY ch.changed_at, ch.id",
                    [sales.card_deal],
                )
            )
        )
    deal = _fetch(
        cursor,
        "SELECT d.id, d.number, d.title, d.status, d.amount, d.currency, d.expected_close_date,"
        " d.stage_id, d.stage_entered_at, d.stage_deadline, d.closed_at, d.lost_comment,"
        " d.pipeline_id, p.name, st.name, c.id, c.name, cp.last_name, cp.first_name,"
        " cp.middle_name, u.last_name, u.first_name, u.middle_name, lr.name"
        " FROM sales_deal d JOIN sales_pipeline p ON p.id = d.pipeline_id"
        " JOIN sales_stage st ON st.id = d.stage_id"
        " JOIN clients_client c ON c.id = d.client_id"
        " LEFT JOIN clients_contactperson cp ON cp.id = d.contact_id"
        " JOIN accounts_user u ON u.id = d.manager_id"
        " LEFT JOIN sales_lostreason lr ON lr.id = d.lost_reason_id"
        f" WHERE d.id = %s{visible}",
        [sales.card_deal, *params],
    )
    rows += len(deal)
    if not deal:
        return rows
    rows += len(
        _fetch(
            cursor,
            "SELECT id, name, kind, color FROM sales_stage WHERE pipeline_id = %s"
            ' ORDER BY "order", id',
            [deal[0][12]],
        )
    )
    if deal[0][3] == "lost":  # the bar shows how far a lost deal got
        rows += len(
            _fetch(
                cursor,
                "SELECT from_stage_id FROM sales_dealstagechange WHERE deal_id = %s"
                " AND to_stage_id = %s ORDER BY changed_at DESC LIMIT 1",
                [sales.card_deal, deal[0][7]],
            )
        )
    return rows


# --- scenarios -----------------------------------------------------------------------------


def sales_scenarios(fixture: Fixture) -> list[Scenario]:
    """The sales scenarios, in SALES_SCENARIO_NAMES order."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate(fixture.clock) if fixture.clock else timezone.localdate()
    with connection.cursor() as cursor:
        sales = discover_sales(cursor, fixture, connection.ops.adapt_datefield_value(today))

    def board(username: str) -> Scenario:
        name = {MANAGER: "deal_board", HEAD: "deal_board_head"}.get(username, "deal_board_admin")
        return Scenario(
            name,
            username,
            (Variant("/deals/", lambda cursor: _board(cursor, fixture, sales, username)),),
        )

    card = sales.card_deal
    return [
        board(MANAGER),
        board(HEAD),
        board(ADMIN),
        Scenario(
            "deal_list",
            MANAGER,
            (
                Variant("/deals/list/", lambda cursor: _deal_page(cursor, fixture, sales, MANAGER)),
                Variant(
                    "/deals/list/?stuck=on",
                    lambda cursor: _deal_page(cursor, fixture, sales, MANAGER, stuck=True),
                ),
            ),
        ),
        Scenario(
            "deal_card",
            MANAGER,
            (
                Variant(
                    f"/deals/{card}/", lambda cursor: _deal_card(cursor, fixture, sales, MANAGER)
                ),
                Variant(
                    f"/deals/{card}/tab/stages/",
                    lambda cursor: _deal_card(cursor, fixture, sales, MANAGER, tab="stages"),
                ),
            ),
            skip_reason=None if card else f"{MANAGER} has no deals in this base",
        ),
        Scenario(
            "api_deal_list",
            ADMIN,
            (
                Variant(
                    "/api/v1/deals/",
                    lambda cursor: _deal_page(cursor, fixture, sales, ADMIN, api=True),
                ),
            ),
        ),
    ]

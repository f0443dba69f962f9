"""Browser tests: pytest-django's live server driven by the system Chromium through Playwright.

One Chromium per test process (a session fixture, so each pytest-xdist worker starts its own),
a fresh context (cookies, storage) per test. Machines without Chromium skip these tests; CI
installs it. Set SVOD_CHROMIUM to use a Chromium at another path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, LAPTOP, TIMEOUT_MS

# Playwright's sync API keeps an asyncio loop running in the test thread; Django's ORM would
# refuse to run beside it (SynchronousOnlyOperation). The tests create data with the ORM on
# purpose, and the check is read when a query runs, so setting it here, at collection, is early
# enough.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: browser tests need the system Chromium "
            "(apt-get install chromium, or set SVOD_CHROMIUM)"
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The connections the test database was set up on: they carry the snapshot that
    # serialized_rollback restores, and the live server shares them (in-memory SQLite).
    wrappers = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # While Playwright's loop runs in this thread, Django looks connections up in a
        # per-context store instead of the thread's and would open new ones without that
        # snapshot; give it the same connections for the rest of the session. When Playwright
        # stops, the thread's store (holding the same connections) is used again.
        for alias, wrapper in wrappers.items():
            connections[alias] = wrapper
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _restore_migrated_database(*, reload: bool) -> None:
    """Empty the test database and, with `reload`, put back the snapshot taken right after the
    migrations (roles, catalogs, content types). serialized_rollback restores that snapshot
    before each browser test, but only into an empty database: a transactional test of another
    module without serialized_rollback leaves content types recreated under other ids, and the
    snapshot would then clash with them."""
    from django.core.management import call_command
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        snapshot = getattr(connection, "_test_serialized_contents", None)
        if snapshot is None:
            continue
        call_command(
            "flush", verbosity=0, interactive=False, database=alias, inhibit_post_migrate=True
        )
        if reload:
            connection.creation.deserialize_db_from_string(snapshot)


@pytest.fixture(scope="module", autouse=True)
def migrated_database_around_module(browser: Any, django_db_blocker: Any) -> Iterator[None]:
    """Each browser module starts from an empty database (its tests load the snapshot) and
    leaves the database as the migrations made it, for whatever test runs next in this process
    (each test's own teardown empties it)."""
    with django_db_blocker.unblock():
        _restore_migrated_database(reload=False)
    yield
    with django_db_blocker.unblock():
        _restore_migrated_database(reload=True)


@pytest.fixture(autouse=True)
def _sequences_after_snapshot(request: Any) -> None:
    """serialized_rollback puts the migrations' rows back with their ids, but PostgreSQL's
    sequences stay where the flush left them: the first row a test adds to such a table (a new
    stage of the seeded pipeline) would take id 1 again. Move the sequences past the rows."""
    if "_django_db_helper" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


class PageProblems:
    """What went wrong while a test clicked around: answers with status 500 or more and
    JavaScript exceptions. Checked after every test, so no page may fail silently."""

    def __init__(self) -> None:
        self.server_errors: list[str] = []
        self.script_errors: list[str] = []

    def on_response(self, response: Any) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def on_page_error(self, error: Any) -> None:
        self.script_errors.append(str(error))


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A laptop-sized tab of a Russian-speaking user in Moscow, on the live server."""
    context = browser.new_context(
        viewport=LAPTOP,
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        base_url=live_server.url,
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    problems = PageProblems()
    tab.on("response", problems.on_response)
    tab.on("pageerror", problems.on_page_error)
    yield tab
    context.close()
    assert problems.server_errors == [], f"server errors: {problems.server_errors}"
    assert problems.script_errors == [], f"JavaScript errors: {problems.script_errors}"

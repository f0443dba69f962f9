"""Gap-free document numbers: sequential rules, rollback, and many writers at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections, transaction

from crm.core.models import NumberSequence
from crm.core.numbering import next_number


@pytest.mark.django_db
def test_numbers_follow_each_other_per_kind_organization_and_year():
    with transaction.atomic():
        assert [next_number("invoice", year=2026) for _ in range(3)] == [1, 2, 3]
        assert next_number("invoice", year=2027) == 1
        assert next_number("invoice", year=2026, organization_id=7) == 1
        assert next_number("act", year=2026) == 1
        assert next_number("invoice", year=2026) == 4
    assert NumberSequence.objects.get(kind="invoice", year=2026, organization_id=0).last_number == 4


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    with transaction.atomic():
        assert next_number("deal", year=0) == 1

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        assert next_number("deal", year=0) == 2
        raise Refused
    with transaction.atomic():
        assert next_number("deal", year=0) == 2


@pytest.mark.django_db
def test_prefix_is_stored_when_the_sequence_is_created():
    with transaction.atomic():
        next_number("proposal", year=2026, prefix="КП-")
        next_number("proposal", year=2026, prefix="другой")
    assert NumberSequence.objects.get(kind="proposal").prefix == "КП-"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        next_number("deal", year=0)
    assert not NumberSequence.objects.exists()


THREADS = 8
PER_THREAD = 5


@pytest.fixture
def shared_database(tmp_path) -> Iterator[Callable[[], None]]:
    """What each writer thread calls first so that all of them share one database.

    PostgreSQL: nothing, every thread opens its own connection to the test database. SQLite: the
    test database lives in memory, and its shared-cache connections fail with "database table
    is locked" instead of waiting, unlike the file database the project runs on; so the threads
    use a file database made for this test (same settings: WAL, IMMEDIATE, busy timeout)."""
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    settings = {**connection.settings_dict, "NAME": str(tmp_path / "numbering.sqlite3")}
    wrapper = type(connections["default"])

    def use_file_database() -> None:
        connections["default"] = wrapper(settings, alias="default")

    main = wrapper(settings, alias="default")
    with main.schema_editor() as editor:
        editor.create_model(NumberSequence)
    main.close()
    yield use_file_database


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_no_duplicate_and_no_gap(shared_database):
    """Each thread has its own database connection; all start at once, hold the row lock a
    little while, and one issue per thread rolls back: the committed numbers are exactly 1..N."""
    barrier = threading.Barrier(THREADS)
    committed: list[int] = []
    errors: list[BaseException] = []
    final: list[int] = []
    lock = threading.Lock()

    class RolledBack(Exception):
        pass

    def writer(index: int) -> None:
        try:
            shared_database()
            barrier.wait(timeout=30)
            for attempt in range(PER_THREAD + 1):
                try:
                    with transaction.atomic():
                        number = next_number("concurrent", year=2026)
                        time.sleep(0.002)
                        if attempt == index % (PER_THREAD + 1):
                            raise RolledBack
                except RolledBack:
                    continue
                with lock:
                    committed.append(number)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def read_final() -> None:
        shared_database()
        final.append(NumberSequence.objects.get(kind="concurrent", year=2026).last_number)
        connections.close_all()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(committed) == THREADS * PER_THREAD
    assert sorted(committed) == list(range(1, THREADS * PER_THREAD + 1))
    reader = threading.Thread(target=read_final)
    reader.start()
    reader.join(timeout=30)
    assert final == [THREADS * PER_THREAD]

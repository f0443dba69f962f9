"""The full duplicate scan: the pairs it stores, what it leaves alone, the background job."""

from __future__ import annotations

import pytest

from crm.clients.models import (
    Client,
    ClientContact,
    ClientDuplicate,
    ClientStatus,
    ContactDuplicate,
    DuplicateStatus,
    Merge,
)
from crm.clients.selectors.duplicate_review import DUPLICATE_SCAN_JOB
from crm.clients.services.duplicates import (
    client_duplicate_dismiss,
    duplicate_scan,
    duplicate_scan_start,
)
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.jobs import run_pending
from crm.core.models import AuditEntry, Job, JobStatus

pytestmark = pytest.mark.django_db


def pairs(model=ClientDuplicate):
    return {
        (row.first.name, row.second.name): (row.score, row.reasons, row.status)
        for row in model.objects.select_related("first", "second")
    }


def contact_pairs():
    return {
        (row.first.full_name, row.second.full_name): (row.score, row.reasons, row.status)
        for row in ContactDuplicate.objects.select_related("first", "second")
    }


@pytest.fixture
def base(manager):
    cards = {
        "romashka": ClientFactory(
            owner=manager, name="ООО «Ромашка Плюс»", inn="7707083893", kpp="770701001"
        ),
        "romashka_again": ClientFactory(
            owner=manager, name="Плюс Ромашка ООО", inn="", kpp="", phone="+74951234567"
        ),
        "romashka_typo": ClientFactory(
            owner=manager, name="ООО «Ромшка Плюс»", inn="", kpp="", phone="+74951234567"
        ),
        "vasilek": ClientFactory(
            owner=manager, name="АО «Василёк»", inn="7736050003", email="info@vasilek.ru"
        ),
        "vasilek_mail": ClientFactory(
            owner=manager, name="Цветы", inn="", kpp="", email="buh@vasilek.ru"
        ),
        "lutik": ClientFactory(owner=manager, name="ООО «Лютик»"),
        "lutik_namesake": ClientFactory(owner=manager, name="ООО «Лютик»"),  # another ИНН
        "archived": ClientFactory(
            owner=manager, name="Ромашка Плюс", inn="", status=ClientStatus.ARCHIVED
        ),
    }
    return cards


EXPECTED = {
    ("ООО «Ромашка Плюс»", "Плюс Ромашка ООО"): (
        100,
        ["Похожее название (100 %)"],
        DuplicateStatus.NEW,
    ),
    ("Плюс Ромашка ООО", "ООО «Ромшка Плюс»"): (
        100,
        ["Похожее название (96 %)", "Совпадает телефон +74951234567"],
        DuplicateStatus.NEW,
    ),
    ("ООО «Ромашка Плюс»", "ООО «Ромшка Плюс»"): (
        96,
        ["Похожее название (96 %)"],
        DuplicateStatus.NEW,
    ),
    ("АО «Василёк»", "Цветы"): (55, ["Почта на одном домене vasilek.ru"], DuplicateStatus.NEW),
}


def test_scan_stores_exactly_the_expected_pairs(base):
    result = duplicate_scan()
    assert pairs() == EXPECTED
    assert all(row.first_id < row.second_id for row in ClientDuplicate.objects.all())
    assert result["clients"] == {
        "cards": 7,  # the archived card is not scanned
        "pairs": 4,
        "created": 4,
        "updated": 0,
        "removed": 0,
        "answered": 0,
        "new": 4,
    }


def test_a_second_scan_changes_nothing(base):
    duplicate_scan()
    ids = set(ClientDuplicate.objects.values_list("pk", flat=True))
    result = duplicate_scan()
    assert set(ClientDuplicate.objects.values_list("pk", flat=True)) == ids
    assert result["clients"]["created"] == result["clients"]["updated"] == 0
    assert pairs() == EXPECTED


def test_dismissed_and_merged_pairs_are_not_reopened(base, manager):
    duplicate_scan()
    dismissed = ClientDuplicate.objects.get(first=base["romashka"], second=base["romashka_again"])
    client_duplicate_dismiss(by=manager, pair=dismissed)
    ClientDuplicate.objects.filter(first=base["vasilek"]).update(status=DuplicateStatus.MERGED)

    result = duplicate_scan()

    expected = dict(EXPECTED)
    expected[("ООО «Ромашка Плюс»", "Плюс Ромашка ООО")] = (
        100,
        ["Похожее название (100 %)"],
        DuplicateStatus.DISMISSED,
    )
    expected[("АО «Василёк»", "Цветы")] = (
        55,
        ["Почта на одном домене vasilek.ru"],
        DuplicateStatus.MERGED,
    )
    assert pairs() == expected
    assert result["clients"]["answered"] == 2
    entry = AuditEntry.objects.get(content_type__model="clientduplicate")
    assert (entry.object_id, entry.changes, entry.comment) == (
        str(dismissed.pk),
        {"status": ["new", "dismissed"]},
        "Отмечено «не дубли»",
    )


def test_stale_new_pairs_are_refreshed_and_removed(base):
    duplicate_scan()
    # The typo is corrected: the pair gets the new score; the mail moves to another domain:
    # the pair is gone.
    Client.objects.filter(pk=base["romashka_typo"].pk).update(name="ООО «Ромашка Плюс»")
    Client.objects.filter(pk=base["vasilek_mail"].pk).update(email="buh@cvety.ru")

    result = duplicate_scan()

    assert pairs()[("ООО «Ромашка Плюс»", "ООО «Ромашка Плюс»")] == (
        100,
        ["Похожее название (100 %)"],
        DuplicateStatus.NEW,
    )
    assert ("АО «Василёк»", "Цветы") not in pairs()
    assert result["clients"]["removed"] == 1
    assert result["clients"]["updated"] == 2


def test_contact_persons_are_scanned_with_their_links(manager):
    client = ClientFactory(owner=manager, name="ООО «Ромашка»")
    other = ClientFactory(owner=manager, name="ООО «Василёк»")
    ivanov = ContactPersonFactory(
        last_name="Иванов", first_name="Иван", middle_name="Петрович", mobile_phone="+79161234567"
    )
    again = ContactPersonFactory(
        last_name="Иванов", first_name="Иван", middle_name="", phone="+79161234567"
    )
    reception = ContactPersonFactory(last_name="Сидорова", first_name="Анна", phone="+79161234567")
    alone = ContactPersonFactory(last_name="Иванов", first_name="Иван", middle_name="Петрович")
    for person, card in ((ivanov, client), (again, other), (reception, client)):
        ClientContact.objects.create(client=card, contact=person)

    result = duplicate_scan()

    # `alone` works for nobody: not compared. The shared phone with another name is no reason.
    assert contact_pairs() == {
        ("Иванов Иван Петрович", "Иванов Иван"): (
            100,
            ["Похожее имя (95 %)", "Совпадает телефон +79161234567"],
            DuplicateStatus.NEW,
        )
    }
    assert result["contacts"]["cards"] == 3
    assert alone.pk not in ContactDuplicate.objects.values_list("first_id", flat=True)


def test_a_merged_contact_person_is_not_compared_again(manager):
    client = ClientFactory(owner=manager)
    first = ContactPersonFactory(last_name="Иванов", first_name="Иван", mobile_phone="+79161234567")
    second = ContactPersonFactory(
        last_name="Иванов", first_name="Иван", mobile_phone="+79161234567"
    )
    for person in (first, second):
        ClientContact.objects.create(client=client, contact=person, is_main=person is first)
    Merge.objects.create(kind="contact", kept_id=first.pk, merged_id=second.pk, by=manager)
    duplicate_scan()
    assert contact_pairs() == {}


def test_the_background_job_reports_progress_and_the_result(base, manager):
    job = duplicate_scan_start(by=manager)
    assert duplicate_scan_start(by=manager) == job  # one scan at a time
    assert run_pending(worker_id="t") == 1
    job.refresh_from_db()
    assert (job.kind, job.status, job.progress) == (DUPLICATE_SCAN_JOB, JobStatus.DONE, 100)
    assert job.result["clients"]["new"] == 4
    assert job.result["contacts"]["new"] == 0
    assert pairs() == EXPECTED
    assert duplicate_scan_start(by=manager) != job  # done: a new scan may start
    assert Job.objects.filter(kind=DUPLICATE_SCAN_JOB).count() == 2


def test_a_big_base_scores_contact_persons_in_a_second_process(base, manager, monkeypatch):
    """The same result when the contacts are scored in a spawned process."""
    import crm.clients.services.duplicates as duplicates

    card = ClientFactory(owner=manager, name="ООО «Другое»")
    for middle in ("Петрович", ""):
        person = ContactPersonFactory(
            last_name="Иванов", first_name="Иван", middle_name=middle, email="ivanov@x.ru"
        )
        ClientContact.objects.create(client=card, contact=person, is_main=middle == "")
    monkeypatch.setattr(duplicates, "PARALLEL_FROM", 0)
    result = duplicate_scan()
    assert pairs() == EXPECTED
    assert contact_pairs() == {
        ("Иванов Иван Петрович", "Иванов Иван"): (
            100,
            ["Похожее имя (95 %)", "Совпадает e-mail ivanov@x.ru"],
            DuplicateStatus.NEW,
        )
    }
    assert result["contacts"]["new"] == 1

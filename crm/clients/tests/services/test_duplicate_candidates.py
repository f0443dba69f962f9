"""The duplicate check as the form is typed (client_duplicate_candidates): which clients reach
the scoring, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.clients.models import ClientContact, ClientStatus
from crm.clients.selectors import duplicates
from crm.clients.selectors.duplicates import client_duplicate_candidates
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory

pytestmark = pytest.mark.django_db


def found(**typed):
    return [
        (candidate.client.name, candidate.match.reasons[0])
        for candidate in client_duplicate_candidates(**typed)
    ]


@pytest.fixture
def small_block(monkeypatch):
    """Two clients a block: the names that sort first would fill a block of 300 at 100 000."""
    monkeypatch.setattr(duplicates, "NAME_BLOCK_LIMIT", 2)


def test_same_phone_inn_or_email_is_found_however_many_names_match(manager, small_block):
    for n in (1, 2, 3):
        ClientFactory(owner=manager, name=f"ООО «Альфа {n}»", inn="", phone="")
    ClientFactory(owner=manager, name="ООО «Ясень»", inn="", phone="+74951234567")
    ClientFactory(owner=manager, name="ООО «Ясень-2»", inn="7707083893", phone="")
    ClientFactory(owner=manager, name="ООО «Ясень-3»", inn="", phone="", email="buh@yasen.ru")
    by_phone = found(name="Альфа", phone="8 (495) 123-45-67")
    assert ("ООО «Ясень»", "Совпадает телефон +74951234567") in by_phone
    by_inn = found(name="Альфа", inn="7707083893")
    assert ("ООО «Ясень-2»", "Совпадает ИНН 7707083893") in by_inn
    by_email = found(name="Альфа", email="BUH@Yasen.ru")
    assert ("ООО «Ясень-3»", "Совпадает e-mail buh@yasen.ru") in by_email


def test_names_with_most_of_the_typed_words_come_first(manager, small_block):
    ClientFactory(owner=manager, name="ООО «Альфа Плюс»", inn="", phone="")
    ClientFactory(owner=manager, name="ООО «Бета Плюс»", inn="", phone="")
    ClientFactory(owner=manager, name="ООО «Яблоко Бета Плюс»", inn="", phone="")
    names = [name for name, _ in found(name="ООО «Яблоко Бета Плюс»")]
    assert names[0] == "ООО «Яблоко Бета Плюс»"


def test_contact_persons_phone_and_email_and_the_company_domain(manager):
    with_contact = ClientFactory(owner=manager, name="ООО «Берёза»", inn="", phone="")
    person = ContactPersonFactory(mobile_phone="+79161234567", email="petrov@bereza.ru")
    ClientContact.objects.create(client=with_contact, contact=person)
    ClientFactory(owner=manager, name="ООО «Осина»", inn="", phone="", email="info@osina.ru")
    ClientFactory(owner=manager, name="ООО «Общая почта»", inn="", phone="", email="a@mail.ru")
    assert found(phone="+7 916 123-45-67") == [("ООО «Берёза»", "Совпадает телефон +79161234567")]
    assert found(email="petrov@bereza.ru") == [
        ("ООО «Берёза»", "Совпадает e-mail petrov@bereza.ru")
    ]
    assert found(email="Director@OSINA.ru") == [("ООО «Осина»", "Почта на одном домене osina.ru")]
    assert found(email="b@mail.ru") == []  # a public mail service is no company's domain
    assert found(email="info@sina.ru") == []  # the whole domain, not its end


def test_merged_and_excluded_clients_are_left_out(manager):
    merged = ClientFactory(owner=manager, name="ООО «Дуб»", inn="7707083893", phone="")
    merged.status = ClientStatus.MERGED
    merged.save(update_fields=["status"])
    kept = ClientFactory(owner=manager, name="ООО «Дуб-Центр»", inn="7707083893", phone="")
    assert [name for name, _ in found(inn="7707083893")] == ["ООО «Дуб-Центр»"]
    assert found(inn="7707083893", exclude_id=kept.pk) == []


def test_no_like_on_sqlite(manager):
    """SQLite's LIKE is a Python function here (crm.core.db): the check must not run it over
    every client; PostgreSQL's LIKE is served by the trigram indexes."""
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="7707083893", phone="+74951234567")
    with CaptureQueriesContext(connection) as captured:
        rows = found(name="Ромашка Юг", phone="+74951234567", email="x@romashka.ru")
    assert [name for name, _ in rows] == ["ООО «Ромашка»"]
    if connection.vendor == "sqlite":
        assert " LIKE " not in " ".join(q["sql"] for q in captured.captured_queries).upper()

"""The quick search of the client list and the API (ClientFilter.query): the same answers on
SQLite and PostgreSQL, each through its own index-friendly SQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from crm.clients.models import ClientKind, ClientStatus
from crm.clients.selectors import ClientFilter, client_list
from crm.clients.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def found(user, query):
    return [c.name for c in client_list(user=user, filters=ClientFilter(query=query))]


@pytest.fixture
def base(manager):
    ClientFactory(
        owner=manager,
        name="ООО «Ромашка»",
        inn="7707083893",
        phone="+74951234567",
        email="info@romashka.ru",
    )
    ClientFactory(
        owner=manager,
        name="ИП Ёлкин Пётр Иванович",
        kind=ClientKind.ENTREPRENEUR,
        kpp="",
        inn="500100732259",
        phone="+79161234567",
        email="",
    )
    ClientFactory(owner=manager, name="Василёк", inn="", phone="", email="Sales@Vasilek.RU")
    ClientFactory(owner=manager, name="ООО «Склад 770708»", inn="3664069397", phone="")
    ClientFactory(owner=manager, name="ООО «100%_Качество»", inn="", phone="")
    ClientFactory(
        owner=manager,
        name="ООО «Ромашка-Архив»",
        inn="7707083001",
        phone="+74951234567",
        status=ClientStatus.ARCHIVED,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # a fragment of the name, in any case, ё or е
        ("ромаш", ["ООО «Ромашка»"]),
        ("РОМАШКА", ["ООО «Ромашка»"]),
        ("  Ромаш  ", ["ООО «Ромашка»"]),
        ("ёлкин", ["ИП Ёлкин Пётр Иванович"]),
        ("ЕЛКИН ПЕТР", ["ИП Ёлкин Пётр Иванович"]),
        ("асилё", ["Василёк"]),
        # LIKE's wildcards are plain characters
        ("100%", ["ООО «100%_Качество»"]),
        ("%", ["ООО «100%_Качество»"]),
        ("_", ["ООО «100%_Качество»"]),
        # the ИНН from its start (four digits or more), also a prefix ending in 9
        ("7707", ["ООО «Ромашка»", "ООО «Склад 770708»"]),
        ("770708389", ["ООО «Ромашка»"]),
        ("7707083893", ["ООО «Ромашка»"]),
        ("5001 0073", ["ИП Ёлкин Пётр Иванович"]),
        ("070838", []),  # not the start of the ИНН, in no name or phone
        ("366", []),  # three digits: the name only, not the ИНН 3664…
        # the name and the ИНН prefix at once: each client once
        ("770708", ["ООО «Ромашка»", "ООО «Склад 770708»"]),
        # a phone as people type it, normalized
        ("8 (495) 123-45-67", ["ООО «Ромашка»"]),
        ("+7 916 123 45 67", ["ИП Ёлкин Пётр Иванович"]),
        ("89161234567", ["ИП Ёлкин Пётр Иванович"]),
        # digits that are no phone number: the phones containing them
        ("1234567", ["ИП Ёлкин Пётр Иванович", "ООО «Ромашка»"]),
        ("4951234", ["ООО «Ромашка»"]),
        # the e-mail, in any case
        ("INFO@Romashka.ru", ["ООО «Ромашка»"]),
        ("sales@vasilek.ru", ["Василёк"]),
        ("info@romashka", []),
        ("не найдётся", []),
    ],
)
def test_search_finds_by_name_inn_phone_and_email(administrator, base, query, expected):
    assert found(administrator, query) == expected


def test_search_keeps_the_other_filters_and_the_scope(manager, other_manager, base):
    ClientFactory(owner=other_manager, name="ООО «Ромашка Юг»", inn="7707000001")
    assert found(manager, "ромаш") == ["ООО «Ромашка»"]
    archived = client_list(
        user=manager, filters=ClientFilter(query="7707", status=ClientStatus.ARCHIVED)
    )
    assert [c.name for c in archived] == ["ООО «Ромашка-Архив»"]


def test_list_page_and_api_count_the_same_matches(client, administrator, base):
    client.force_login(administrator)
    for query, count in (("770708", 2), ("8 (495) 123-45-67", 1), ("нет такого", 0)):
        page = client.get(reverse("clients:list"), {"q": query}).context["page"]
        assert page.paginator.count == count
        api = APIClient()
        api.force_authenticate(administrator)
        body = api.get("/api/v1/clients/", {"q": query}).json()
        assert body["count"] == count
        assert [row["name"] for row in body["results"]] == [c.name for c in page.object_list]


def test_search_sql_uses_no_like_on_sqlite_and_the_trigram_indexes_exist_on_postgres(
    administrator, base
):
    """SQLite's LIKE is a Python function here (crm.core.db): the search must not call it for
    every client. PostgreSQL's LIKE '%…%' needs the trigram indexes of migration 0004."""
    with CaptureQueriesContext(connection) as captured:
        assert found(administrator, "770708389") == ["ООО «Ромашка»"]
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    if connection.vendor == "sqlite":
        assert " LIKE " not in sql.upper()
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'clients_client'"
            " AND indexname = ANY(%s)",
            [
                [
                    "clients_client_name_search_trgm",
                    "clients_client_phone_trgm",
                    "clients_client_name_comparable_trgm",
                    "clients_client_email_trgm",
                    "clients_client_email_upper",
                ]
            ],
        )
        assert len(cursor.fetchall()) == 5

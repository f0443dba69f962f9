"""Pages of the duplicate review: list (scoped, filtered, constant queries), scan, dismiss,
merge side by side, undo."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.clients.models import (
    Client,
    ClientContact,
    ClientDuplicate,
    ClientStatus,
    ContactDuplicate,
    DuplicateStatus,
    Merge,
)
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.jobs import run_pending
from crm.core.models import JobStatus

pytestmark = pytest.mark.django_db


def pair(first, second, score=90, reasons=("Похожее название (90 %)",)):
    first, second = sorted((first, second), key=lambda c: c.pk)
    return ClientDuplicate.objects.create(
        first=first, second=second, score=score, reasons=list(reasons)
    )


def shown(response):
    return [(p.first.name, p.second.name) for p in response.context["page"].object_list]


@pytest.fixture
def base(manager, colleague, other_manager):
    own1 = ClientFactory(owner=manager, name="Своя 1")
    own2 = ClientFactory(owner=manager, name="Своя 2")
    colleague_card = ClientFactory(owner=colleague, name="Коллеги")
    other_card = ClientFactory(owner=other_manager, name="Чужая")
    return {
        "own": pair(own1, own2, score=95),
        "with_colleague": pair(own1, colleague_card, score=85),
        "with_other": pair(colleague_card, other_card, score=75),
        "cards": (own1, own2, colleague_card, other_card),
    }


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("manager", [("Своя 1", "Своя 2")]),
        ("head", [("Своя 1", "Своя 2"), ("Своя 1", "Коллеги")]),
        ("administrator", [("Своя 1", "Своя 2"), ("Своя 1", "Коллеги"), ("Коллеги", "Чужая")]),
    ],
)
def test_pairs_are_shown_only_when_both_cards_are_visible(client, base, request, user, expected):
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("clients:duplicates"))
    assert response.status_code == 200
    assert shown(response) == expected


def test_min_score_filter_and_answered_or_merged_pairs_are_hidden(client, base, administrator):
    base["own"].status = DuplicateStatus.DISMISSED
    base["own"].save()
    Client.objects.filter(pk=base["cards"][3].pk).update(status=ClientStatus.MERGED)
    client.force_login(administrator)
    assert shown(client.get(reverse("clients:duplicates"))) == [("Своя 1", "Коллеги")]
    assert shown(client.get(reverse("clients:duplicates"), {"min_score": "90"})) == []
    assert shown(client.get(reverse("clients:duplicates"), {"min_score": "abc"})) == [
        ("Своя 1", "Коллеги")
    ]


def test_the_page_shows_names_score_reasons_and_actions(client, base, manager):
    client.force_login(manager)
    content = client.get(reverse("clients:duplicates")).content.decode()
    assert "Своя 1" in content and "Своя 2" in content
    assert "95&nbsp;%" in content
    assert "Похожее название (90 %)" in content
    own1, own2 = base["cards"][:2]
    assert reverse("clients:merge", args=[own1.pk, own2.pk]) in content
    assert reverse("clients:duplicate_dismiss", args=[base["own"].pk]) in content
    assert "Найти дубли" in content


def test_groups_join_connected_pairs(client, base, administrator):
    client.force_login(administrator)
    response = client.get(reverse("clients:duplicates"), {"view": "groups"})
    groups = response.context["groups"]
    assert [[c.name for c in group.clients] for group in groups] == [
        ["Своя 1", "Своя 2", "Коллеги", "Чужая"]
    ]
    assert [g.best_score for g in groups] == [95]


def test_list_query_count_does_not_grow_with_rows(client, administrator, manager):
    def count_queries(view=""):
        client.force_login(administrator)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("clients:duplicates"), {"view": view} if view else {})
        assert response.status_code == 200
        return len(queries)

    for _ in range(2):
        pair(ClientFactory(owner=manager), ClientFactory(owner=manager))
    few, few_groups = count_queries(), count_queries("groups")
    for _ in range(30):
        pair(ClientFactory(owner=manager), ClientFactory(owner=manager))
    assert count_queries() == few
    assert count_queries("groups") == few_groups


def test_contact_pairs_tab_and_its_query_count(client, manager, other_manager):
    card = ClientFactory(owner=manager, name="ООО «Ромашка»")

    def add_pair(owner_card):
        first = ContactPersonFactory(last_name="Иванов", first_name="Иван")
        second = ContactPersonFactory(last_name="Иванов", first_name="Иван")
        for person in (first, second):
            ClientContact.objects.create(client=owner_card, contact=person)
        return ContactDuplicate.objects.create(
            first=first, second=second, score=70, reasons=["Похожее имя (100 %)"]
        )

    add_pair(card)
    add_pair(ClientFactory(owner=other_manager))  # not the manager's
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("clients:contact_duplicates"))
    few = len(queries)
    assert len(response.context["page"].object_list) == 1
    assert "ООО «Ромашка»" in response.content.decode()
    for _ in range(10):
        add_pair(card)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("clients:contact_duplicates"))
    assert len(response.context["page"].object_list) == 11
    assert len(queries) == few


def test_scan_starts_shows_progress_and_reloads_the_list_when_done(client, manager, administrator):
    ClientFactory(owner=manager, name="ООО «Ромашка»", inn="", kpp="")
    ClientFactory(owner=manager, name="Ромашка ООО", inn="", kpp="")
    client.force_login(administrator)
    response = client.post(reverse("clients:duplicate_scan"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Поиск дублей в очереди" in content
    job = response.context["scan"]
    status_url = reverse("clients:duplicate_scan_status", args=[job.pk])
    assert f'hx-get="{status_url}?polling=1"' in content
    run_pending(worker_id="t")
    response = client.get(status_url, {"polling": "1"}, HTTP_HX_REQUEST="true")
    assert response.context["scan"].status == JobStatus.DONE
    assert response["HX-Trigger"] == "duplicates-scan-done"
    assert "пар клиентов: 1" in response.content.decode()
    assert shown(client.get(reverse("clients:duplicates"))) == [("ООО «Ромашка»", "Ромашка ООО")]
    # A manager sees the pairs of their own cards, not the totals of the whole base.
    client.force_login(manager)
    content = client.get(reverse("clients:duplicates")).content.decode()
    assert "Последний поиск:" in content
    assert "пар клиентов" not in content


def test_scan_without_htmx_redirects_with_a_message(client, manager):
    client.force_login(manager)
    response = client.post(reverse("clients:duplicate_scan"), follow=True)
    assert response.redirect_chain == [(reverse("clients:duplicates"), 302)]
    assert "Поиск дублей запущен" in response.content.decode()


def test_dismiss_removes_the_row_and_another_users_pair_is_404(client, base, manager):
    client.force_login(manager)
    response = client.post(
        reverse("clients:duplicate_dismiss", args=[base["own"].pk]), HTTP_HX_REQUEST="true"
    )
    assert (response.status_code, response.content) == (200, b"")
    base["own"].refresh_from_db()
    assert base["own"].status == DuplicateStatus.DISMISSED
    response = client.post(reverse("clients:duplicate_dismiss", args=[base["with_other"].pk]))
    assert response.status_code == 404
    base["with_other"].refresh_from_db()
    assert base["with_other"].status == DuplicateStatus.NEW


@pytest.fixture
def couple(manager):
    kept = ClientFactory(
        owner=manager, name="ООО «Ромашка»", phone="+74951234567", email="", region="Москва"
    )
    merged = ClientFactory(
        owner=manager,
        name="Ромашка ООО",
        inn="",
        kpp="",
        phone="+74957654321",
        email="info@romashka.ru",
        region="Москва",
    )
    return kept, merged


def test_merge_page_shows_the_differing_fields_side_by_side(client, couple, manager):
    kept, merged = couple
    client.force_login(manager)
    response = client.get(reverse("clients:merge", args=[kept.pk, merged.pk]))
    assert response.status_code == 200
    rows = {
        row["name"]: (row["kept"], row["merged"], row["choice"]) for row in response.context["rows"]
    }
    assert rows == {
        "name": ("ООО «Ромашка»", "Ромашка ООО", "kept"),
        "inn": (kept.inn, "", "kept"),
        "kpp": ("770101001", "", "kept"),
        "phone": ("+7 495 123-45-67", "+7 495 765-43-21", "kept"),
        "email": ("", "info@romashka.ru", "merged"),
    }
    content = response.content.decode()
    assert 'name="choice_phone" id="c-phone-merged" value="merged"' in content
    assert "choice_region" not in content  # the same on both: nothing to choose
    assert reverse("clients:merge", args=[merged.pk, kept.pk]) in content  # swap


@pytest.mark.parametrize("which", ["kept", "merged"])
def test_merge_of_a_card_the_user_cannot_see_is_404(client, couple, manager, other_manager, which):
    kept, merged = couple
    stranger = ClientFactory(owner=other_manager)
    args = [stranger.pk, merged.pk] if which == "kept" else [kept.pk, stranger.pk]
    client.force_login(manager)
    assert client.get(reverse("clients:merge", args=args)).status_code == 404
    assert client.post(reverse("clients:merge", args=args)).status_code == 404
    assert Merge.objects.count() == 0


def test_merge_post_merges_and_the_undo_button_separates_again(client, couple, manager):
    kept, merged = couple
    client.force_login(manager)
    response = client.post(
        reverse("clients:merge", args=[kept.pk, merged.pk]),
        {"choice_phone": "merged", "choice_name": "kept"},
    )
    merge = Merge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:merge_detail", args=[merge.pk])
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert (kept.phone, kept.email, merged.status) == (
        "+74957654321",
        "info@romashka.ru",
        ClientStatus.MERGED,
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Отменить объединение" in detail
    assert "Телефон" in detail or "телефон" in detail

    response = client.post(reverse("clients:merge_undo", args=[merge.pk]), follow=True)
    assert "Объединение отменено" in response.content.decode()
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert (kept.phone, kept.email, merged.status) == ("+74951234567", "", ClientStatus.ACTIVE)
    response = client.post(reverse("clients:merge_undo", args=[merge.pk]), follow=True)
    assert "Это объединение уже отменено" in response.content.decode()


def test_merge_with_a_bad_combination_is_a_400_naming_the_field(client, couple, manager):
    kept, merged = couple
    Client.objects.filter(pk=merged.pk).update(kind="person")
    client.force_login(manager)
    response = client.post(
        reverse("clients:merge", args=[kept.pk, merged.pk]), {"choice_kind": "merged"}
    )
    assert response.status_code == 400
    assert "КПП бывает только у организации" in response.content.decode()
    assert Merge.objects.count() == 0


def test_merge_detail_of_another_users_merge_is_404(client, couple, manager, other_manager):
    from crm.clients.services.merge import client_merge

    merge = client_merge(by=manager, kept=couple[0], merged=couple[1])
    client.force_login(other_manager)
    assert client.get(reverse("clients:merge_detail", args=[merge.pk])).status_code == 404
    assert client.post(reverse("clients:merge_undo", args=[merge.pk])).status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_contact_merge_page(client, manager, other_manager):
    card = ClientFactory(owner=manager)
    kept = ContactPersonFactory(last_name="Иванов", first_name="Иван", middle_name="")
    merged = ContactPersonFactory(last_name="Иванов", first_name="Иван", middle_name="Петрович")
    hidden = ContactPersonFactory(last_name="Скрытов", first_name="Пётр")
    for person in (kept, merged):
        ClientContact.objects.create(client=card, contact=person)
    ClientContact.objects.create(client=ClientFactory(owner=other_manager), contact=hidden)
    client.force_login(manager)
    url = reverse("clients:contact_merge", args=[kept.pk, merged.pk])
    response = client.get(url)
    assert [row["name"] for row in response.context["rows"]] == ["middle_name"]
    assert (
        client.get(reverse("clients:contact_merge", args=[kept.pk, hidden.pk])).status_code == 404
    )
    response = client.post(url, {"choice_middle_name": "merged"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.full_name == "Иванов Иван Петрович"


def test_client_list_links_to_the_duplicates_page(client, manager):
    client.force_login(manager)
    content = client.get(reverse("clients:list")).content.decode()
    assert f'href="{reverse("clients:duplicates")}"' in content

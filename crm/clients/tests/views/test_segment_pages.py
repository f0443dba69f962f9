"""Pages of segments: list filters, saved filters, group change with preview and undo, purge,
catalogs; query counts of the list."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.clients.models import Client, ClientStatus, GroupChange, Industry, SavedFilter, Tag
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def names(response):
    return [client.name for client in response.context["page"].object_list]


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The list ---------------------------------------------------------------------------------------


def test_list_filters_by_query_string_and_keeps_it_in_links(client, administrator, manager):
    vip = Tag.objects.create(name="VIP")
    found = ClientFactory(owner=manager, name="ООО «Найдётся»", region="Тверь", size="small")
    found.tags.set([vip])
    ClientFactory(owner=manager, name="ООО «Не та»", region="Тверь")
    client.force_login(administrator)
    response = client.get(reverse("clients:list"), {"region": "Тверь", "tags": vip.pk})
    assert names(response) == ["ООО «Найдётся»"]
    content = response.content.decode()
    assert 'hx-push-url="true"' in content
    assert 'id="more-filters"' in content
    assert "collapse w-100 show" in content  # a rarer filter is set: "Ещё фильтры" is open
    assert f'name="query" value="region=%D0%A2%D0%B2%D0%B5%D1%80%D1%8C&amp;tags={vip.pk}"' in (
        content
    )


def test_unknown_sort_falls_back_to_name(client, administrator, manager):
    ClientFactory(owner=manager, name="Б")
    ClientFactory(owner=manager, name="А")
    client.force_login(administrator)
    response = client.get(reverse("clients:list"), {"sort": "owner__password"})
    assert response.status_code == 200
    assert names(response) == ["А", "Б"]


def test_page_size_choice(client, administrator, manager):
    ClientFactory.create_batch(30, owner=manager)
    client.force_login(administrator)
    assert len(names(client.get(reverse("clients:list"), {"per_page": "25"}))) == 25
    assert len(names(client.get(reverse("clients:list")))) == 30


def test_manager_sees_no_owner_or_department_filter(client, manager, administrator):
    client.force_login(manager)
    content = client.get(reverse("clients:list")).content.decode()
    assert 'name="owner"' not in content
    assert 'name="department"' not in content
    client.force_login(administrator)
    content = client.get(reverse("clients:list")).content.decode()
    assert 'name="owner"' in content
    assert 'name="department"' in content


def list_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("clients:list"), params)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"per_page": "200"},
        {"kind": "company", "region": "Москва", "size": "small", "needs_completion": "0"},
        {"sort": "-completeness", "created_from": "2020-01-01", "q": "клиент"},
    ],
)
def test_list_queries_do_not_grow_with_rows(client, administrator, manager, params):
    vip, partner = Tag.objects.create(name="VIP"), Tag.objects.create(name="Партнёр")
    source, industry = LeadSourceFactory(name="Сайт"), Industry.objects.create(name="Розница")
    params = {**params, "tags": [vip.pk, partner.pk], "source": source.pk, "industry": industry.pk}
    params["owner"] = manager.pk

    def batch(count):
        for _ in range(count):
            card = ClientFactory(
                owner=manager, region="Москва", size="small", source=source, industry=industry
            )
            card.tags.set([vip, partner])

    client.force_login(administrator)
    batch(3)
    few, response = list_queries(client, params)
    assert len(names(response)) == 3
    batch(40)
    many, response = list_queries(client, params)
    assert len(names(response)) == 43
    assert many == few


def test_htmx_list_queries_are_fixed_too(client, administrator, manager):
    client.force_login(administrator)
    ClientFactory.create_batch(3, owner=manager)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("clients:list"), HTTP_HX_REQUEST="true")
    ClientFactory.create_batch(40, owner=manager)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("clients:list"), HTTP_HX_REQUEST="true")
    assert len(many) == len(few)


# Saved filters --------------------------------------------------------------------------------


def test_save_apply_and_delete_a_filter(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("clients:saved_filter_save"),
        {"name": "Мои ИП", "query": "kind=entrepreneur&page=4"},
    )
    assert response.status_code == 302
    assert response.url == "/clients/?kind=entrepreneur"
    saved = SavedFilter.objects.get(user=manager)
    assert (saved.name, saved.query) == ("Мои ИП", "kind=entrepreneur")
    content = client.get(reverse("clients:list")).content.decode()
    assert 'href="/clients/?kind=entrepreneur">Мои ИП</a>' in content
    client.post(reverse("clients:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Укажите название фильтра"), ("мои ип", "Фильтр с таким названием у вас уже есть")],
)
def test_saved_filter_name_errors_in_the_menu(client, manager, name, message):
    SavedFilter.objects.create(user=manager, name="Мои ИП", query="kind=entrepreneur")
    client.force_login(manager)
    response = client.post(
        reverse("clients:saved_filter_save"),
        {"name": name, "query": "kind=company"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SavedFilter.objects.count() == 1


def test_another_users_saved_filter_is_404(client, manager, colleague):
    theirs = SavedFilter.objects.create(user=colleague, name="Их", query="kind=company")
    client.force_login(manager)
    assert client.post(reverse("clients:saved_filter_delete", args=[theirs.pk])).status_code == 404
    assert "Их" not in client.get(reverse("clients:list")).content.decode()
    assert SavedFilter.objects.count() == 1


# Group change ---------------------------------------------------------------------------------


@pytest.fixture
def cards(manager, colleague, other_manager):
    return {
        "own1": ClientFactory(owner=manager, name="А-своя"),
        "own2": ClientFactory(owner=manager, name="Б-своя"),
        "colleague": ClientFactory(owner=colleague, name="В-коллеги"),
        "other": ClientFactory(owner=other_manager, name="Г-чужая"),
    }


def group_post(client, data):
    return client.post(reverse("clients:group_change"), data)


def test_preview_states_the_count_before_confirming(client, head, cards):
    retail = Industry.objects.create(name="Розница")
    client.force_login(head)
    page = client.get(reverse("clients:group_change"), {"scope": "filter", "query": ""})
    assert page.status_code == 200
    assert "Все карточки по фильтру списка: <strong>3</strong>" in page.content.decode()
    data = {"scope": "filter", "query": "", "action": "industry", "industry": retail.pk}
    preview = group_post(client, {**data, "step": "preview"})
    assert preview.context["preview"] == "Будет изменено 3 карточки"
    assert "Подтвердить и изменить" in preview.content.decode()
    assert not Client.objects.filter(industry=retail).exists()  # nothing yet
    applied = group_post(client, {**data, "step": "apply"})
    assert applied.status_code == 302
    assert flash(applied) == ["Указать отрасль: Розница. Изменено 3 карточки."]
    assert sorted(Client.objects.filter(industry=retail).values_list("name", flat=True)) == [
        "А-своя",
        "Б-своя",
        "В-коллеги",
    ]
    assert AuditEntry.objects.filter(action="update", content_type__model="client").count() == 3


def test_group_change_on_the_filter_of_the_list(client, administrator, cards, manager):
    client.force_login(administrator)
    data = {"scope": "filter", "query": f"owner={manager.pk}", "action": "region"}
    response = group_post(client, {**data, "region": "Казань", "step": "preview"})
    assert response.context["preview"] == "Будет изменено 2 карточки"
    group_post(client, {**data, "region": "Казань", "step": "apply"})
    regions = dict(Client.objects.values_list("name", "region"))
    assert regions == {"А-своя": "Казань", "Б-своя": "Казань", "В-коллеги": "", "Г-чужая": ""}


def test_posted_ids_of_others_are_ignored(client, manager, cards):
    client.force_login(manager)
    ids = [card.pk for card in cards.values()]
    data = {"scope": "selected", "ids": ids, "action": "size", "size": "large"}
    preview = group_post(client, {**data, "step": "preview"})
    assert preview.context["total"] == 2
    assert preview.context["preview"] == "Будет изменено 2 карточки"
    group_post(client, {**data, "step": "apply"})
    sizes = dict(Client.objects.values_list("name", "size"))
    assert sizes == {"А-своя": "large", "Б-своя": "large", "В-коллеги": "", "Г-чужая": ""}


def test_selection_of_only_others_cards_changes_nothing(client, manager, cards):
    client.force_login(manager)
    response = group_post(
        client,
        {"scope": "selected", "ids": [cards["other"].pk], "action": "archive", "step": "apply"},
    )
    assert response.status_code == 302
    assert flash(response) == [
        "Отметьте карточки в списке или выберите «все по фильтру» — менять пока нечего."
    ]
    assert Client.objects.get(pk=cards["other"].pk).status == ClientStatus.ACTIVE


def test_manager_cannot_reassign(client, manager, colleague, cards):
    client.force_login(manager)
    page = client.get(reverse("clients:group_change"), {"scope": "filter"})
    assert 'value="owner"' not in page.content.decode()
    response = group_post(
        client,
        {"scope": "filter", "action": "owner", "owner": colleague.pk, "step": "apply"},
    )
    assert response.status_code == 200
    assert "action" in response.context["form"].errors
    assert Client.objects.filter(owner=colleague).count() == 1
    assert GroupChange.objects.count() == 0


def test_value_errors_land_on_the_actions_field(client, head, cards):
    client.force_login(head)
    response = group_post(client, {"scope": "filter", "action": "owner", "step": "preview"})
    assert response.context["form"].errors == {
        "owner": ["Выберите работающего сотрудника из доступных вам"]
    }


def test_undo_from_the_list(client, manager, cards):
    client.force_login(manager)
    group_post(
        client,
        {"scope": "filter", "action": "region", "region": "Омск", "step": "apply"},
    )
    content = client.get(reverse("clients:list")).content.decode()
    assert "Отменить последнее групповое изменение" in content
    response = client.post(reverse("clients:group_change_undo"))
    assert response.status_code == 302
    assert flash(response) == [
        "Групповое изменение отменено: Указать регион: Омск. Изменено 2 карточки."
    ]
    assert set(Client.objects.values_list("region", flat=True)) == {""}
    assert (
        "Отменить последнее групповое изменение"
        not in client.get(reverse("clients:list")).content.decode()
    )


def test_undo_refused_after_a_later_change(client, manager, cards):
    client.force_login(manager)
    group_post(client, {"scope": "filter", "action": "region", "region": "Омск", "step": "apply"})
    client.post(
        reverse("clients:edit", args=[cards["own1"].pk]),
        {"kind": "company", "name": "А-своя", "region": "Томск", "inn": cards["own1"].inn},
    )
    assert Client.objects.get(pk=cards["own1"].pk).region == "Томск"
    response = client.post(reverse("clients:group_change_undo"))
    assert flash(response)[-1] == "Отменить нельзя: после группового изменения изменена 1 карточка"
    assert Client.objects.get(pk=cards["own2"].pk).region == "Омск"


# Purge ----------------------------------------------------------------------------------------


def test_purge_pages_are_for_the_administrator(client, head, cards):
    archived = ClientFactory(owner=head, status=ClientStatus.ARCHIVED)
    client.force_login(head)
    assert client.get(reverse("clients:purge_list")).status_code == 403
    assert client.post(reverse("clients:purge", args=[archived.pk])).status_code == 403
    assert Client.objects.filter(pk=archived.pk).exists()


def test_purge_refused_with_the_blocker_named(client, administrator, manager):
    kept = ClientFactory(owner=manager, name="ООО «Главное»", status=ClientStatus.ARCHIVED)
    ClientFactory(owner=manager, merged_into=kept, status=ClientStatus.MERGED)
    client.force_login(administrator)
    page = client.get(reverse("clients:purge", args=[kept.pk]))
    assert "Нельзя удалить: есть клиенты (1)" in page.content.decode()
    response = client.post(reverse("clients:purge", args=[kept.pk]))
    assert flash(response) == ["Нельзя удалить: есть клиенты (1)"]
    assert Client.objects.filter(pk=kept.pk).exists()


def test_purge_allowed_keeps_the_audit_row(client, administrator, manager):
    archived = ClientFactory(owner=manager, name="ООО «Старое»", status=ClientStatus.ARCHIVED)
    client.force_login(administrator)
    listing = client.get(reverse("clients:purge_list"))
    assert names(listing) == ["ООО «Старое»"]
    response = client.post(reverse("clients:purge", args=[archived.pk]))
    assert response.status_code == 302
    assert flash(response) == ["Клиент «ООО «Старое»» удалён навсегда."]
    assert not Client.objects.filter(pk=archived.pk).exists()
    entry = AuditEntry.objects.get(action="delete")
    assert (entry.object_id, entry.object_repr) == (str(archived.pk), "ООО «Старое»")
    audit_page = client.get(reverse("core:audit_log"))
    assert "ООО «Старое»" in audit_page.content.decode()


def test_purge_list_queries_are_fixed(client, administrator, manager):
    client.force_login(administrator)
    ClientFactory.create_batch(3, owner=manager, status=ClientStatus.ARCHIVED)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("clients:purge_list"))
    ClientFactory.create_batch(30, owner=manager, status=ClientStatus.ARCHIVED)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("clients:purge_list"))
    assert len(names(response)) == 33
    assert len(many) == len(few)


# Catalogs -------------------------------------------------------------------------------------


CATALOG_URLS = [
    ("clients:catalog_sources", []),
    ("clients:catalog_source_create", []),
    ("clients:catalog_industries", []),
    ("clients:catalog_industry_create", []),
    ("clients:catalog_tags", []),
    ("clients:catalog_tag_create", []),
]


@pytest.mark.parametrize(("name", "args"), CATALOG_URLS)
def test_catalogs_are_403_for_managers_and_heads(client, manager, head, name, args):
    for user in (manager, head):
        client.force_login(user)
        assert client.get(reverse(name, args=args)).status_code == 403


def test_catalog_pages_for_the_administrator(client, administrator, manager):
    source = LeadSourceFactory(name="Вебинар")
    ClientFactory(owner=manager, source=source)
    client.force_login(administrator)
    page = client.get("/clients/settings/sources/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Справочники" in content  # the settings tab
    assert "Вебинар" in content
    for url in ("/clients/settings/industries/", "/clients/settings/tags/"):
        assert client.get(url).status_code == 200
    response = client.post("/clients/settings/tags/new/", {"name": "VIP"})
    assert response.status_code == 302
    duplicate = client.post("/clients/settings/tags/new/", {"name": "vip"})
    assert duplicate.context["form"].errors == {"name": ["Метка «vip» уже есть"]}
    edit = client.post(
        f"/clients/settings/sources/{source.pk}/",
        {"name": "Вебинары", "order": "7", "is_active": "on"},
    )
    assert edit.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.order, source.is_active) == ("Вебинары", 7, True)
    deleted = client.post(f"/clients/settings/sources/{source.pk}/delete/")
    assert flash(deleted)[-1] == (
        "Источник «Вебинары» указан в карточках, поэтому он отключён, а не удалён."
    )
    source.refresh_from_db()
    assert source.is_active is False
    assert client.get(f"/clients/settings/sources/{source.pk}/").status_code == 200


def test_catalog_list_queries_are_fixed(client, administrator):
    client.force_login(administrator)
    for index in range(3):
        Tag.objects.create(name=f"Метка {index}")
    with CaptureQueriesContext(connection) as few:
        client.get("/clients/settings/tags/")
    for index in range(3, 30):
        Tag.objects.create(name=f"Метка {index}")
    with CaptureQueriesContext(connection) as many:
        client.get("/clients/settings/tags/")
    assert len(many) == len(few)


def test_catalog_history_is_the_administrators(client, administrator, manager):
    from crm.clients.services.catalogs import tag_save

    tag = tag_save(by=administrator, name="VIP")
    url = reverse("core:history", args=["clients.tag", tag.pk])
    client.force_login(administrator)
    response = client.get(url)
    assert response.status_code == 200
    assert "VIP" in response.content.decode()
    client.force_login(manager)
    assert client.get(url).status_code == 404

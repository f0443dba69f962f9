"""Purge of archived cards (blockers found through relations) and the catalogs' services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.clients import services
from crm.clients.models import Client, ClientStatus, ContactPerson, Industry, LeadSource, Tag
from crm.clients.services.catalogs import (
    industry_delete,
    industry_save,
    lead_source_delete,
    lead_source_save,
    tag_delete,
    tag_save,
    usage_count,
)
from crm.clients.services.purge import (
    Blocker,
    blockers_message,
    client_purge,
    purge_blockers,
    relation_blocks,
)
from crm.clients.services.saved_filters import (
    normalize_query,
    saved_filter_create,
)
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


# Purge ----------------------------------------------------------------------------------------


def test_purge_blockers_come_from_protect_relations(administrator, manager):
    kept = ClientFactory(owner=manager, name="Оставленный", status=ClientStatus.ARCHIVED)
    ClientFactory(owner=manager, merged_into=kept, status=ClientStatus.MERGED)
    ClientFactory(owner=manager, merged_into=kept, status=ClientStatus.MERGED)
    assert purge_blockers(kept) == [Blocker("клиенты", 2)]
    with pytest.raises(ValidationError) as error:
        client_purge(by=administrator, client=kept)
    assert error.value.messages == ["Нельзя удалить: есть клиенты (2)"]
    assert Client.objects.filter(pk=kept.pk).exists()
    assert AuditEntry.objects.filter(action="delete").count() == 0


def test_money_documents_and_protect_relations_block_generically():
    merged_into = Client._meta.get_field("merged_clients")
    contact_links = Client._meta.get_field("contact_links")
    assert relation_blocks(merged_into)  # on_delete=PROTECT
    assert not relation_blocks(contact_links)  # CASCADE, not billing

    class BillingRelation:  # what a billing model's FK to Client looks like to the check
        on_delete = staticmethod(contact_links.on_delete)
        related_model = type("Invoice", (), {"_meta": type("Meta", (), {"app_label": "billing"})})

    assert relation_blocks(BillingRelation)
    assert blockers_message([Blocker("счета", 3), Blocker("сделки", 1)]) == (
        "Нельзя удалить: есть счета (3), сделки (1)"
    )


def test_purge_deletes_and_keeps_the_last_snapshot_in_the_audit(administrator, manager):
    client = ClientFactory(owner=manager, name="ООО «Старое»", status=ClientStatus.ARCHIVED)
    services.contact_add(by=manager, client=client, first_name="Пётр", last_name="Петров")
    pk = client.pk
    client_purge(by=administrator, client=client)
    assert not Client.objects.filter(pk=pk).exists()
    assert ContactPerson.objects.filter(last_name="Петров").exists()  # the person stays
    entry = AuditEntry.objects.get(action="delete", object_id=str(pk))
    assert entry.object_repr == "ООО «Старое»"
    assert entry.actor == administrator
    assert entry.comment == "Удалён навсегда из архива"
    assert entry.changes["name"] == ["ООО «Старое»", None]
    assert entry.changes["status"] == ["archived", None]
    assert entry.changes["contacts"] == [["Петров Пётр"], None]


def test_only_an_administrator_purges_only_archived_cards(administrator, head, manager):
    active = ClientFactory(owner=manager)
    archived = ClientFactory(owner=manager, status=ClientStatus.ARCHIVED)
    with pytest.raises(PermissionDenied):
        client_purge(by=head, client=archived)
    with pytest.raises(ValidationError) as error:
        client_purge(by=administrator, client=active)
    assert error.value.messages == [
        "Удалить навсегда можно только карточку из архива — сначала перенесите её в архив"
    ]
    assert Client.objects.count() == 2


# Catalogs -------------------------------------------------------------------------------------


def test_catalog_names_are_unique_regardless_of_case(administrator):
    lead_source_save(by=administrator, name="Вебинар")
    industry_save(by=administrator, name="Розница")
    tag_save(by=administrator, name="VIP")
    cases = [
        (lead_source_save, "  вебинар ", "Источник «вебинар» уже есть"),
        (industry_save, "РОЗНИЦА", "Отрасль «РОЗНИЦА» уже есть"),
        (tag_save, "vip", "Метка «vip» уже есть"),
        (tag_save, "   ", "Укажите название"),
    ]
    for save, name, message in cases:
        with pytest.raises(ValidationError) as error:
            save(by=administrator, name=name)
        assert error.value.message_dict == {"name": [message]}
    assert Tag.objects.count() == 1


def test_catalog_changes_are_audited(administrator):
    source = lead_source_save(by=administrator, name="Вебинар", order=5)
    lead_source_save(by=administrator, source=source, name="Вебинары", order=5, is_active=True)
    entries = AuditEntry.objects.filter(content_type__model="leadsource").order_by("id")
    assert [(e.action, e.changes) for e in entries] == [
        ("create", {"name": [None, "Вебинар"], "order": [None, 5], "is_active": [None, True]}),
        ("update", {"name": ["Вебинар", "Вебинары"]}),
    ]


def test_managers_do_not_edit_catalogs(manager):
    with pytest.raises(PermissionDenied):
        tag_save(by=manager, name="VIP")


def test_used_source_is_switched_off_unused_deleted(administrator, manager):
    used = LeadSourceFactory(name="Вебинар")
    unused = LeadSourceFactory(name="Радио")
    ClientFactory(owner=manager, source=used)
    assert usage_count(used) == 1
    assert lead_source_delete(by=administrator, source=used) is False
    assert lead_source_delete(by=administrator, source=unused) is True
    assert list(
        LeadSource.objects.filter(name__in=["Вебинар", "Радио"]).values_list("name", "is_active")
    ) == [("Вебинар", False)]


def test_used_industry_and_tag_are_not_deleted(administrator, manager):
    retail = Industry.objects.create(name="Розница")
    vip = Tag.objects.create(name="VIP")
    client = ClientFactory(owner=manager, industry=retail)
    client.tags.set([vip])
    with pytest.raises(ValidationError) as error:
        industry_delete(by=administrator, industry=retail)
    assert error.value.messages == [
        "Отрасль указана у карточек (1) — удалить нельзя, сначала смените её у них"
    ]
    with pytest.raises(ValidationError) as error:
        tag_delete(by=administrator, tag=vip)
    assert error.value.messages == [
        "Метка стоит у карточек (1) — сначала снимите её групповым изменением"
    ]
    client.tags.clear()
    tag_delete(by=administrator, tag=vip)
    assert not Tag.objects.exists()
    assert AuditEntry.objects.filter(content_type__model="tag", action="delete").count() == 1


# Saved filters --------------------------------------------------------------------------------


def test_saved_filter_query_is_normalized(manager):
    assert normalize_query("?q=&kind=company&page=3&tags=2&tags=1&owner=") == (
        "kind=company&tags=2&tags=1"
    )
    saved = saved_filter_create(by=manager, name=" Мои ИП ", query="kind=entrepreneur&page=2")
    assert (saved.name, saved.query) == ("Мои ИП", "kind=entrepreneur")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Укажите название фильтра"),
        ("   ", "Укажите название фильтра"),
        ("мои ип", "Фильтр с таким названием у вас уже есть — выберите другое"),
        ("я" * 101, "Название фильтра — не длиннее 100 символов"),
    ],
)
def test_saved_filter_name_errors(manager, name, message):
    saved_filter_create(by=manager, name="Мои ИП", query="kind=entrepreneur")
    with pytest.raises(ValidationError) as error:
        saved_filter_create(by=manager, name=name, query="kind=company")
    assert error.value.message_dict == {"name": [message]}


def test_same_name_is_fine_for_another_user(manager, colleague):
    saved_filter_create(by=manager, name="Мои ИП", query="kind=entrepreneur")
    assert saved_filter_create(by=colleague, name="Мои ИП", query="kind=entrepreneur").pk

"""Group change of clients: scope, bulk audit per client, the values before, undo."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.tests.factories import UserFactory
from crm.clients.domain.plural import plural_form
from crm.clients.models import Client, ClientStatus, GroupChange, Industry, Tag
from crm.clients.services import client_update
from crm.clients.services.group_changes import (
    group_change_apply,
    group_change_preview,
    group_change_undo,
    preview_message,
    undo_refused_message,
)
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def client_audit(client_ids=None):
    entries = AuditEntry.objects.filter(content_type__model="client").order_by("object_id", "id")
    if client_ids is not None:
        entries = entries.filter(object_id__in=[str(pk) for pk in client_ids])
    return [(int(e.object_id), e.action, e.changes, e.comment) for e in entries]


@pytest.fixture
def cards(manager, colleague, other_manager):
    retail = Industry.objects.create(name="Розница")
    return {
        "own1": ClientFactory(owner=manager, name="А-своя", industry=retail),
        "own2": ClientFactory(owner=manager, name="Б-своя"),
        "colleague": ClientFactory(owner=colleague, name="В-коллеги"),
        "other": ClientFactory(owner=other_manager, name="Г-чужая"),
    }


def test_plural_forms():
    forms = ("карточка", "карточки", "карточек")
    got = {n: plural_form(n, *forms) for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 134)}
    assert got == {
        0: "карточек",
        1: "карточка",
        2: "карточки",
        4: "карточки",
        5: "карточек",
        11: "карточек",
        12: "карточек",
        14: "карточек",
        21: "карточка",
        22: "карточки",
        25: "карточек",
        101: "карточка",
        134: "карточки",
    }
    assert preview_message(134) == "Будет изменено 134 карточки"
    assert preview_message(1) == "Будет изменена 1 карточка"
    assert preview_message(5) == "Будет изменено 5 карточек"


def test_industry_change_only_touches_visible_cards_and_audits_each(manager, cards):
    build = Industry.objects.create(name="Стройка")
    everything = Client.objects.all()  # ids of others' cards too
    assert (
        group_change_preview(by=manager, clients=everything, action="industry", value=build.pk) == 2
    )
    change = group_change_apply(by=manager, clients=everything, action="industry", value=build.pk)
    industries = dict(Client.objects.values_list("name", "industry__name"))
    assert industries == {
        "А-своя": "Стройка",
        "Б-своя": "Стройка",
        "В-коллеги": None,
        "Г-чужая": None,
    }
    assert (change.action, change.description, change.count) == (
        "industry",
        "Указать отрасль: Стройка",
        2,
    )
    own1, own2 = cards["own1"].pk, cards["own2"].pk
    retail = Industry.objects.get(name="Розница").pk
    assert change.before == {
        str(own1): {"industry": retail},
        str(own2): {"industry": None},
        "_after": {"industry": build.pk},
    }
    comment = f"Групповое изменение №{change.pk}: Указать отрасль: Стройка"
    assert client_audit() == [
        (own1, "update", {"industry": ["Розница", "Стройка"]}, comment),
        (own2, "update", {"industry": [None, "Стройка"]}, comment),
    ]


def test_cards_that_already_have_the_value_are_not_changed(manager, cards):
    retail = Industry.objects.get(name="Розница")
    change = group_change_apply(
        by=manager, clients=Client.objects.all(), action="industry", value=retail
    )
    assert change.count == 1
    assert [row[0] for row in client_audit()] == [cards["own2"].pk]


def test_nothing_to_change_is_refused(manager, cards):
    with pytest.raises(ValidationError) as error:
        group_change_apply(
            by=manager,
            clients=Client.objects.filter(pk=cards["other"].pk),
            action="archive",
            value=None,
        )
    assert error.value.messages == ["Ни одна карточка не изменится — менять нечего"]
    assert GroupChange.objects.count() == 0


def test_queries_do_not_grow_with_the_number_of_cards(manager):
    source = LeadSourceFactory(name="Выставка")
    ClientFactory.create_batch(3, owner=manager)
    # Warm what is cached per process or per user (content types, the user's role).
    ContentType.objects.get_for_model(Client)
    group_change_preview(by=manager, clients=Client.objects.all(), action="source", value=source)
    with CaptureQueriesContext(connection) as few:
        group_change_apply(
            by=manager, clients=Client.objects.all(), action="source", value=source.pk
        )
    ClientFactory.create_batch(40, owner=manager)
    other = LeadSourceFactory(name="Сайт")
    with CaptureQueriesContext(connection) as many:
        change = group_change_apply(
            by=manager, clients=Client.objects.all(), action="source", value=other.pk
        )
    assert change.count == 43
    assert len(many) == len(few)


def test_tags_add_and_remove_in_bulk_with_the_whole_list_in_history(manager, cards):
    vip, partner = Tag.objects.create(name="VIP"), Tag.objects.create(name="Партнёр")
    cards["own1"].tags.set([vip])
    mine = Client.objects.filter(pk__in=[cards["own1"].pk, cards["own2"].pk])
    added = group_change_apply(
        by=manager, clients=mine, action="add_tags", value=[vip.pk, partner.pk]
    )
    assert added.count == 2
    assert added.description == "Добавить метки: VIP, Партнёр"
    assert added.before == {
        str(cards["own1"].pk): {"tags": [vip.pk]},
        str(cards["own2"].pk): {"tags": []},
        "_after": {"tags": sorted([vip.pk, partner.pk])},
    }
    assert sorted(cards["own2"].tags.values_list("name", flat=True)) == ["VIP", "Партнёр"]
    assert [row[2] for row in client_audit()] == [
        {"tags": [["VIP"], ["VIP", "Партнёр"]]},
        {"tags": [[], ["VIP", "Партнёр"]]},
    ]
    removed = group_change_apply(by=manager, clients=mine, action="remove_tags", value=[vip.pk])
    assert removed.count == 2
    assert list(cards["own1"].tags.values_list("name", flat=True)) == ["Партнёр"]
    group_change_undo(by=manager)
    assert sorted(cards["own1"].tags.values_list("name", flat=True)) == ["VIP", "Партнёр"]
    group_change_undo(by=manager)
    assert list(cards["own1"].tags.values_list("name", flat=True)) == ["VIP"]
    assert list(cards["own2"].tags.values_list("name", flat=True)) == []


def test_archive_and_restore_use_their_audit_actions(manager, cards):
    mine = Client.objects.filter(owner=manager)
    archived = group_change_apply(by=manager, clients=mine, action="archive", value=None)
    assert archived.description == "Перенести в архив"
    assert set(Client.objects.filter(owner=manager).values_list("status", flat=True)) == {
        "archived"
    }
    assert {row[1] for row in client_audit()} == {"archive"}
    group_change_undo(by=manager)
    assert set(mine.values_list("status", flat=True)) == {"active"}
    assert [row[1] for row in client_audit()] == ["archive", "restore", "archive", "restore"]


def test_manager_cannot_reassign(manager, colleague, cards):
    for action, value in (("owner", colleague.pk), ("department", manager.department_id)):
        with pytest.raises(PermissionDenied):
            group_change_apply(by=manager, clients=Client.objects.all(), action=action, value=value)
    assert Client.objects.get(pk=cards["own1"].pk).owner == manager
    assert GroupChange.objects.count() == 0


def test_head_reassigns_within_reach_only(head, manager, colleague, other_manager, cards):
    mine = Client.objects.filter(pk=cards["own1"].pk)
    for bad in (other_manager.pk, UserFactory(department=head.department, is_active=False).pk, "x"):
        with pytest.raises(ValidationError) as error:
            group_change_apply(by=head, clients=mine, action="owner", value=bad)
        assert error.value.message_dict == {
            "value": ["Выберите работающего сотрудника из доступных вам"]
        }
    change = group_change_apply(
        by=head, clients=Client.objects.all(), action="owner", value=colleague
    )
    # The other department's card is out of the head's reach.
    assert change.count == 2
    owners = dict(Client.objects.values_list("name", "owner__username"))
    assert owners == {
        "А-своя": "colleague",
        "Б-своя": "colleague",
        "В-коллеги": "colleague",
        "Г-чужая": "other",
    }


@pytest.mark.parametrize(
    ("action", "value", "error"),
    [
        ("colour", "red", {"action": ["Выберите действие"]}),
        ("industry", 999999, {"value": ["Такой отрасли нет в справочнике"]}),
        ("size", "huge", {"value": ["Такого размера нет — выберите из списка"]}),
        ("region", "х" * 101, {"value": ["Регион — не длиннее 100 символов"]}),
        ("add_tags", [], {"value": ["Выберите хотя бы одну метку из справочника"]}),
        ("add_tags", [999999], {"value": ["Выберите хотя бы одну метку из справочника"]}),
    ],
)
def test_bad_values_change_nothing(manager, cards, action, value, error):
    with pytest.raises(ValidationError) as raised:
        group_change_apply(by=manager, clients=Client.objects.all(), action=action, value=value)
    assert raised.value.message_dict == error
    assert GroupChange.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_inactive_source_is_refused(manager, cards):
    closed = LeadSourceFactory(name="Старый сайт", is_active=False)
    with pytest.raises(ValidationError) as error:
        group_change_apply(
            by=manager, clients=Client.objects.all(), action="source", value=closed.pk
        )
    assert error.value.message_dict == {"value": ["Выберите используемый источник из справочника"]}


def test_undo_restores_values_and_audits(head, manager, colleague, cards):
    change = group_change_apply(
        by=head, clients=Client.objects.filter(owner=manager), action="owner", value=colleague.pk
    )
    AuditEntry.objects.all().delete()
    undone = group_change_undo(by=head)
    assert undone.pk == change.pk
    assert undone.undone_at is not None
    assert Client.objects.get(pk=cards["own1"].pk).owner == manager
    comment = f"Отмена группового изменения №{change.pk}: Сменить ответственного: {colleague}"
    assert client_audit() == [
        (cards["own1"].pk, "update", {"owner": [str(colleague), str(manager)]}, comment),
        (cards["own2"].pk, "update", {"owner": [str(colleague), str(manager)]}, comment),
    ]
    with pytest.raises(ValidationError) as error:
        group_change_undo(by=head)
    assert error.value.messages == ["Нет группового изменения, которое можно отменить"]


def test_undo_is_refused_when_cards_changed_since(manager, cards):
    build = Industry.objects.create(name="Стройка")
    group_change_apply(by=manager, clients=Client.objects.all(), action="industry", value=build.pk)
    client_update(by=manager, client=Client.objects.get(pk=cards["own2"].pk), industry=None)
    with pytest.raises(ValidationError) as error:
        group_change_undo(by=manager)
    assert error.value.messages == [
        "Отменить нельзя: после группового изменения изменена 1 карточка"
    ]
    assert Client.objects.get(pk=cards["own1"].pk).industry == build
    assert GroupChange.objects.get().undone_at is None


def test_undo_refusal_counts_every_changed_card():
    assert undo_refused_message(3) == (
        "Отменить нельзя: после группового изменения изменено 3 карточки"
    )
    assert undo_refused_message(7) == (
        "Отменить нельзя: после группового изменения изменено 7 карточек"
    )


def test_undo_takes_only_the_users_own_last_change(manager, colleague, cards):
    group_change_apply(by=colleague, clients=Client.objects.all(), action="region", value="Тверь")
    with pytest.raises(ValidationError):
        group_change_undo(by=manager)
    assert Client.objects.get(pk=cards["colleague"].pk).region == "Тверь"


def test_merged_cards_are_never_touched(administrator, manager):
    merged = ClientFactory(owner=manager, status=ClientStatus.MERGED, region="")
    ClientFactory(owner=manager, region="")
    group_change_apply(
        by=administrator, clients=Client.objects.all(), action="region", value="Казань"
    )
    merged.refresh_from_db()
    assert merged.region == ""


def test_industry_change_refreshes_completeness_and_undo_puts_it_back(manager):
    from crm.clients.services.completeness import client_refresh_completeness

    card = ClientFactory(owner=manager, region="Москва")
    client_refresh_completeness(card)
    card.refresh_from_db()
    score, missing = card.completeness, list(card.completeness_missing)
    assert "industry" in missing
    build = Industry.objects.create(name="Стройка")
    group_change_apply(by=manager, clients=Client.objects.all(), action="industry", value=build)
    card.refresh_from_db()
    assert card.completeness > score
    assert "industry" not in card.completeness_missing
    group_change_undo(by=manager)
    card.refresh_from_db()
    assert (card.completeness, card.completeness_missing) == (score, missing)

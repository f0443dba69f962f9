"""Merging two client cards (and two contact persons) and undoing it exactly."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import model_to_dict

from crm.clients.models import (
    BankAccount,
    Client,
    ClientContact,
    ClientDuplicate,
    ClientStatus,
    ContactDuplicate,
    ContactPerson,
    DuplicateStatus,
    LeadSource,
    Merge,
    Tag,
)
from crm.clients.services.completeness import client_refresh_completeness
from crm.clients.services.merge import (
    client_merge,
    contact_merge,
    merge_default_choices,
    merge_differing_fields,
    merge_undo,
    references_to,
)
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

BIK = "044525225"
ACCOUNT_1 = "40702810938000000001"
ACCOUNT_2 = "40702810938000000014"


def _valid_account(number: str) -> str:
    from crm.clients.domain.requisites import account_control_key

    return number[:8] + account_control_key(BIK, number) + number[9:]


def full_snapshot():
    """Every row the merge may touch, all fields (updated_at aside: a save sets it)."""
    tags_through = Client.tags.through
    return {
        "clients": {
            c.pk: model_to_dict(c, exclude=["tags"])
            | {
                "status": c.status,
                "name_search": c.name_search,
                "name_comparable": c.name_comparable,
            }
            for c in Client.objects.order_by("pk")
        },
        "contacts": [model_to_dict(c) for c in ContactPerson.objects.order_by("pk")],
        "links": list(ClientContact.objects.order_by("pk").values()),
        "accounts": list(BankAccount.objects.order_by("pk").values()),
        "tags": list(tags_through.objects.order_by("pk").values()),
        "pairs": list(ClientDuplicate.objects.order_by("pk").values()),
        "contact_pairs": list(ContactDuplicate.objects.order_by("pk").values()),
    }


@pytest.fixture
def cards(manager, colleague):
    web = LeadSource.objects.create(name="Сайт компании (тест)")
    vip, new = Tag.objects.create(name="VIP"), Tag.objects.create(name="Новый")
    kept = ClientFactory(
        owner=manager,
        name="ООО «Ромашка»",
        inn="7707083893",
        kpp="770701001",
        phone="+74951234567",
        email="",
        region="Москва",
    )
    merged = ClientFactory(
        owner=colleague,
        name="Ромашка ООО",
        inn="",
        kpp="",
        phone="+74957654321",
        email="info@romashka.ru",
        source=web,
        legal_address="г. Москва, ул. Тверская, д. 1",
        region="Московская область",
    )
    kept.tags.set([vip])
    merged.tags.set([vip, new])
    shared = ContactPersonFactory(last_name="Общий", first_name="Пётр")
    boss = ContactPersonFactory(last_name="Директоров", first_name="Иван")
    only_merged = ContactPersonFactory(last_name="Бухгалтерова", first_name="Анна")
    ClientContact.objects.create(client=kept, contact=shared, is_main=True, position="Директор")
    ClientContact.objects.create(client=merged, contact=shared, position="Снабженец")
    ClientContact.objects.create(client=merged, contact=boss, is_main=True, is_decision_maker=True)
    ClientContact.objects.create(client=merged, contact=only_merged)
    account_1, account_2 = _valid_account(ACCOUNT_1), _valid_account(ACCOUNT_2)
    BankAccount.objects.create(client=kept, bik=BIK, account=account_1, is_main=True)
    BankAccount.objects.create(client=merged, bik=BIK, account=account_1, is_main=True)
    BankAccount.objects.create(client=merged, bik=BIK, account=account_2)
    pair = ClientDuplicate.objects.create(
        first=kept, second=merged, score=96, reasons=["Похожее название (100 %)"]
    )
    for card in (kept, merged):  # derived columns as the services keep them
        client_refresh_completeness(card)
    return {
        "kept": kept,
        "merged": merged,
        "shared": shared,
        "boss": boss,
        "only_merged": only_merged,
        "pair": pair,
        "web": web,
        "tags": (vip, new),
        "accounts": (account_1, account_2),
    }


def test_references_are_every_relation_pointing_at_the_model():
    """The generic search agrees with Django's own list of relations (Client._meta.related_objects),
    minus the chain of merges and the duplicate pairs, plus the tables of many-to-many fields."""
    found = {(m._meta.label_lower, f.name) for m, f in references_to(Client)}
    expected = {
        (rel.related_model._meta.label_lower, rel.field.name)
        for rel in Client._meta.related_objects
        if not rel.many_to_many
        and (rel.related_model, rel.field.name)
        not in {
            (Client, "merged_into"),
            (ClientDuplicate, "first"),
            (ClientDuplicate, "second"),
        }
    } | {("clients.client_tags", "client")}
    assert found == expected
    assert ("clients.clientcontact", "client") in found
    assert ("clients.bankaccount", "client") in found
    for label, _field in found:  # apps above clients are found without being imported
        assert apps.get_model(label)._meta.label_lower == label


def test_merge_moves_every_reference_and_takes_the_chosen_values(cards, manager):
    kept, merged = cards["kept"], cards["merged"]
    merge = client_merge(
        by=manager,
        kept=kept,
        merged=merged,
        choices={"phone": "merged", "region": "kept", "owner": "kept"},
    )

    kept.refresh_from_db()
    merged.refresh_from_db()
    # Chosen: phone from the merged card; by default the empty e-mail, source and address
    # are filled from it; the rest stays.
    assert (kept.name, kept.inn, kept.phone, kept.email, kept.source, kept.region) == (
        "ООО «Ромашка»",
        "7707083893",
        "+74957654321",
        "info@romashka.ru",
        cards["web"],
        "Москва",
    )
    assert kept.legal_address == "г. Москва, ул. Тверская, д. 1"
    assert (merged.status, merged.merged_into) == (ClientStatus.MERGED, kept)
    # Contacts: the shared person stays linked once; the merged card's main contact is no
    # longer main (the kept card has one); the others moved.
    links = {
        (link.contact.last_name, link.is_main, link.position)
        for link in ClientContact.objects.filter(client=kept).select_related("contact")
    }
    assert links == {
        ("Общий", True, "Директор"),
        ("Директоров", False, ""),
        ("Бухгалтерова", False, ""),
    }
    assert list(merged.contact_links.values_list("contact__last_name", flat=True)) == ["Общий"]
    # Bank accounts: the same account stays on the merged card, the other moves.
    assert sorted(kept.bank_accounts.values_list("account", flat=True)) == sorted(cards["accounts"])
    assert list(merged.bank_accounts.values_list("account", flat=True)) == [cards["accounts"][0]]
    assert sorted(t.name for t in kept.tags.all()) == ["VIP", "Новый"]
    cards["pair"].refresh_from_db()
    assert cards["pair"].status == DuplicateStatus.MERGED
    assert merge.kept_before["changed"] == ["email", "legal_address", "phone", "source"]
    assert merge.kept_before["merged_status"] == "active"
    assert [entry[:2] for entry in merge.moved] == [
        ["clients.bankaccount", "client"],
        ["clients.client_tags", "client"],
        ["clients.clientcontact", "client"],
    ]
    kept_entry, merged_entry = AuditEntry.objects.filter(content_type__model="client").order_by(
        "id"
    )
    assert kept_entry.object_id == str(kept.pk)
    assert kept_entry.changes["phone"] == ["+74951234567", "+74957654321"]
    assert kept_entry.changes["merged_with"] == [None, f"«Ромашка ООО» (№ {merged.pk})"]
    assert kept_entry.comment == (
        f"Объединение № {merge.pk}: присоединена карточка «Ромашка ООО» (№ {merged.pk}); "
        "перенесено — банковские счета: 1, метки: 1, контакты клиента: 2"
    )
    assert merged_entry.object_id == str(merged.pk)
    assert merged_entry.changes == {
        "status": ["active", "merged"],
        "merged_into": [None, f"«ООО «Ромашка»» (№ {kept.pk})"],
    }


def test_undo_restores_everything_exactly(cards, manager):
    before = full_snapshot()
    merge = client_merge(
        by=manager,
        kept=cards["kept"],
        merged=cards["merged"],
        choices={"phone": "merged", "name": "merged", "owner": "merged"},
    )
    assert full_snapshot() != before

    merge_undo(by=manager, merge=merge)

    assert full_snapshot() == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    comments = list(
        AuditEntry.objects.filter(content_type__model="client")
        .order_by("id")
        .values_list("object_id", "comment")
    )[2:]
    assert comments == [
        (
            str(cards["kept"].pk),
            f"Объединение № {merge.pk} отменено: карточка «Ромашка ООО» "
            f"(№ {cards['merged'].pk}) отделена",
        ),
        (str(cards["merged"].pk), f"Объединение № {merge.pk} отменено"),
    ]


def test_undo_twice_is_refused(cards, manager):
    merge = client_merge(by=manager, kept=cards["kept"], merged=cards["merged"])
    merge_undo(by=manager, merge=merge)
    with pytest.raises(ValidationError) as error:
        merge_undo(by=manager, merge=merge)
    assert error.value.messages == ["Это объединение уже отменено"]


def test_only_the_latest_merge_of_a_card_can_be_undone(cards, manager):
    third = ClientFactory(owner=manager, name="Ромашка-М")
    first_merge = client_merge(by=manager, kept=cards["kept"], merged=cards["merged"])
    second_merge = client_merge(by=manager, kept=cards["kept"], merged=third)
    with pytest.raises(ValidationError) as error:
        merge_undo(by=manager, merge=first_merge)
    assert error.value.messages == [
        f"Сначала отмените более позднее объединение с участием этих карточек (№ {second_merge.pk})"
    ]
    merge_undo(by=manager, merge=second_merge)
    merge_undo(by=manager, merge=first_merge)
    assert Client.objects.filter(status=ClientStatus.MERGED).count() == 0


@pytest.mark.parametrize(
    ("choices", "kept_is_merged", "errors"),
    [
        (
            {"inn": "theirs"},
            False,
            {"choices": ["Для поля «inn» выберите, чьё значение оставить: «kept» или «merged»"]},
        ),
        ({"password": "merged"}, False, {"choices": ["Поля «password» нет среди объединяемых"]}),
        ("kept", False, {"choices": ["Ожидается словарь {поле: «kept» или «merged»}"]}),
        # A person has no КПП: taking the kind from a person's card with the КПП kept fails.
        (
            {"kind": "merged"},
            True,
            {
                "kpp": ["КПП бывает только у организации"],
                "inn": ["ИНН должен содержать 12 цифр"],
            },
        ),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    cards, manager, choices, kept_is_merged, errors
):
    if kept_is_merged:
        Client.objects.filter(pk=cards["merged"].pk).update(kind="person")
        cards["merged"].refresh_from_db()
    before = full_snapshot()
    with pytest.raises(ValidationError) as error:
        client_merge(by=manager, kept=cards["kept"], merged=cards["merged"], choices=choices)
    assert error.value.message_dict == errors
    assert full_snapshot() == before
    assert Merge.objects.count() == 0


def test_a_card_cannot_be_merged_with_itself_or_twice(cards, manager):
    with pytest.raises(ValidationError) as error:
        client_merge(by=manager, kept=cards["kept"], merged=cards["kept"])
    assert error.value.message_dict == {"merged": ["Нельзя объединить карточку саму с собой"]}
    client_merge(by=manager, kept=cards["kept"], merged=cards["merged"])
    third = ClientFactory(owner=manager)
    cards["merged"].refresh_from_db()
    with pytest.raises(ValidationError) as error:
        client_merge(by=manager, kept=third, merged=cards["merged"])
    assert error.value.message_dict == {
        "merged": ["Карточка «Ромашка ООО» уже объединена с другой"]
    }


def test_default_choices_fill_the_kept_cards_empty_fields(cards):
    kept, merged = cards["kept"], cards["merged"]
    assert merge_differing_fields(kept, merged, ("name", "inn", "email", "region", "comment")) == [
        "name",
        "inn",
        "email",
        "region",
    ]
    assert merge_default_choices(kept, merged, ("name", "inn", "email", "comment")) == {
        "name": "kept",
        "inn": "kept",
        "email": "merged",
        "comment": "kept",
    }


@pytest.fixture
def people(manager):
    romashka = ClientFactory(owner=manager, name="ООО «Ромашка»")
    vasilek = ClientFactory(owner=manager, name="ООО «Василёк»")
    kept = ContactPersonFactory(
        last_name="Иванов", first_name="Иван", middle_name="", mobile_phone="+79161234567"
    )
    merged = ContactPersonFactory(
        last_name="Иванов",
        first_name="Иван",
        middle_name="Петрович",
        email="ivanov@romashka.ru",
        mobile_phone="+79161234567",
    )
    other = ContactPersonFactory(last_name="Петрова", first_name="Анна")
    ClientContact.objects.create(client=romashka, contact=other, is_main=True)
    ClientContact.objects.create(client=romashka, contact=kept, position="Снабженец")
    ClientContact.objects.create(client=vasilek, contact=merged, position="Директор", is_main=True)
    ClientContact.objects.create(
        client=romashka, contact=merged, position="Директор", is_decision_maker=True
    )
    pair = ContactDuplicate.objects.create(first=kept, second=merged, score=100, reasons=[])
    return {"kept": kept, "merged": merged, "romashka": romashka, "vasilek": vasilek, "pair": pair}


def test_contact_merge_moves_links_and_undo_restores_them(people, manager):
    before = full_snapshot()
    merge = contact_merge(
        by=manager, kept=people["kept"], merged=people["merged"], choices={"middle_name": "merged"}
    )
    kept = ContactPerson.objects.get(pk=people["kept"].pk)
    assert (kept.full_name, kept.email) == ("Иванов Иван Петрович", "ivanov@romashka.ru")
    links = {
        (link.client.name, link.position, link.is_main, link.is_decision_maker)
        for link in ClientContact.objects.filter(contact=kept).select_related("client")
    }
    # Василёк's link moved; at Ромашка both worked: the kept person's link stays and takes
    # the "decision maker" mark of the removed one.
    assert links == {
        ("ООО «Василёк»", "Директор", True, False),
        ("ООО «Ромашка»", "Снабженец", False, True),
    }
    assert not ClientContact.objects.filter(contact=people["merged"]).exists()
    people["pair"].refresh_from_db()
    assert people["pair"].status == DuplicateStatus.MERGED

    merge_undo(by=manager, merge=merge)

    assert full_snapshot() == before


def test_contact_merged_once_cannot_be_merged_again(people, manager):
    contact_merge(by=manager, kept=people["kept"], merged=people["merged"])
    third = ContactPersonFactory(last_name="Иванов", first_name="Иван")
    with pytest.raises(ValidationError) as error:
        contact_merge(by=manager, kept=third, merged=people["merged"])
    assert error.value.message_dict == {
        "merged": ["Карточка «Иванов Иван Петрович» уже объединена с другой"]
    }


def test_unique_rules_are_read_from_the_models():
    from crm.clients.services.merge import _unique_sets

    field = ClientContact._meta.get_field("client")
    assert _unique_sets(ClientContact, field) == [
        (("contact",), None),
        ((), models.Q(is_main=True)),
    ]

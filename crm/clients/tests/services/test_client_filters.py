"""The client list's selector: every filter and the whitelist of sorts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import QueryDict
from django.utils import timezone

from crm.clients.forms import ClientFilterForm
from crm.clients.models import ClientKind, ClientSize, ClientStatus, Industry, Tag
from crm.clients.selectors import SORTS, ClientFilter, client_list
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory

pytestmark = pytest.mark.django_db


def names(user, **filters):
    return [client.name for client in client_list(user=user, filters=ClientFilter(**filters))]


@pytest.fixture
def base(manager, colleague, other_manager, other_department):
    site, call = LeadSourceFactory(name="Сайт"), LeadSourceFactory(name="Холодный звонок")
    retail, build = Industry.objects.create(name="Розница"), Industry.objects.create(name="Стройка")
    vip, partner = Tag.objects.create(name="VIP"), Tag.objects.create(name="Партнёр")
    moscow = timezone.make_aware(dt.datetime(2025, 3, 10, 12, 0))
    with time_machine.travel(moscow, tick=False):
        alpha = ClientFactory(
            name="Альфа",
            owner=manager,
            source=site,
            industry=retail,
            region="Москва",
            size=ClientSize.SMALL,
            completeness=80,
            inn="7707083893",
        )
    with time_machine.travel(moscow + dt.timedelta(days=1), tick=False):
        beta = ClientFactory(
            name="Бета",
            kind=ClientKind.ENTREPRENEUR,
            kpp="",
            inn="500100732259",
            owner=colleague,
            source=call,
            industry=build,
            region="Тверь",
            size=ClientSize.LARGE,
            completeness=30,
            needs_completion=True,
        )
    with time_machine.travel(moscow + dt.timedelta(days=2), tick=False):
        gamma = ClientFactory(
            name="Гамма",
            owner=other_manager,
            department=other_department,
            source=site,
            region="Москва",
            completeness=55,
            inn="3664069397",
        )
        ClientFactory(name="Дельта (архив)", owner=manager, status=ClientStatus.ARCHIVED)
        ClientFactory(name="Эпсилон (объединён)", owner=manager, status=ClientStatus.MERGED)
    alpha.tags.set([vip, partner])
    beta.tags.set([vip])
    gamma.tags.set([partner])
    return {
        "site": site,
        "call": call,
        "retail": retail,
        "build": build,
        "vip": vip,
        "partner": partner,
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Альфа", "Бета", "Гамма"]),
        ({"kind": ClientKind.ENTREPRENEUR}, ["Бета"]),
        ({"status": ClientStatus.ARCHIVED}, ["Дельта (архив)"]),
        ({"region": "Москва"}, ["Альфа", "Гамма"]),
        ({"region": " Тверь "}, ["Бета"]),
        ({"size": ClientSize.LARGE}, ["Бета"]),
        ({"needs_completion": True}, ["Бета"]),
        ({"needs_completion": False}, ["Альфа", "Гамма"]),
        ({"created_from": dt.date(2025, 3, 11)}, ["Бета", "Гамма"]),
        ({"created_to": dt.date(2025, 3, 11)}, ["Альфа", "Бета"]),
        ({"created_from": dt.date(2025, 3, 11), "created_to": dt.date(2025, 3, 11)}, ["Бета"]),
        ({"query": "бет"}, ["Бета"]),
    ],
)
def test_each_plain_filter(administrator, base, filters, expected):
    assert names(administrator, **filters) == expected


def test_filters_by_relations(administrator, base, manager, other_department):
    assert names(administrator, owner_id=manager.pk) == ["Альфа"]
    assert names(administrator, department_id=other_department.pk) == ["Гамма"]
    assert names(administrator, source_id=base["site"].pk) == ["Альфа", "Гамма"]
    assert names(administrator, industry_id=base["build"].pk) == ["Бета"]


def test_several_tags_mean_every_one_of_them(administrator, base):
    assert names(administrator, tag_ids=(base["vip"].pk,)) == ["Альфа", "Бета"]
    assert names(administrator, tag_ids=(base["partner"].pk,)) == ["Альфа", "Гамма"]
    assert names(administrator, tag_ids=(base["vip"].pk, base["partner"].pk)) == ["Альфа"]


def test_filters_combine_and_stay_in_the_users_scope(manager, head, base):
    assert names(manager) == ["Альфа"]
    assert names(manager, tag_ids=(base["vip"].pk,)) == ["Альфа"]
    assert names(head, tag_ids=(base["vip"].pk,)) == ["Альфа", "Бета"]
    assert names(head, region="Москва", source_id=base["site"].pk) == ["Альфа"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Альфа", "Бета", "Гамма"]),
        ("-name", ["Гамма", "Бета", "Альфа"]),
        ("created", ["Альфа", "Бета", "Гамма"]),
        ("-created", ["Гамма", "Бета", "Альфа"]),
        ("inn", ["Гамма", "Бета", "Альфа"]),
        ("-inn", ["Альфа", "Бета", "Гамма"]),
        ("completeness", ["Бета", "Гамма", "Альфа"]),
        ("-completeness", ["Альфа", "Гамма", "Бета"]),
        ("password", ["Альфа", "Бета", "Гамма"]),  # unknown: by name
        ("owner__password", ["Альфа", "Бета", "Гамма"]),
    ],
)
def test_sorts_are_a_whitelist(administrator, base, sort, expected):
    assert names(administrator, sort=sort) == expected


def test_sorts_end_with_the_id_so_pages_do_not_overlap():
    assert all(order[-1] in ("id", "-id") for order in SORTS.values())


def test_completeness_sort_is_served_by_an_index():
    from crm.clients.models import Client

    indexes = [tuple(index.fields) for index in Client._meta.indexes]
    assert ("status", "completeness") in indexes
    assert ("status", "name") in indexes


def filter_of(user, query):
    return ClientFilterForm.for_user(user, QueryDict(query)).to_filter()


def test_form_reads_every_filter_from_the_query_string(administrator, base, other_department):
    vip, partner = base["vip"].pk, base["partner"].pk
    query = (
        f"q=ромаш&kind=company&owner={administrator.pk}&department={other_department.pk}"
        f"&source={base['site'].pk}&industry={base['retail'].pk}&region=Москва&size=small"
        f"&tags={vip}&tags={partner}&needs_completion=1&created_from=2025-03-01"
        f"&created_to=2025-03-31&status=archived&sort=-completeness"
    )
    assert filter_of(administrator, query) == ClientFilter(
        query="ромаш",
        kind="company",
        status="archived",
        owner_id=administrator.pk,
        department_id=other_department.pk,
        source_id=base["site"].pk,
        industry_id=base["retail"].pk,
        tag_ids=(vip, partner),
        region="Москва",
        size="small",
        needs_completion=True,
        created_from=dt.date(2025, 3, 1),
        created_to=dt.date(2025, 3, 31),
        sort="-completeness",
    )


def test_form_drops_bad_values_and_keeps_the_rest(manager, other_manager, base):
    # Another department's manager is not a choice for a manager; a bad date is ignored.
    got = filter_of(
        manager, f"owner={other_manager.pk}&created_from=31.02.2025&sort=evil&kind=company"
    )
    assert got == ClientFilter(kind="company")
    assert filter_of(manager, "archived=on").status == ClientStatus.ARCHIVED


def test_department_choices_follow_the_scope(manager, head, administrator, department):
    assert not ClientFilterForm.for_user(manager, QueryDict()).show_department
    head_form = ClientFilterForm.for_user(head, QueryDict())
    assert list(head_form.fields["department"].queryset) == [department]
    assert ClientFilterForm.for_user(administrator, QueryDict()).show_department


def test_owner_filter_finds_a_departed_colleagues_clients(head, manager, other_manager):
    from crm.accounts.tests.factories import UserFactory

    gone = UserFactory(department=head.department, is_active=False, last_name="Ушедший")
    far = UserFactory(department=other_manager.department, is_active=False)
    ClientFactory(owner=gone, name="Осиротевший", department=head.department)
    form = ClientFilterForm.for_user(head, QueryDict(f"owner={gone.pk}"))
    owners = list(form.fields["owner"].queryset)
    assert gone in owners and far not in owners and other_manager not in owners
    assert owners.index(gone) == len(owners) - 1  # switched-off colleagues come last
    assert form.fields["owner"].label_from_instance(gone) == f"{gone} (отключён)"
    assert [c.name for c in client_list(user=head, filters=form.to_filter())] == ["Осиротевший"]

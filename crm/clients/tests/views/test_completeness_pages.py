from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.clients.models import ClientKind, CompletenessCriterion, EntryRule, Industry
from crm.clients.selectors.completeness import Bucket
from crm.clients.services.completeness import RECOMPUTE_JOB
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.models import AuditEntry, Job

pytestmark = pytest.mark.django_db

REPORT = "clients:completeness"


def names(response):
    return [client.name for client, _missing in response.context["rows"]]


@pytest.fixture
def base(manager, colleague, other_manager):
    construction = Industry.objects.create(name="Строительство")
    site = LeadSourceFactory(name="Сайт")
    return [
        ClientFactory(
            owner=manager,
            name="ООО «Пустое»",
            completeness=10,
            completeness_missing=["inn", "decision_maker"],
        ),
        ClientFactory(
            owner=manager,
            name="ООО «Половина»",
            completeness=55,
            completeness_missing=["address"],
            industry=construction,
            source=site,
        ),
        ClientFactory(
            owner=manager,
            name="ИП Полный",
            kind=ClientKind.ENTREPRENEUR,
            kpp="",
            completeness=100,
            industry=construction,
        ),
        ClientFactory(owner=colleague, name="ООО «Коллеги»", completeness=30),
        ClientFactory(owner=other_manager, name="ООО «Чужое»", completeness=0),
    ]


def test_manager_sees_only_own_cards(client, manager, base):
    client.force_login(manager)
    response = client.get(reverse(REPORT))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.total, summary.average, summary.below) == (3, Decimal("55.0"), 2)
    assert summary.buckets == [
        Bucket(low=0, high=19, count=1, share=100),
        Bucket(low=20, high=39, count=0, share=0),
        Bucket(low=40, high=59, count=1, share=100),
        Bucket(low=60, high=79, count=0, share=0),
        Bucket(low=80, high=100, count=1, share=100),
    ]
    assert [(g.label, g.count, g.average) for g in summary.by_manager] == [
        (manager.short_name, 3, Decimal("55.0"))
    ]
    assert [(g.label, g.count, g.average) for g in summary.by_industry] == [
        ("Строительство", 2, Decimal("77.5")),
        ("Отрасль не указана", 1, Decimal("10.0")),
    ]
    assert [(g.label, g.count, g.average) for g in summary.by_source] == [
        ("Сайт", 1, Decimal("55.0")),
        ("Источник не указан", 2, Decimal("55.0")),
    ]
    assert [(g.label, g.count, g.average) for g in summary.by_kind] == [
        ("Организация", 2, Decimal("32.5")),
        ("ИП", 1, Decimal("100.0")),
    ]
    assert names(response) == ["ООО «Пустое»", "ООО «Половина»"]
    content = response.content.decode()
    assert "ИНН, ЛПР с телефоном или e-mail" in content
    assert reverse("clients:detail", args=[base[0].pk]) in content
    assert "ООО «Коллеги»" not in content


def test_head_sees_the_department_and_threshold_is_a_parameter(client, head, base):
    client.force_login(head)
    response = client.get(reverse(REPORT), {"threshold": "31"})
    assert response.context["summary"].total == 4
    assert response.context["threshold"] == 31
    assert names(response) == ["ООО «Пустое»", "ООО «Коллеги»"]


def test_bad_threshold_falls_back_to_60_with_a_message(client, manager, base):
    client.force_login(manager)
    response = client.get(reverse(REPORT), {"threshold": "сто"})
    assert response.context["threshold"] == 60
    assert "Порог — целое число от 1 до 100" in response.content.decode()
    assert names(response) == ["ООО «Пустое»", "ООО «Половина»"]


def test_report_query_count_does_not_grow_with_rows(client, administrator, manager, colleague):
    client.force_login(administrator)
    ClientFactory.create_batch(3, owner=manager, completeness=10, completeness_missing=["inn"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(REPORT))
    industries = [Industry.objects.create(name=f"Отрасль {n}") for n in range(5)]
    for n in range(40):
        ClientFactory(
            owner=colleague if n % 2 else manager,
            industry=industries[n % 5],
            source=LeadSourceFactory(name=f"Источник {n % 3}"),
            completeness=n,
            completeness_missing=["inn", "phone"],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(REPORT))
    assert len(response.context["rows"]) == 43
    assert len(many) == len(few)


def test_report_is_paginated(client, manager):
    ClientFactory.create_batch(55, owner=manager, completeness=5)
    client.force_login(manager)
    response = client.get(reverse(REPORT))
    assert len(response.context["rows"]) == 50
    assert len(client.get(reverse(REPORT), {"page": 2}).context["rows"]) == 5


@pytest.mark.parametrize("user", ["manager", "head", "accountant"])
@pytest.mark.parametrize("url", ["clients:completeness_settings", "clients:entry_rules_settings"])
def test_settings_pages_are_for_administrators(client, request, user, url):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse(url)).status_code == 403
    assert client.post(reverse(url), {}).status_code == 403


def test_bad_weight_shows_a_russian_error_and_changes_nothing(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("clients:completeness_settings"))
    assert response.status_code == 200
    data = {
        f"{prefix}_{c.code}": value
        for c in CompletenessCriterion.objects.all()
        for prefix, value in (("weight", str(c.weight)), ("active", "on"))
    }
    response = client.post(reverse("clients:completeness_settings"), {**data, "weight_inn": "2О"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"weight_inn": ["ИНН: вес — целое число от 0 до 100"]}
    assert CompletenessCriterion.objects.get(code="inn").weight == 20
    assert not Job.objects.exists()


def test_saved_weights_queue_the_recompute(
    client, administrator, manager, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    data = {
        f"{prefix}_{c.code}": value
        for c in CompletenessCriterion.objects.all()
        for prefix, value in (("weight", str(c.weight)), ("active", "on"))
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clients:completeness_settings"), {**data, "weight_inn": "40"}
        )
    assert response.status_code == 302
    assert CompletenessCriterion.objects.get(code="inn").weight == 40
    assert Job.objects.filter(kind=RECOMPUTE_JOB).count() == 1
    page = client.get(reverse("clients:completeness_settings"))
    assert "Веса сохранены. Заполненность карточек пересчитывается в фоне." in page.content.decode()


def test_entry_rules_matrix_saves_in_one_go(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("clients:entry_rules_settings"))
    kpp_row = next(cells for code, _label, cells in page.context["matrix"] if code == "kpp")
    assert [(cell["key"], cell["checked"]) for cell in kpp_row if cell["applies"]] == [
        ("company:creation:kpp", False),
        ("company:first_deal:kpp", False),
        ("company:first_invoice:kpp", True),
    ]
    content = page.content.decode()
    assert 'value="company:first_invoice:kpp"' in content
    assert "entrepreneur:first_invoice:kpp" not in content  # a КПП rule is not offered for an ИП
    response = client.post(
        reverse("clients:entry_rules_settings"),
        {"rule": ["company:creation:source", "company:first_deal:inn", "person:creation:ogrn"]},
    )
    assert response.status_code == 302
    assert set(EntryRule.objects.values_list("client_kind", "point", "field")) == {
        ("company", "creation", "source"),
        ("company", "first_deal", "inn"),
    }
    assert AuditEntry.objects.filter(content_type__model="entryrule").count() == 11


def test_card_shows_score_missing_and_rule_violations(client, manager):
    card = ClientFactory(
        owner=manager,
        inn="",
        kpp="",
        completeness=35,
        completeness_missing=["inn", "decision_maker"],
        needs_completion=True,
    )
    client.force_login(manager)
    content = client.get(reverse("clients:detail", args=[card.pk])).content.decode()
    assert 'style="width: 35%"' in content
    assert "требует дозаполнения" in content
    assert "ИНН, ЛПР с телефоном или e-mail" in content
    assert "При создании не хватает:</span> Источник" in content
    assert "Перед первой сделкой не хватает:</span> Телефон или e-mail" in content
    assert "Перед первым счётом не хватает:</span> ИНН, КПП, Юридический адрес" in content


def test_client_list_filters_by_completeness_range(client, manager, base):
    client.force_login(manager)
    response = client.get(
        reverse("clients:list"), {"completeness_min": "20", "completeness_max": "99"}
    )
    assert [c.name for c in response.context["page"].object_list] == ["ООО «Половина»"]
    response = client.get(reverse("clients:list"), {"completeness_max": "19"})
    assert [c.name for c in response.context["page"].object_list] == ["ООО «Пустое»"]

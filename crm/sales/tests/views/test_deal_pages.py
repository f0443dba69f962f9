"""Pages of deals: the board (filters, query count), the move with its dialog, the list, the
card and its tabs, the create/edit form with lines, activities of a deal, the client card's
"Сделки" tab; access (another department's manager gets 404) and bad input."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from crm.activities.models import Activity
from crm.activities.tests.factories import kind
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory, LeadSourceFactory
from crm.core.models import AuditEntry
from crm.sales.models import Deal, DealActivity, DealLine, DealStageChange, DealStatus
from crm.sales.tests.factories import (
    DealFactory,
    DealLineFactory,
    ProductFactory,
    lost_reason,
    pipeline,
    stage,
)

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)  # a Tuesday


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def romashka(manager):
    client = ClientFactory(name="ООО «Ромашка»", owner=manager)
    person = ContactPersonFactory(last_name="Петрова", first_name="Ольга")
    ClientContact.objects.create(client=client, contact=person, is_main=True)
    return client


@pytest.fixture
def deal(manager, romashka):
    return DealFactory(
        manager=manager,
        client=romashka,
        title="Плитка для офиса",
        amount=Decimal("150000.00"),
        stage_entered_at=NOW - dt.timedelta(days=2),
    )


def htmx(client, method, url, data=None):
    call = getattr(client, method)
    return call(url, data or {}, HTTP_HX_REQUEST="true")


# --- Access --------------------------------------------------------------------------------


def test_every_page_opens_for_the_owner(client, manager, deal):
    client.force_login(manager)
    pages = [
        reverse("sales:board"),
        reverse("sales:deal_list"),
        reverse("sales:deal_create"),
        reverse("sales:deal_detail", args=[deal.pk]),
        reverse("sales:deal_edit", args=[deal.pk]),
        reverse("sales:deal_activity_create", args=[deal.pk]),
        *(
            reverse("sales:deal_tab", args=[deal.pk, tab])
            for tab in ("overview", "activities", "proposals", "stages", "history")
        ),
        f"{reverse('sales:deal_move', args=[deal.pk])}?stage={stage('lost').pk}",
        reverse("clients:tab", args=[deal.client_id, "deals"]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_another_departments_manager_gets_404(client, other_manager, deal):
    client.force_login(other_manager)
    urls = [
        reverse("sales:deal_detail", args=[deal.pk]),
        reverse("sales:deal_edit", args=[deal.pk]),
        reverse("sales:deal_tab", args=[deal.pk, "overview"]),
        reverse("sales:deal_activity_create", args=[deal.pk]),
        f"{reverse('sales:deal_move', args=[deal.pk])}?stage={stage('lost').pk}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stage("proposal_sent").pk}
    )
    assert response.status_code == 404
    assert client.post(reverse("sales:deal_reopen", args=[deal.pk])).status_code == 404
    deal.refresh_from_db()
    assert deal.stage == stage("interest")
    board = client.get(reverse("sales:board"))
    assert "Плитка для офиса" not in board.content.decode()


def test_unknown_tab_is_404(client, manager, deal):
    client.force_login(manager)
    assert client.get(reverse("sales:deal_tab", args=[deal.pk, "secret"])).status_code == 404


def test_section_opens_the_board(client, manager):
    client.force_login(manager)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert f'href="{reverse("sales:board")}"' in page


# --- The board ---------------------------------------------------------------------------------


def test_board_shows_columns_with_counts_sums_and_cards(client, manager, colleague, romashka):
    DealFactory(manager=manager, client=romashka, title="Плитка", amount=Decimal("1234567.50"))
    DealFactory(manager=manager, client=romashka, title="Клей", amount=Decimal("100.00"))
    DealFactory(
        manager=manager,
        client=romashka,
        title="Затирка",
        stage=stage("proposal_sent"),
        stage_entered_at=NOW - dt.timedelta(days=10),
        stage_deadline=dt.date(2026, 3, 5),
    )
    DealFactory(manager=manager, client=romashka, title="Закрытая", stage=stage("won"))
    client.force_login(manager)
    response = client.get(reverse("sales:board"))
    assert response.status_code == 200
    columns = {column.stage.code: column for column in response.context["columns"]}
    assert list(columns) == ["interest", "proposal_sent", "decision", "invoice", "paid"]
    assert (columns["interest"].count, columns["interest"].total) == (2, Decimal("1234667.50"))
    page = response.content.decode()
    assert "1\xa0234\xa0668\xa0₽" in page  # the column sum, whole roubles (half up)
    assert "1\xa0234\xa0568\xa0₽" in page  # the card of «Плитка»
    assert "застряла" in page
    assert "10 дн." in page
    assert "Закрытая" not in page
    assert [s.code for s in response.context["closing_stages"]] == ["won", "lost"]


def test_board_filters_by_manager_source_query_and_stuck(client, head, manager, colleague):
    web = LeadSourceFactory(name="Сайт")
    DealFactory(manager=manager, title="Моя с сайта", source=web)
    DealFactory(manager=colleague, title="Коллеги")
    DealFactory(
        manager=colleague,
        title="Застрявшая",
        stage=stage("proposal_sent"),
        stage_deadline=dt.date(2026, 3, 1),
    )
    client.force_login(head)

    def titles(**params):
        response = htmx(client, "get", reverse("sales:board"), params)
        assert response.templates[0].name == "sales/deals/partials/_board_columns.html"
        return sorted(d.title for c in response.context["columns"] for d in c.deals)

    assert titles() == ["Застрявшая", "Коллеги", "Моя с сайта"]
    assert titles(manager=manager.pk) == ["Моя с сайта"]
    assert titles(source=web.pk) == ["Моя с сайта"]
    assert titles(q="колл") == ["Коллеги"]
    assert titles(stuck="on") == ["Застрявшая"]


@pytest.mark.parametrize("deals", [2, 12])
def test_board_costs_a_fixed_number_of_queries(
    client, manager, romashka, deals, django_assert_num_queries
):
    for n in range(deals):
        DealFactory(
            manager=manager,
            client=romashka,
            stage=stage("interest" if n % 2 else "decision"),
            co_executors=[manager] if n % 3 == 0 else None,
        )
    client.force_login(manager)
    client.get(reverse("sales:board"))  # warm the work calendar and the session
    # session, user, substitutions (×2: access and the manager filter), pipelines, the board's
    # stages, the sums, the cards, the managers and the sources of the filters, the navigation
    with django_assert_num_queries(11):
        response = client.get(reverse("sales:board"))
    assert sum(len(column.deals) for column in response.context["columns"]) == deals


# --- The move ----------------------------------------------------------------------------------


def move(client, deal, target, **data):
    return htmx(
        client,
        "post",
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": target.pk, "view": "board", **data},
    )


def test_refused_move_shows_the_problems_and_changes_nothing(client, manager, deal):
    client.force_login(manager)
    response = move(client, deal, stage("proposal_sent"))
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#deal-modal-content"
    assert response["HX-Trigger"] == "deal-move-refused"
    page = response.content.decode()
    assert "Перевести нельзя:" in page
    assert "Чтобы уйти с этапа «Интерес зарегистрирован», заполните поле «Товары и услуги»" in page
    assert "Для этапа «КП отправлено» нужен документ: Коммерческое предложение выставлено" in page
    assert (
        "Для этапа «КП отправлено» нужно выполненное событие «Электронное письмо» по сделке" in page
    )
    assert reverse("sales:deal_edit", args=[deal.pk]) in page  # fill the lines
    deal.refresh_from_db()
    assert deal.stage == stage("interest")
    assert deal.version == 1
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_skipping_a_stage_that_may_not_be_skipped_is_refused(client, manager, romashka):
    deal = DealFactory(manager=manager, client=romashka, stage=stage("decision"))
    client.force_login(manager)
    response = move(client, deal, stage("paid"))
    page = response.content.decode()
    assert "Этап «Счёт выставлен» нельзя пропустить — сначала переведите сделку на него" in page
    deal.refresh_from_db()
    assert deal.stage == stage("decision")


def test_allowed_move_redraws_the_columns(client, manager, romashka):
    deal = DealFactory(
        manager=manager, client=romashka, stage=stage("proposal_sent"), amount=Decimal("500")
    )
    client.force_login(manager)
    response = move(client, deal, stage("decision"), filters="q=&stuck=")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#board-columns"
    trigger = json.loads(response["HX-Trigger"])
    assert trigger == {
        "deal-moved": {"message": f"Сделка {deal.number} переведена на этап «Ожидание решения»."}
    }
    columns = {column.stage.code: column for column in response.context["columns"]}
    assert (columns["proposal_sent"].count, columns["decision"].count) == (0, 1)
    assert columns["decision"].total == Decimal("500.00")
    deal.refresh_from_db()
    assert deal.stage == stage("decision")
    change = DealStageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        stage("proposal_sent"),
        stage("decision"),
        manager,
    )


def test_the_dialog_asks_for_a_missing_field_and_the_move_passes_with_it(client, manager, romashka):
    deal = DealFactory(manager=manager, client=romashka, stage=stage("invoice"))
    client.force_login(manager)
    refused = move(client, deal, stage("paid"))
    page = refused.content.decode()
    assert "Чтобы уйти с этапа «Счёт выставлен», заполните поле «Ожидаемая сумма»" in page
    assert 'name="amount"' in page
    bad = move(client, deal, stage("paid"), amount="-5")
    assert "Ожидаемая сумма не может быть отрицательной" in bad.content.decode()
    # The reason stays in view beside the field's error.
    assert "заполните поле «Ожидаемая сумма»" in bad.content.decode()
    deal.refresh_from_db()
    assert (deal.stage, deal.amount) == (stage("invoice"), Decimal("0.00"))

    passed = move(client, deal, stage("paid"), amount="12 500,50")
    assert passed["HX-Retarget"] == "#board-columns"
    deal.refresh_from_db()
    assert (deal.stage, deal.amount) == (stage("paid"), Decimal("12500.50"))


def test_lost_without_a_reason_is_refused(client, manager, deal):
    client.force_login(manager)
    response = move(client, deal, stage("lost"))
    page = response.content.decode()
    assert "Укажите причину проигрыша" in page
    assert 'name="lost_reason"' in page
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (DealStatus.OPEN, None)

    response = move(
        client,
        deal,
        stage("lost"),
        lost_reason=lost_reason("Дорого").pk,
        lost_comment="Нашли дешевле",
    )
    assert response["HX-Retarget"] == "#board-columns"
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.lost_comment) == (
        DealStatus.LOST,
        lost_reason("Дорого"),
        "Нашли дешевле",
    )


def test_move_from_the_card_redirects_back_to_it(client, manager, romashka):
    deal = DealFactory(manager=manager, client=romashka, stage=stage("decision"))
    client.force_login(manager)
    response = htmx(
        client,
        "post",
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage": stage("invoice").pk, "view": "card"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("sales:deal_detail", args=[deal.pk])
    deal.refresh_from_db()
    assert deal.stage == stage("invoice")


def test_a_stage_of_another_pipeline_is_refused(client, manager, deal):
    from crm.sales.tests.factories import StageFactory

    foreign = StageFactory()
    client.force_login(manager)
    response = move(client, deal, foreign)
    assert "Этап не найден в воронке сделки" in response.content.decode()
    deal.refresh_from_db()
    assert deal.stage == stage("interest")


def test_reopen_a_lost_deal(client, manager, romashka):
    deal = DealFactory(manager=manager, client=romashka, stage=stage("lost"))
    client.force_login(manager)
    response = client.post(reverse("sales:deal_reopen", args=[deal.pk]))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.stage, deal.lost_reason) == (
        DealStatus.OPEN,
        stage("interest"),
        None,
    )


# --- The list ----------------------------------------------------------------------------------


def test_list_filters_and_sorts(client, manager, romashka):
    DealFactory(manager=manager, client=romashka, title="Б-сделка", amount=Decimal("300"))
    DealFactory(manager=manager, client=romashka, title="А-сделка", amount=Decimal("100"))
    DealFactory(manager=manager, title="Другой клиент", amount=Decimal("200"))
    DealFactory(
        manager=manager,
        title="Застряла",
        stage=stage("decision"),
        stage_deadline=dt.date(2026, 3, 2),
    )
    DealFactory(manager=manager, title="Выиграна", stage=stage("won"))
    client.force_login(manager)

    def titles(**params):
        response = client.get(reverse("sales:deal_list"), params)
        assert response.status_code == 200
        return [deal.title for deal in response.context["page"].object_list]

    assert titles(sort="amount", status="open", stuck="") == [
        "Застряла",
        "А-сделка",
        "Другой клиент",
        "Б-сделка",
    ]
    assert titles(sort="-amount", client=romashka.pk) == ["Б-сделка", "А-сделка"]
    assert titles(stuck="on") == ["Застряла"]
    assert titles(status="won") == ["Выиграна"]
    assert titles(stage=stage("decision").pk) == ["Застряла"]
    assert titles(q="другой") == ["Другой клиент"]
    # a sort that is not offered falls back to the newest first
    assert titles(sort="manager__password", status="won") == ["Выиграна"]
    assert len(titles(created_from="2026-03-10", created_to="2026-03-10")) == 5
    assert titles(created_from="2026-03-11") == []


@pytest.mark.parametrize("deals", [2, 12])
def test_list_costs_a_fixed_number_of_queries(
    client, manager, romashka, deals, django_assert_num_queries
):
    for n in range(deals):
        DealFactory(manager=manager, client=romashka, stage=stage("interest" if n % 2 else "won"))
    client.force_login(manager)
    client.get(reverse("sales:deal_list"))  # warm the work calendar and the session
    # session, user, groups, substitutions, the count, the page's ids, the page's rows, the
    # choices of the filters (pipelines, stages, managers, sources), the navigation
    with django_assert_num_queries(12):
        response = client.get(reverse("sales:deal_list"))
    assert len(response.context["page"].object_list) == deals


def test_list_pages_by_fifty(client, manager, romashka):
    for _n in range(51):
        DealFactory(manager=manager, client=romashka)
    client.force_login(manager)
    response = client.get(reverse("sales:deal_list"))
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 2


# --- The card -----------------------------------------------------------------------------------


def test_card_shows_the_stage_bar_and_the_tabs(client, manager, deal):
    DealLineFactory(deal=deal, name="Плитка 60×60", quantity=Decimal("12.5"), price=Decimal("980"))
    deal.co_executors.add(manager)
    client.force_login(manager)
    page = client.get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()
    assert deal.number in page and "ООО «Ромашка»" in page
    assert "150\xa0000,00\xa0₽" in page
    assert "На этапе «Интерес зарегистрирован» 2 дн." in page
    overview = client.get(reverse("sales:deal_tab", args=[deal.pk, "overview"])).content.decode()
    assert "Плитка 60×60" in overview
    assert "12\xa0250,00\xa0₽" in overview
    proposals = client.get(reverse("sales:deal_tab", args=[deal.pk, "proposals"]))
    assert proposals.status_code == 200


def test_stages_tab_shows_the_timeline(client, manager, romashka):
    deal = DealFactory(manager=manager, client=romashka, stage=stage("proposal_sent"))
    client.force_login(manager)
    move(client, deal, stage("invoice"), view="card")
    page = client.get(reverse("sales:deal_tab", args=[deal.pk, "stages"])).content.decode()
    assert "КП отправлено" in page and "Счёт выставлен" in page
    assert "Ожидание решения" in page  # passed over
    assert "меньше часа · 0 раб. дн." in page


def test_history_tab_shows_the_audit(client, manager, romashka):
    deal = DealFactory(manager=manager, client=romashka, stage=stage("proposal_sent"))
    client.force_login(manager)
    move(client, deal, stage("decision"))
    assert AuditEntry.objects.filter(object_id=str(deal.pk)).exists()
    history = client.get(reverse("core:history", args=["sales.deal", deal.pk]))
    assert history.status_code == 200
    assert "Ожидание решения" in history.content.decode()


# --- Create and edit ------------------------------------------------------------------------------


def test_create_a_deal_with_lines(client, manager, romashka):
    product = ProductFactory(name="Плитка керамическая", price=Decimal("980.00"))
    client.force_login(manager)
    form = client.get(f"{reverse('sales:deal_create')}?client={romashka.pk}")
    assert form.context["form"].initial["client"] == romashka.pk
    assert "Петрова Ольга" in form.content.decode() or "Ольга" in form.content.decode()
    response = client.post(
        reverse("sales:deal_create"),
        {
            "client": romashka.pk,
            "title": "Плитка для офиса",
            "pipeline": pipeline().pk,
            "amount": "",
            "currency": "RUB",
            "manager": manager.pk,
            "first_step": "proposal",
            "description": "Нужна до конца месяца",
            "lines-TOTAL_FORMS": "3",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk,
            "lines-0-name": "Плитка керамическая",
            "lines-0-quantity": "12,5",
            "lines-0-unit_name": "м2",
            "lines-0-price": "980",
            "lines-1-name": "Доставка",
            "lines-1-quantity": "1",
            "lines-1-price": "1 500,00",
            "lines-2-name": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    deal = Deal.objects.get(title="Плитка для офиса")
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk])
    assert deal.amount == Decimal("13750.00")
    assert deal.stage == stage("interest")
    assert deal.number.startswith("С-")
    assert list(DealLine.objects.filter(deal=deal).values_list("name", "quantity", "price")) == [
        ("Плитка керамическая", Decimal("12.500"), Decimal("980.00")),
        ("Доставка", Decimal("1.000"), Decimal("1500.00")),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"client": ""}, "Клиент: выберите клиента сделки"),
        ({"amount": "-100"}, "Ожидаемая сумма не может быть отрицательной"),
        ({"amount": "сто"}, "Ожидаемая сумма: введите число, например 150000 или 1 250,50"),
        ({"title": ""}, "Название: укажите, что хочет клиент"),
        ({"lines-0-name": "", "lines-0-price": "10"}, "Строка 1: укажите наименование"),
        ({"lines-0-quantity": "0"}, "Строка 1: количество должно быть больше нуля"),
        ({"lines-0-price": "-1"}, "Строка 1: цена не может быть отрицательной"),
    ],
)
def test_create_with_bad_input_names_the_field(client, manager, romashka, data, message):
    client.force_login(manager)
    post = {
        "client": romashka.pk,
        "title": "Сделка",
        "pipeline": pipeline().pk,
        "amount": "100",
        "currency": "RUB",
        "manager": manager.pk,
        "first_step": "proposal",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-name": "Плитка",
        "lines-0-quantity": "1",
        "lines-0-price": "100",
        **data,
    }
    response = client.post(reverse("sales:deal_create"), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Deal.objects.exists()


def test_create_refuses_a_client_of_another_department(client, manager, other_manager):
    stranger = ClientFactory(owner=other_manager)
    client.force_login(manager)
    response = client.post(
        reverse("sales:deal_create"),
        {
            "client": stranger.pk,
            "title": "Чужая",
            "pipeline": pipeline().pk,
            "currency": "RUB",
            "manager": manager.pk,
            "first_step": "proposal",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert "Клиент: такой клиент не найден среди ваших" in response.content.decode()
    assert not Deal.objects.exists()


def test_edit_changes_fields_and_replaces_lines(client, manager, deal):
    DealLineFactory(deal=deal, name="Старая строка")
    client.force_login(manager)
    form = client.get(reverse("sales:deal_edit", args=[deal.pk]))
    assert "Старая строка" in form.content.decode()
    response = client.post(
        reverse("sales:deal_edit", args=[deal.pk]),
        {
            "title": "Плитка и клей",
            "currency": "RUB",
            "amount": "1",
            "expected_close_date": "2026-04-01",
            "manager": manager.pk,
            "first_step": "invoice",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "1",
            "lines-0-name": "Старая строка",
            "lines-0-quantity": "1",
            "lines-0-price": "1000",
            "lines-0-DELETE": "on",
            "lines-1-name": "Клей",
            "lines-1-quantity": "4",
            "lines-1-price": "250",
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.expected_close_date, deal.first_step) == (
        "Плитка и клей",
        Decimal("1000.00"),
        dt.date(2026, 4, 1),
        "invoice",
    )
    assert list(deal.lines.values_list("name", flat=True)) == ["Клей"]


# --- Activities of the deal -----------------------------------------------------------------------


def test_plan_an_activity_for_the_deal_links_it(client, manager, deal):
    client.force_login(manager)
    form = client.get(reverse("sales:deal_activity_create", args=[deal.pk]) + "?kind=call")
    assert form.context["form"].initial["client"] == deal.client_id
    response = client.post(
        reverse("sales:deal_activity_create", args=[deal.pk]),
        {
            "kind": kind("call").pk,
            "direction": "outgoing",
            "subject": "Звонок по КП",
            "start_at": "2026-03-11T10:00",
            "end_at": "2026-03-11T10:30",
            "client": deal.client_id,
            "responsible": manager.pk,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(subject="Звонок по КП")
    assert DealActivity.objects.get(activity=activity).deal == deal
    tab = client.get(reverse("sales:deal_tab", args=[deal.pk, "activities"])).content.decode()
    assert "Звонок по КП" in tab


def test_an_activity_of_another_client_is_not_linked(client, manager, deal):
    other = ClientFactory(owner=manager, name="ООО «Лютик»")
    client.force_login(manager)
    response = client.post(
        reverse("sales:deal_activity_create", args=[deal.pk]),
        {
            "kind": kind("call").pk,
            "direction": "outgoing",
            "subject": "Не туда",
            "start_at": "2026-03-11T10:00",
            "client": other.pk,
            "responsible": manager.pk,
        },
    )
    assert response.status_code == 200
    assert "Событие относится к другому клиенту" in response.content.decode()
    assert not Activity.objects.filter(subject="Не туда").exists()


# --- The client card ------------------------------------------------------------------------------


def test_client_card_has_the_deals_tab_and_the_new_deal_action(client, manager, deal):
    client.force_login(manager)
    card = client.get(reverse("clients:detail", args=[deal.client_id])).content.decode()
    assert f"{reverse('sales:deal_create')}?client={deal.client_id}" in card
    assert "Новая сделка" in card
    tab = client.get(reverse("clients:tab", args=[deal.client_id, "deals"])).content.decode()
    assert "Плитка для офиса" in tab
    assert deal.number in tab


def test_global_search_finds_a_deal_the_user_may_see(client, manager, other_manager, deal):
    DealFactory(manager=other_manager, title="Плитка чужая")
    client.force_login(manager)
    page = client.get(reverse("core:search"), {"q": "плитка"}).content.decode()
    assert "Плитка для офиса" in page
    assert reverse("sales:deal_detail", args=[deal.pk]) in page
    assert "Плитка чужая" not in page


def test_list_keeps_the_global_search_empty_and_explains_an_empty_result(client, manager):
    client.force_login(manager)

    def page(**params):
        return client.get(reverse("sales:deal_list"), params).content.decode()

    html = page(stuck="on")
    assert 'value="stuck=on"' not in html  # the filters once leaked into the header search
    assert "Застрявших сделок нет: все открытые сделки укладываются в срок этапа." in html
    assert "Измените условия поиска или сбросьте фильтры." in page(q="нет такой")
    assert "Создайте первую сделку кнопкой «Новая сделка» или из карточки клиента." in page()

"""The deals board in a real browser: a manager drags a card to the next column where the stage
needs what the deal does not have — the dialog says what is missing and the card goes back —,
then drags another card where the move is allowed: it lands there and the column counts and
sums change. The deal card's stage bar and "Проиграна" dialog are looked at too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.clients.tests.factories import ClientFactory
from crm.sales.models import DealStageChange, DealStatus
from crm.sales.tests.factories import DealFactory, DealLineFactory, stage
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def manager():
    return UserFactory(
        username="kotova",
        first_name="Мария",
        last_name="Котова",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Москва»"),
    )


@pytest.fixture
def deals(manager):
    romashka = ClientFactory(name="ООО «Ромашка»", owner=manager)
    vector = ClientFactory(name="АО «Вектор»", owner=manager)
    now = timezone.now()
    tile = DealFactory(
        manager=manager,
        client=romashka,
        title="Плитка для офиса",
        amount=Decimal("150000.00"),
        stage_entered_at=now - dt.timedelta(days=1),
    )
    glue = DealFactory(
        manager=manager,
        client=vector,
        title="Клей и затирка",
        stage=stage("proposal_sent"),
        amount=Decimal("48500.00"),
        stage_entered_at=now - dt.timedelta(days=9),
        stage_deadline=timezone.localdate() - dt.timedelta(days=3),
    )
    DealLineFactory(deal=glue, name="Клей плиточный", price=Decimal("48500.00"))
    DealFactory(
        manager=manager,
        client=vector,
        title="Ступени из керамогранита",
        stage=stage("decision"),
        amount=Decimal("320000.00"),
        stage_entered_at=now - dt.timedelta(days=2),
    )
    return {"tile": tile, "glue": glue}


def column(page, code):
    return page.locator(f'.deal-column[data-column="{stage(code).pk}"]')


def start_drag(page, card):
    """Press on the card and move a little until SortableJS has taken it (it ignores a press
    while the previous drop is still animating); returns the pointer position."""
    for _attempt in range(5):
        card.scroll_into_view_if_needed()
        source = card.bounding_box()
        assert source is not None
        x, y = source["x"] + source["width"] / 2, source["y"] + 12
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 8, y + 8, steps=4)
        if page.evaluate("document.body.classList.contains('deal-dragging')"):
            return x + 8, y + 8
        page.mouse.up()
        page.wait_for_timeout(300)
    raise AssertionError("the card could not be picked up")


def drag(page, card, target):
    """Drag with the mouse as a person does (SortableJS listens to pointer events)."""
    start_drag(page, card)
    box = target.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60, steps=20)
    page.mouse.up()


def test_drag_refused_shows_the_dialog_then_an_allowed_drag_moves_the_card(page, manager, deals):
    login(page, "kotova")
    page.get_by_role("link", name="Сделки").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Сделки")
    interest, proposal, decision = (
        column(page, "interest"),
        column(page, "proposal_sent"),
        column(page, "decision"),
    )
    expect(interest.locator("[data-column-count]")).to_have_text("1")
    expect(interest.locator("[data-column-total]")).to_have_text("150\xa0000\xa0₽")
    expect(proposal.locator(".deal-card", has_text="Клей и затирка")).to_contain_text("застряла")
    assert_fits_laptop(page)
    screenshot(page, "deals-board")

    # «Интерес зарегистрирован» → «КП отправлено»: no lines, no proposal, no e-mail.
    drag(page, interest.locator(".deal-card", has_text="Плитка для офиса"), proposal)
    dialog = page.locator("#deal-modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-move-problems]")).to_contain_text(
        "Чтобы уйти с этапа «Интерес зарегистрирован», заполните поле «Товары и услуги»"
    )
    expect(dialog.locator("[data-move-problems]")).to_contain_text(
        "нужен документ: Коммерческое предложение выставлено"
    )
    screenshot(page, "deals-board-refused")
    expect(interest.locator(".deal-card", has_text="Плитка для офиса")).to_be_visible()
    expect(proposal.locator(".deal-card", has_text="Плитка для офиса")).to_have_count(0)
    dialog.get_by_role("button", name="Понятно").click()
    expect(dialog).to_be_hidden()
    deals["tile"].refresh_from_db()
    assert deals["tile"].stage == stage("interest")

    # «КП отправлено» → «Ожидание решения»: allowed.
    drag(page, proposal.locator(".deal-card", has_text="Клей и затирка"), decision)
    expect(decision.locator(".deal-card", has_text="Клей и затирка")).to_be_visible()
    expect(proposal.locator("[data-column-count]")).to_have_text("0")
    expect(decision.locator("[data-column-count]")).to_have_text("2")
    expect(decision.locator("[data-column-total]")).to_have_text("368\xa0500\xa0₽")
    expect(page.locator("[data-deal-toast]")).to_contain_text(
        "переведена на этап «Ожидание решения»"
    )
    screenshot(page, "deals-board-moved")
    deals["glue"].refresh_from_db()
    assert deals["glue"].stage == stage("decision")
    assert DealStageChange.objects.filter(deal=deals["glue"], to_stage=stage("decision")).exists()

    # The card survives the redraw: it can be dragged again, to the "lost" zone that shows up
    # at the bottom while dragging; the dialog asks for the reason, then the card leaves.
    card = decision.locator(".deal-card", has_text="Клей и затирка")
    start_drag(page, card)
    zone = page.locator('.deal-dropzone[data-kind="lost"]')
    expect(zone).to_be_visible()
    page.wait_for_timeout(250)  # the zones slide in
    box = zone.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=20)
    screenshot(page, "deals-board-dragging")
    page.mouse.up()
    expect(dialog.locator("[data-move-problems]")).to_contain_text("Укажите причину проигрыша")
    expect(card).to_be_visible()
    dialog.get_by_label("Причина проигрыша").select_option(label="Выбрали другого поставщика")
    dialog.get_by_role("button", name="Закрыть как проигранную").click()
    expect(dialog).to_be_hidden()
    expect(decision.locator("[data-column-count]")).to_have_text("1")
    expect(decision.locator(".deal-card", has_text="Клей и затирка")).to_have_count(0)
    deals["glue"].refresh_from_db()
    assert deals["glue"].status == DealStatus.LOST


def test_the_deal_card_closes_a_deal_as_lost_with_a_reason(page, manager, deals):
    login(page, "kotova")
    page.goto(f"/deals/{deals['tile'].pk}/")
    expect(page.locator(".deal-stage.is-current")).to_have_text("Интерес зарегистрирован")
    screenshot(page, "deal-card")
    page.get_by_role("button", name="Проиграна").click()
    dialog = page.locator("#deal-modal")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Закрыть как проигранную").click()
    expect(dialog.locator("[data-move-problems]")).to_contain_text("Укажите причину проигрыша")
    dialog.get_by_label("Причина проигрыша").select_option(label="Дорого")
    dialog.get_by_label("Комментарий").fill("Нашли дешевле у конкурента")
    screenshot(page, "deal-card-lost-dialog")
    dialog.get_by_role("button", name="Закрыть как проигранную").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("проиграна")
    expect(page.get_by_text("Причина проигрыша: Дорого")).to_be_visible()
    deals["tile"].refresh_from_db()
    assert deals["tile"].status == DealStatus.LOST
    page.get_by_role("link", name="Этапы").click()
    expect(page.locator("#deal-tab")).to_contain_text("Пробыла на прежнем этапе")
    expect(page.locator("#deal-tab tbody")).to_contain_text("Интерес зарегистрирован")
    screenshot(page, "deal-card-lost")


def test_register_an_interest_from_the_client_card_with_a_product_line(page, manager):
    from crm.sales.tests.factories import ProductFactory

    romashka = ClientFactory(name="ООО «Ромашка»", owner=manager)
    ProductFactory(name="Плитка керамическая 60×60", article="PL-60", price=Decimal("980.00"))
    login(page, "kotova")
    page.goto(f"/clients/{romashka.pk}/")
    page.get_by_role("link", name="Новая сделка").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Новая сделка")
    expect(page.locator("[data-client-name]")).to_have_value("ООО «Ромашка»")
    page.get_by_label("Название").fill("Плитка для офиса")
    page.get_by_label("Пожелания клиента").fill("Светлая, матовая, до конца месяца")
    page.get_by_role("button", name="Добавить строку").click()
    page.locator("[data-line-name]").last.fill("плитка кер")
    page.locator("[data-product-option]").first.click()
    expect(page.locator("[data-line-price]").last).to_have_value("980,00")
    page.locator("[data-line-quantity]").last.fill("12,5")
    expect(page.locator("[data-lines-total]")).to_have_text("12\xa0250,00")
    page.get_by_role("button", name="Добавить строку").click()
    page.locator("[data-line-name]").last.fill("Доставка по Москве")
    page.locator("[data-line-price]").last.fill("1500")
    expect(page.locator("[data-lines-total]")).to_have_text("13\xa0750,00")
    screenshot(page, "deal-form")
    page.get_by_role("button", name="Создать сделку").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Плитка для офиса")
    expect(page.locator("[data-deal-amount]")).to_have_text("13\xa0750,00\xa0₽")
    expect(page.locator("#deal-tab")).to_contain_text("Плитка керамическая 60×60")
    page.goto(f"/clients/{romashka.pk}/")
    page.get_by_role("link", name="Сделки").last.click()
    expect(page.locator("#client-tab")).to_contain_text("Плитка для офиса")
    screenshot(page, "client-card-deals-tab")
    page.get_by_role("link", name="Сделки").first.click()
    page.get_by_role("link", name="Список").click()
    expect(page.locator("#deal-rows")).to_contain_text("Плитка для офиса")
    screenshot(page, "deal-list")

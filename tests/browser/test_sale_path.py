"""The seed's sale path in one browser session, with the clock of the server moved by
time-machine so every date is exact:

Friday 2026-11-27 10:00 (Moscow) — a manager registers the client's interest from the client
card with a product line, creates a commercial proposal on the deal card, issues it and sends it
by e-mail; the letter (captured by the locmem backend of the test settings: the live server runs
in this process, so `django.core.mail.outbox` is the same list) goes to the contact with the
number in its subject and the PDF attached; the deal moves to «КП отправлено» and the seed's
automatic step plans the call «Позвонить и узнать решение клиента…» for 3 working days later —
Wednesday 2026-12-02 10:00 (Saturday and Sunday are days off).

Wednesday 2026-12-02 09:00 — the call is in the manager's list for today and in the calendar;
the manager completes it with a result and moves the deal on to «Ожидание решения»; jumping
over «Счёт выставлен» (a stage that may not be skipped) is refused with the reason in the
dialog.

The browser keeps its own clock; the pages it shows take "today" from the server (the calendar
gets the server's "now" in its config)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.activities.models import Activity, ActivityStatus
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory
from crm.core.models import Notification
from crm.sales.models import (
    AutomationRun,
    Deal,
    DealStageChange,
    Proposal,
    ProposalStatus,
)
from crm.sales.tests.factories import (
    DealFactory,
    OrganizationFactory,
    ProductFactory,
    stage,
)
from tests.browser.helpers import assert_fits_laptop, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MOSCOW = ZoneInfo("Europe/Moscow")
FRIDAY = dt.datetime(2026, 11, 27, 10, 0, tzinfo=MOSCOW)
WEDNESDAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=MOSCOW)
CALL_DUE = dt.datetime(2026, 12, 2, 10, 0, tzinfo=MOSCOW)
CALL_SUBJECT = "Позвонить и узнать решение клиента по коммерческому предложению"
NBSP = "\xa0"


@pytest.fixture
def manager():
    return UserFactory(
        username="kotova",
        first_name="Мария",
        last_name="Котова",
        email="kotova@svod.test",
        role=Role.MANAGER,
        department=DepartmentFactory(name="Отдел продаж «Москва»"),
    )


@pytest.fixture
def romashka(manager):
    OrganizationFactory()
    client = ClientFactory(
        name="ООО «Ромашка»",
        inn="7701234567",
        kpp="770101001",
        owner=manager,
        legal_address="125009, г. Москва, ул. Тверская, д. 7",
    )
    person = ContactPersonFactory(
        last_name="Петрова",
        first_name="Ольга",
        middle_name="Ивановна",
        email="petrova@romashka.test",
    )
    ClientContact.objects.create(client=client, contact=person, is_main=True)
    ProductFactory(name="Станок сверлильный СС-12", article="СС-12", price=Decimal("48500.00"))
    return client


def test_interest_proposal_email_follow_up_call_and_next_stage(page, manager, romashka):
    with time_machine.travel(FRIDAY, tick=True) as traveller:
        # 1. Friday: register the interest from the client card, with a product line.
        login(page, "kotova")
        page.goto(f"/clients/{romashka.pk}/")
        page.get_by_role("link", name="Новая сделка").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Новая сделка")
        expect(page.locator("[data-client-name]")).to_have_value("ООО «Ромашка»")
        page.get_by_label("Название").fill("Станки для цеха")
        page.get_by_label("Пожелания клиента").fill("Два сверлильных станка до конца года")
        page.get_by_role("button", name="Добавить строку").click()
        page.locator("[data-line-name]").last.fill("станок свер")
        page.locator("[data-product-option]", has_text="Станок сверлильный СС-12").click()
        expect(page.locator("[data-line-price]").last).to_have_value("48500,00")
        page.locator("[data-line-quantity]").last.fill("2")
        expect(page.locator("[data-lines-total]")).to_have_text(f"97{NBSP}000,00")
        screenshot(page, "sale-path-1-deal-form")
        page.get_by_role("button", name="Создать сделку").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("С-00001 Станки для цеха")
        page.wait_for_load_state()  # the tabs and the stage bar are htmx: wait for its set-up
        deal = Deal.objects.get()
        assert (deal.number, deal.title, deal.client, deal.manager, deal.amount) == (
            "С-00001",
            "Станки для цеха",
            romashka,
            manager,
            Decimal("97000.00"),
        )
        assert deal.stage == stage("interest")
        assert deal.contact is not None and deal.contact.email == "petrova@romashka.test"
        expect(page.get_by_role("alert")).to_contain_text(
            "Сделка С-00001 «Станки для цеха» создана."
        )
        expect(page.locator("[data-deal-amount]")).to_have_text(f"97{NBSP}000,00{NBSP}₽")
        expect(page.locator(".deal-stage.is-current")).to_have_text("Интерес зарегистрирован")
        expect(page.locator("#deal-tab")).to_contain_text("Станок сверлильный СС-12")
        screenshot(page, "sale-path-2-deal-card")

        # 2. On the deal card: «Создать КП» takes the deal's line into the editor.
        page.get_by_role("tablist").get_by_role("link", name="Предложения").click()
        page.locator("[data-proposal-create]").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Черновик коммерческого предложения"
        )
        expect(page.locator("[data-line-row]:visible")).to_have_count(1)
        row = page.locator("[data-line-row]").first
        expect(row.locator("[data-name]")).to_have_value("Станок сверлильный СС-12")
        expect(row.locator("[data-price]")).to_have_value("48500,00")
        expect(row.locator("[data-vat]")).to_have_value("22")
        expect(page.locator("#line-sum-0")).to_have_text(f"97{NBSP}000,00")
        expect(page.get_by_label("Действует до")).to_have_value("2026-12-07")
        page.get_by_label("Условия").fill("Поставка в течение 10 рабочих дней после оплаты")
        assert_fits_laptop(page)
        screenshot(page, "sale-path-3-proposal-editor")

        # 3. Issue it: it gets its number and is read-only from now on.
        page.locator("[data-proposal-issue]").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Коммерческое предложение КП-2026-0001"
        )
        expect(page.get_by_role("heading", level=1)).to_contain_text("Выставлено")
        expect(page.get_by_role("alert")).to_contain_text("Предложение выставлено: КП-2026-0001.")
        facts = page.locator(".proposal-facts")
        expect(facts).to_contain_text("КП-2026-0001 от 27.11.2026 · действует до 07.12.2026")
        expect(facts).to_contain_text("Петрова Ольга Ивановна")
        expect(page.locator("[data-stored-lines]")).to_contain_text("Станок сверлильный СС-12")
        proposal = Proposal.objects.get()
        assert (proposal.number, proposal.status, proposal.date, proposal.total) == (
            "КП-2026-0001",
            ProposalStatus.ISSUED,
            dt.date(2026, 11, 27),
            Decimal("97000.00"),
        )
        assert proposal.vat_amount == Decimal("17491.80")  # 97 000 × 22 / 122, half up
        screenshot(page, "sale-path-4-proposal-issued")

        # 4. Send it by e-mail: to the deal's contact, the number in the subject, the PDF.
        page.locator("[data-proposal-send]").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Отправить предложение по эл. почте"
        )
        expect(page.get_by_label("Кому")).to_have_value("petrova@romashka.test")
        subject = "Коммерческое предложение № КП-2026-0001 от ООО «Свод»"
        expect(page.get_by_label("Тема")).to_have_value(subject)
        expect(page.locator("[data-attachment]")).to_have_text("КП-2026-0001.pdf")
        screenshot(page, "sale-path-5-send-dialog")
        assert mail.outbox == []
        page.locator("[data-send]").click()

        page.wait_for_url(re.compile(rf"/deals/{deal.pk}/\?tab=proposals$"))
        expect(page.get_by_role("alert")).to_contain_text(
            "КП-2026-0001 от 27.11.2026 отправлено: petrova@romashka.test. "
            "Письмо записано в события сделки."
        )

        # The letter, as the mail server got it.
        assert len(mail.outbox) == 1
        letter = mail.outbox[0]
        assert (letter.to, letter.subject, letter.reply_to) == (
            ["petrova@romashka.test"],
            subject,
            ["kotova@svod.test"],
        )
        # The text comes from the dialog's textarea: the browser sends CRLF line ends.
        assert letter.body.replace("\r\n", "\n") == (
            "Здравствуйте, Ольга Ивановна!\n\n"
            "Направляем коммерческое предложение № КП-2026-0001 на сумму 97 000,00 RUB. "
            "Предложение — во вложении (PDF).\n"
            "Предложение действует до 07.12.2026.\n"
            "Будем рады ответить на ваши вопросы.\n\n"
            "С уважением,\n"
            "Котова Мария\n"
            "ООО «Свод»\n"
            "kotova@svod.test"
        )
        assert len(letter.attachments) == 1
        name, content, mimetype = letter.attachments[0]
        assert (name, mimetype) == ("КП-2026-0001.pdf", "application/pdf")
        assert content.startswith(b"%PDF-")

        # 5. The deal is at «КП отправлено»; its tab shows the sent proposal, the logged
        # e-mail with the PDF and the call planned for Wednesday.
        expect(page.locator(".deal-stage.is-current")).to_have_text("КП отправлено")
        tab = page.locator("[data-deal-proposals]")
        proposal_row = tab.locator(f'tr[data-proposal="{proposal.pk}"]')
        expect(proposal_row).to_contain_text("КП-2026-0001")
        expect(proposal_row).to_contain_text("Отправлено")
        expect(proposal_row).to_contain_text("отправлено 27.11.2026 10:")
        expect(proposal_row).to_contain_text(f"97{NBSP}000,00")
        emails = tab.locator("[data-sent-emails]")
        expect(emails).to_contain_text(subject)
        expect(emails).to_contain_text("КП-2026-0001.pdf")
        planned = tab.locator("[data-planned] li")
        expect(planned).to_have_count(1)
        expect(planned).to_contain_text(CALL_SUBJECT)
        expect(planned).to_contain_text("звонок · 02.12.2026 10:00")
        assert_fits_laptop(page)
        screenshot(page, "sale-path-6-deal-after-sending")

        page.get_by_role("tablist").get_by_role("link", name="События").click()
        activities_tab = page.locator("#deal-tab")
        expect(activities_tab).to_contain_text(subject)
        expect(activities_tab).to_contain_text(CALL_SUBJECT)
        screenshot(page, "sale-path-7-deal-activities")

        deal.refresh_from_db()
        proposal.refresh_from_db()
        assert deal.stage == stage("proposal_sent")
        assert proposal.status == ProposalStatus.SENT
        assert timezone.localtime(proposal.sent_at).date() == dt.date(2026, 11, 27)
        move = DealStageChange.objects.get(deal=deal, to_stage=stage("proposal_sent"))
        assert (move.from_stage, move.changed_by) == (stage("interest"), manager)
        email = Activity.objects.get(deal_link__deal=deal, kind__code="email")
        assert (email.status, email.direction, email.subject) == (
            ActivityStatus.DONE,
            "outgoing",
            subject,
        )
        assert [a.name for a in email.attachments.all()] == ["КП-2026-0001.pdf"]
        call = Activity.objects.get(deal_link__deal=deal, kind__code="call")
        assert (call.subject, call.status, call.start_at, call.responsible, call.client) == (
            CALL_SUBJECT,
            ActivityStatus.PLANNED,
            CALL_DUE,
            manager,
            romashka,
        )
        run = AutomationRun.objects.get(deal=deal)
        assert run.activity == call
        notice = Notification.objects.get(user=manager)
        assert (notice.title, notice.url) == (
            f"Автоматически поручено: {CALL_SUBJECT}",
            f"/activities/{call.pk}/",
        )
        expect(page.locator("#bell-count")).to_have_text("1")
        assert run.result == (
            f"Создано событие «{CALL_SUBJECT}» на 02.12.2026 10:00: {manager.short_name}"
        )

        # 6. Wednesday morning: the call is in today's list and in the calendar.
        traveller.move_to(WEDNESDAY)
        page.goto("/activities/?tab=today")
        expect(page.locator('[data-work-tab="today"]')).to_have_text(
            re.compile(r"^\s*Сегодня\s+1\s*$")
        )
        expect(page.locator('[data-work-tab="overdue"]')).to_have_text(
            re.compile(r"^\s*Просрочено\s+0\s*$")
        )
        row = page.locator(f"#activity-{call.pk}")
        expect(row).to_contain_text("02.12.2026")
        expect(row).to_contain_text("10:00")
        expect(row).to_contain_text(CALL_SUBJECT)
        expect(row).to_contain_text("ООО «Ромашка»")
        expect(row).not_to_contain_text("просрочено")
        screenshot(page, "sale-path-8-today-list")

        page.goto("/activities/calendar/?view=timeGridDay")
        day = page.locator('.fc-timegrid-col[data-date="2026-12-02"]')
        expect(day).to_have_class(re.compile(r"\bfc-day-today\b"))
        event = day.locator(".fc-timegrid-event", has_text=CALL_SUBJECT)
        expect(event).to_be_visible()
        expect(event.locator(".fc-event-time")).to_contain_text("10:00")
        screenshot(page, "sale-path-9-calendar-day")

        # 7. The call: done, with its result.
        page.goto("/activities/?tab=today")
        page.locator(f"#activity-{call.pk}").get_by_role("link", name=CALL_SUBJECT).click()
        page.wait_for_url(f"**/activities/{call.pk}/")
        page.locator("main").get_by_role("button", name="Завершить").click()
        dialog = page.locator("#activity-modal")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("Цель: С-00001 Станки для цеха")
        dialog.get_by_text("Дозвонился", exact=True).click()
        dialog.locator("#id_result").fill("КП получили, решение примут до пятницы")
        screenshot(page, "sale-path-10-complete-call")
        dialog.get_by_role("button", name="Завершить").click()
        expect(page.get_by_role("alert")).to_contain_text("Событие выполнено.")
        call.refresh_from_db()
        assert (call.status, call.outcome.name, call.result) == (
            ActivityStatus.DONE,
            "Дозвонился",
            "КП получили, решение примут до пятницы",
        )
        assert timezone.localtime(call.done_at).date() == dt.date(2026, 12, 2)

        # 8. Move the deal on to «Ожидание решения» from the stage bar of its card.
        page.goto(f"/clients/{romashka.pk}/")
        page.get_by_role("link", name="Сделки").last.click()
        page.locator("#client-tab").get_by_role("link", name="Станки для цеха").click()
        page.wait_for_url(re.compile(rf"/deals/{deal.pk}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("С-00001 Станки для цеха")
        expect(page.locator(".deal-stage.is-current")).to_have_text("КП отправлено")
        page.locator(".deal-stages").get_by_role("button", name="Ожидание решения").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Сделка С-00001 переведена на этап «Ожидание решения»."
        )
        page.wait_for_load_state()
        expect(page.locator(".deal-stage.is-current")).to_have_text("Ожидание решения")
        expect(page.locator(".deal-stage.is-done")).to_have_text(
            ["Интерес зарегистрирован", "КП отправлено"]
        )
        deal.refresh_from_db()
        assert deal.stage == stage("decision")
        move = DealStageChange.objects.get(deal=deal, to_stage=stage("decision"))
        assert (move.from_stage, move.changed_by, move.working_days_in_stage, move.skipped) == (
            stage("proposal_sent"),
            manager,
            3,
            [],
        )
        assert timezone.localtime(move.changed_at).date() == dt.date(2026, 12, 2)

        # 9. «Счёт выставлен» may not be passed over: the jump to «Оплачено…» is refused.
        page.locator(".deal-stages").get_by_role(
            "button", name="Оплачено, доставка согласована"
        ).click()
        modal = page.locator("#deal-modal")
        expect(modal).to_be_visible()
        expect(modal.locator(".modal-title")).to_have_text(
            "Перевести на этап «Оплачено, доставка согласована»"
        )
        expect(modal.locator("[data-move-problems] li")).to_have_text(
            ["Этап «Счёт выставлен» нельзя пропустить — сначала переведите сделку на него"]
        )
        screenshot(page, "sale-path-11-skip-refused")
        modal.get_by_role("button", name="Понятно").click()
        expect(modal).to_be_hidden()
        deal.refresh_from_db()
        assert deal.stage == stage("decision")

        # The activities tab of the deal shows the completed call with its result.
        page.get_by_role("tablist").get_by_role("link", name="События").click()
        expect(page.locator("#deal-tab")).to_contain_text("КП получили, решение примут до пятницы")
        screenshot(page, "sale-path-12-deal-decision")


def test_leaving_invoice_stage_asks_for_the_amount(page, manager, romashka):
    """«Счёт выставлен» needs the expected amount to be left: the dialog names the field,
    asks for it and moves the deal once it is given."""
    deal = DealFactory(
        manager=manager,
        client=romashka,
        title="Станки для цеха",
        stage=stage("invoice"),
        amount=Decimal("0.00"),
    )
    login(page, "kotova")
    page.goto(f"/deals/{deal.pk}/")
    expect(page.locator(".deal-stage.is-current")).to_have_text("Счёт выставлен")
    page.locator(".deal-stages").get_by_role(
        "button", name="Оплачено, доставка согласована"
    ).click()
    modal = page.locator("#deal-modal")
    expect(modal).to_be_visible()
    expect(modal.locator("[data-move-problems] li")).to_have_text(
        ["Чтобы уйти с этапа «Счёт выставлен», заполните поле «Ожидаемая сумма»"]
    )
    amount = modal.get_by_label("Ожидаемая сумма")
    expect(amount).to_be_visible()
    screenshot(page, "sale-path-13-amount-asked")

    # Bad input: the dialog stays, names the field, nothing changes.
    amount.fill("-5")
    modal.get_by_role("button", name="Сохранить и перевести").click()
    expect(modal.locator(".invalid-feedback")).to_have_text(
        ["Ожидаемая сумма не может быть отрицательной"]
    )
    modal.get_by_label("Ожидаемая сумма").fill("сто тысяч")
    modal.get_by_role("button", name="Сохранить и перевести").click()
    expect(modal.locator(".invalid-feedback")).to_have_text(
        ["Ожидаемая сумма: введите число, например 150000 или 1 250,50"]
    )
    screenshot(page, "sale-path-14-amount-invalid")
    deal.refresh_from_db()
    assert (deal.stage, deal.amount) == (stage("invoice"), Decimal("0.00"))

    modal.get_by_label("Ожидаемая сумма").fill("97 000,00")
    modal.get_by_role("button", name="Сохранить и перевести").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Сделка {deal.number} переведена на этап «Оплачено, доставка согласована»."
    )
    expect(page.locator(".deal-stage.is-current")).to_have_text("Оплачено, доставка согласована")
    expect(page.locator("[data-deal-amount]")).to_have_text(f"97{NBSP}000,00{NBSP}₽")
    deal.refresh_from_db()
    assert (deal.stage, deal.amount) == (stage("paid"), Decimal("97000.00"))

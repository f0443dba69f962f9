"""crm.sales.services.deals: create, edit, lines, moves (skips, fields, requirements, time in
stage), close as lost, reopen, link activities, advance after a document; audit."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from crm.activities.models import ActivityStatus
from crm.activities.tests.factories import ActivityFactory, kind
from crm.clients.models import ClientContact
from crm.clients.tests.factories import ClientFactory, ContactPersonFactory, LeadSourceFactory
from crm.core.models import AuditAction, AuditEntry
from crm.sales.models import (
    AutomationRule,
    Deal,
    DealActivity,
    DealLine,
    DealStageChange,
    DealStatus,
    ProposalStatus,
)
from crm.sales.services import deals as services
from crm.sales.services.deals import StageMoveError
from crm.sales.tests.factories import (
    DealFactory,
    DealLineFactory,
    ProductFactory,
    ProposalFactory,
    lost_reason,
    stage,
)

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def moscow(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


@pytest.fixture(autouse=True)
def _no_rules():
    """Automatic steps are tested in test_automation; here they stay off."""
    AutomationRule.objects.update(is_active=False)


def audit_of(deal: Deal) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(content_type__model="deal", object_id=str(deal.pk)).order_by("id")
    )


def ready_for_proposal(deal: Deal) -> None:
    """Lines, an issued proposal and a done e-mail linked to the deal."""
    DealLineFactory(deal=deal)
    ProposalFactory(deal=deal, status=ProposalStatus.ISSUED)
    email = ActivityFactory(
        kind=kind("email"),
        status=ActivityStatus.DONE,
        responsible=deal.manager,
        client=deal.client,
    )
    DealActivity.objects.create(activity=email, deal=deal)


# --- create -----------------------------------------------------------------------------------


@time_machine.travel(moscow(2026, 11, 26, 13), tick=False)
def test_create_fills_defaults_numbers_and_records_the_first_stage(manager):
    source = LeadSourceFactory(name="Сайт")
    client = ClientFactory(owner=manager, source=source)
    deal = services.deal_create(by=manager, client=client, data={"title": "Поставка труб"})
    second = services.deal_create(by=manager, client=client, data={"title": "Вторая"})

    assert (deal.number, second.number) == ("С-00001", "С-00002")
    assert deal.pipeline.code == "sale"
    assert deal.stage.code == "interest"
    assert deal.status == DealStatus.OPEN
    assert deal.manager == manager
    assert deal.department == manager.department
    assert deal.source == source
    assert deal.stage_entered_at == moscow(2026, 11, 26, 13)
    assert deal.stage_deadline == dt.date(2026, 11, 30)  # Thu + 2 working days = Mon
    change = DealStageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        None,
        stage("interest"),
        manager,
    )
    [entry] = audit_of(deal)
    assert entry.action == AuditAction.CREATE
    assert entry.changes["title"] == [None, "Поставка труб"]


def test_create_with_lines_sums_the_amount(manager):
    client = ClientFactory(owner=manager)
    product = ProductFactory(name="Труба 57×3,5", price=Decimal("812.40"))
    deal = services.deal_create(
        by=manager,
        client=client,
        data={"title": "Трубы"},
        lines=[
            {"product": product.pk, "quantity": "2.5"},
            {"name": "Доставка", "quantity": 1, "price": "1500", "unit_name": "усл"},
        ],
    )
    assert deal.amount == Decimal("3531.00")  # 2.5 × 812.40 = 2031.00 + 1500
    assert list(deal.lines.values_list("name", "quantity", "price", "unit_name", "order")) == [
        ("Труба 57×3,5", Decimal("2.500"), Decimal("812.40"), "шт", 1),
        ("Доставка", Decimal("1.000"), Decimal("1500.00"), "усл", 2),
    ]


def test_a_zero_amount_given_as_a_decimal_is_a_value(manager):
    client = ClientFactory(owner=manager)
    deal = services.deal_create(
        by=manager, client=client, data={"title": "Пока без суммы", "amount": Decimal("0")}
    )
    assert deal.amount == Decimal("0.00")
    services.deal_update(deal=deal, by=manager, data={"amount": Decimal("0.00")})
    deal.refresh_from_db()
    assert deal.amount == Decimal("0.00")


def test_create_bad_input_names_the_fields_and_creates_nothing(manager, other_manager):
    client = ClientFactory(owner=manager)
    foreign_contact = ContactPersonFactory()
    with pytest.raises(ValidationError) as error:
        services.deal_create(
            by=manager,
            client=client,
            data={
                "title": " ",
                "amount": "-5",
                "contact": foreign_contact.pk,
                "manager": other_manager.pk,
                "stage": stage("won").pk,
                "expected_close_date": "31.02.2026",
            },
        )
    assert error.value.message_dict == {
        "title": ["Укажите название сделки"],
        "amount": ["Сумма — неотрицательное число с точностью до копеек"],
        "contact": [f"Это контактное лицо не относится к клиенту «{client.name}»"],
        "manager": ["Назначить ответственным этого сотрудника вы не можете"],
        "stage": ["Новая сделка начинается с этапа «в работе»"],
        "expected_close_date": ["Дата должна быть в формате ДД.ММ.ГГГГ"],
    }
    assert not Deal.objects.exists()


def test_create_for_an_invisible_client_is_refused(manager, other_manager):
    client = ClientFactory(owner=other_manager)
    with pytest.raises(ValidationError) as error:
        services.deal_create(by=manager, client=client, data={"title": "Чужой"})
    assert error.value.message_dict == {"client": ["Клиент не найден"]}
    assert not Deal.objects.exists()


def test_create_bad_line_names_the_line(manager):
    client = ClientFactory(owner=manager)
    with pytest.raises(ValidationError) as error:
        services.deal_create(
            by=manager,
            client=client,
            data={"title": "Трубы"},
            lines=[{"name": "Труба", "quantity": "1"}, {"name": "", "quantity": "0"}],
        )
    assert error.value.message_dict == {
        "lines": [
            "Строка 2: укажите наименование",
            "Строка 2: количество — положительное число",
        ]
    }
    assert not Deal.objects.exists()


# --- edit ---------------------------------------------------------------------------------------


def test_update_changes_fields_and_audits(manager):
    deal = DealFactory(manager=manager, title="Старое")
    contact = ContactPersonFactory()
    ClientContact.objects.create(client=deal.client, contact=contact)
    services.deal_update(
        deal=deal,
        by=manager,
        data={"title": "Новое", "amount": "1000,50", "contact": contact.pk},
    )
    deal.refresh_from_db()
    assert (deal.title, deal.amount, deal.contact) == ("Новое", Decimal("1000.50"), contact)
    entry = audit_of(deal)[-1]
    assert entry.action == AuditAction.UPDATE
    assert entry.changes["title"] == ["Старое", "Новое"]
    assert entry.changes["amount"] == ["0.00", "1000.50"]


def test_manager_cannot_give_the_deal_away_but_head_can(manager, colleague, head):
    deal = DealFactory(manager=manager)
    with pytest.raises(ValidationError) as error:
        services.deal_update(deal=deal, by=manager, data={"manager": colleague.pk})
    assert error.value.message_dict == {
        "manager": ["Назначить ответственным этого сотрудника вы не можете"]
    }
    deal.refresh_from_db()
    assert deal.manager == manager
    services.deal_update(deal=deal, by=head, data={"manager": colleague.pk})
    deal.refresh_from_db()
    assert deal.manager == colleague


def test_update_refuses_stage_and_status(manager):
    deal = DealFactory(manager=manager)
    with pytest.raises(ValidationError) as error:
        services.deal_update(deal=deal, by=manager, data={"status": "won"})
    assert error.value.message_dict == {"status": ["Это поле нельзя изменить здесь: status"]}
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN


def test_set_lines_replaces_lines_and_recomputes(manager):
    deal = DealFactory(manager=manager)
    DealLineFactory(deal=deal, name="Старая")
    with pytest.raises(ValidationError) as error:
        services.deal_set_lines(
            deal=deal, by=manager, lines=[{"name": "Монтаж", "quantity": "3", "price": "1.005"}]
        )
    assert error.value.message_dict == {"lines": ["Строка 1: цена — неотрицательное число"]}
    assert list(deal.lines.values_list("name", flat=True)) == ["Старая"]
    services.deal_set_lines(
        deal=deal,
        by=manager,
        lines=[{"name": "Монтаж", "quantity": "3", "price": "333.33", "unit_name": "ч"}],
    )
    deal.refresh_from_db()
    assert deal.amount == Decimal("999.99")
    assert list(DealLine.objects.filter(deal=deal).values_list("name", flat=True)) == ["Монтаж"]
    assert audit_of(deal)[-1].comment == "Изменены товары и услуги"


# --- moves --------------------------------------------------------------------------------------


def test_leaving_interest_needs_lines_named(manager):
    deal = DealFactory(manager=manager)
    with pytest.raises(StageMoveError) as error:
        services.deal_move_to_stage(deal=deal, stage=stage("proposal_sent"), by=manager)
    messages = [problem.message for problem in error.value.problems]
    assert messages[0] == (
        "Чтобы уйти с этапа «Интерес зарегистрирован», заполните поле «Товары и услуги»"
    )
    deal.refresh_from_db()
    assert deal.stage == stage("interest")
    assert DealStageChange.objects.filter(deal=deal).count() == 0


def test_requirements_missing_are_named(manager):
    deal = DealFactory(manager=manager)
    DealLineFactory(deal=deal)
    with pytest.raises(StageMoveError) as error:
        services.deal_move_to_stage(deal=deal, stage=stage("proposal_sent"), by=manager)
    assert [(p.code, p.message) for p in error.value.problems] == [
        (
            "document_missing",
            "Для этапа «КП отправлено» нужен документ: Коммерческое предложение выставлено",
        ),
        (
            "activity_missing",
            "Для этапа «КП отправлено» нужно выполненное событие «Электронное письмо» по сделке",
        ),
    ]
    ProposalFactory(deal=deal, status=ProposalStatus.DRAFT)  # a draft does not count
    problems = services.deal_move_check(deal=deal, stage=stage("proposal_sent"))
    assert [p.code for p in problems] == ["document_missing", "activity_missing"]


def test_move_with_requirements_met_records_the_change(manager):
    with time_machine.travel(moscow(2026, 11, 26, 10), tick=False):
        deal = DealFactory(manager=manager)
        ready_for_proposal(deal)
    with time_machine.travel(moscow(2026, 11, 27, 16, 30), tick=False):
        services.deal_move_to_stage(
            deal=deal, stage=stage("proposal_sent"), by=manager, comment="Отправили КП"
        )
    deal.refresh_from_db()
    assert deal.stage == stage("proposal_sent")
    assert deal.stage_entered_at == moscow(2026, 11, 27, 16, 30)
    assert deal.stage_deadline == dt.date(2026, 12, 2)  # Fri + 3 working days = Wed
    change = DealStageChange.objects.get(deal=deal)
    assert (change.from_stage, change.to_stage) == (stage("interest"), stage("proposal_sent"))
    assert change.seconds_in_stage == 30 * 3600 + 1800
    assert change.working_days_in_stage == 1
    assert change.skipped == []
    assert change.comment == "Отправили КП"
    entry = audit_of(deal)[-1]
    assert entry.changes["stage"] == ["Интерес зарегистрирован", "КП отправлено"]
    assert entry.comment == "Отправили КП"


def test_time_in_stage_across_a_weekend_and_a_holiday(manager):
    # Tuesday 3 November 2026 → Monday 9 November: Wed 4 Nov is a holiday (День народного
    # единства), Sat and Sun are days off: Thu, Fri, Mon = 3 working days.
    with time_machine.travel(moscow(2026, 11, 3, 9), tick=False):
        deal = DealFactory(manager=manager)
        DealLineFactory(deal=deal)
        ProposalFactory(deal=deal, status=ProposalStatus.SENT)
        email = ActivityFactory(kind=kind("email"), status=ActivityStatus.DONE, responsible=manager)
        services.deal_link_activity(deal=deal, activity=email, by=manager)
    with time_machine.travel(moscow(2026, 11, 9, 9), tick=False):
        services.deal_move_to_stage(deal=deal, stage=stage("proposal_sent"), by=manager)
    change = DealStageChange.objects.get(deal=deal)
    assert change.seconds_in_stage == 6 * 86400
    assert change.working_days_in_stage == 3


def test_stage_deadline_skips_holidays():
    # Tue 3 Nov 2026, 23:30 in Moscow (20:30 UTC): the local date counts; Wed 4 Nov is a
    # holiday, so + 3 working days = Thu 5, Fri 6, Mon 9.
    entered = moscow(2026, 11, 3, 23, 30)
    assert services.stage_deadline_for(stage("proposal_sent"), entered) == dt.date(2026, 11, 9)
    assert services.stage_deadline_for(stage("won"), entered) is None


def test_skip_allowed_lists_the_skipped_stage(manager):
    deal = DealFactory(manager=manager, stage=stage("proposal_sent"))
    services.deal_move_to_stage(deal=deal, stage=stage("invoice"), by=manager)
    change = DealStageChange.objects.get(deal=deal)
    assert change.skipped == ["Ожидание решения"]


def test_skip_refused_names_the_stage_and_changes_nothing(manager):
    deal = DealFactory(manager=manager, stage=stage("decision"), amount=Decimal("100"))
    with pytest.raises(StageMoveError) as error:
        services.deal_move_to_stage(deal=deal, stage=stage("paid"), by=manager)
    assert [p.message for p in error.value.problems] == [
        "Этап «Счёт выставлен» нельзя пропустить — сначала переведите сделку на него"
    ]
    deal.refresh_from_db()
    assert deal.stage == stage("decision")
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_data_of_a_move_fills_required_fields(manager):
    deal = DealFactory(manager=manager, stage=stage("invoice"))
    with pytest.raises(StageMoveError) as error:
        services.deal_move_to_stage(deal=deal, stage=stage("paid"), by=manager)
    assert [(p.field, p.message) for p in error.value.problems] == [
        ("amount", "Чтобы уйти с этапа «Счёт выставлен», заполните поле «Ожидаемая сумма»")
    ]
    with pytest.raises(StageMoveError) as error:
        services.deal_move_to_stage(
            deal=deal, stage=stage("paid"), by=manager, data={"amount": "abc"}
        )
    assert [(p.field, p.message) for p in error.value.problems] == [
        ("amount", "Сумма — неотрицательное число с точностью до копеек")
    ]
    services.deal_move_to_stage(
        deal=deal, stage=stage("paid"), by=manager, data={"amount": "15000"}
    )
    deal.refresh_from_db()
    assert (deal.stage, deal.amount) == (stage("paid"), Decimal("15000.00"))


def test_won_closes_and_a_closed_deal_needs_reopening(manager):
    deal = DealFactory(manager=manager, stage=stage("paid"))
    with time_machine.travel(moscow(2026, 11, 26, 12), tick=False):
        services.deal_move_to_stage(deal=deal, stage=stage("won"), by=manager)
    deal.refresh_from_db()
    assert (deal.status, deal.closed_at, deal.stage_deadline) == (
        DealStatus.WON,
        moscow(2026, 11, 26, 12),
        None,
    )
    with pytest.raises(StageMoveError) as error:
        services.deal_move_to_stage(deal=deal, stage=stage("paid"), by=manager)
    assert [p.message for p in error.value.problems] == [
        "Сделка закрыта — сначала откройте её заново"
    ]


def test_close_lost_needs_a_reason(manager):
    deal = DealFactory(manager=manager, stage=stage("decision"))
    with pytest.raises(StageMoveError) as error:
        services.deal_close_lost(deal=deal, by=manager, reason=None)
    assert [(p.code, p.message, p.field) for p in error.value.problems] == [
        ("lost_reason_required", "Укажите причину проигрыша", "lost_reason")
    ]
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN
    services.deal_close_lost(deal=deal, by=manager, reason=lost_reason(), comment="Дороже на 20%")
    deal.refresh_from_db()
    assert (deal.status, deal.stage, deal.lost_reason, deal.lost_comment) == (
        DealStatus.LOST,
        stage("lost"),
        lost_reason(),
        "Дороже на 20%",
    )
    assert deal.closed_at is not None
    change = DealStageChange.objects.get(deal=deal)
    assert change.skipped == []


def test_reopen_returns_to_the_last_open_stage(manager):
    deal = DealFactory(manager=manager, stage=stage("decision"))
    services.deal_close_lost(deal=deal, by=manager, reason=lost_reason())
    deal = services.deal_reopen(deal=deal, by=manager)
    deal.refresh_from_db()
    assert (deal.status, deal.stage, deal.lost_reason, deal.closed_at) == (
        DealStatus.OPEN,
        stage("decision"),
        None,
        None,
    )
    last = DealStageChange.objects.filter(deal=deal).order_by("-id").first()
    assert (last.from_stage, last.to_stage, last.comment) == (
        stage("lost"),
        stage("decision"),
        "Сделка открыта заново",
    )
    assert audit_of(deal)[-1].comment == "Сделка открыта заново"
    with pytest.raises(StageMoveError) as error:
        services.deal_reopen(deal=deal, by=manager)
    assert [p.message for p in error.value.problems] == ["Сделка и так в работе"]


def test_link_activity_and_other_clients_activity(manager):
    deal = DealFactory(manager=manager)
    activity = ActivityFactory(responsible=manager, client=deal.client)
    services.deal_link_activity(deal=deal, activity=activity, by=manager)
    assert DealActivity.objects.get(activity=activity).deal == deal
    assert audit_of(deal)[-1].comment == f"Связано событие: {activity.subject}"
    other = ActivityFactory(responsible=manager, client=ClientFactory(owner=manager))
    with pytest.raises(ValidationError) as error:
        services.deal_link_activity(deal=deal, activity=other, by=manager)
    assert error.value.message_dict == {"activity": ["Событие относится к другому клиенту"]}
    assert not DealActivity.objects.filter(activity=other).exists()


def test_advance_after_document(manager):
    deal = DealFactory(manager=manager)
    DealLineFactory(deal=deal)
    assert (
        services.deal_advance_after_document(deal=deal, document="proposal_issued", by=manager)
        is None
    )  # no proposal, no e-mail yet
    ready_for_proposal(deal)
    moved = services.deal_advance_after_document(deal=deal, document="proposal_issued", by=manager)
    assert moved is not None and moved.stage == stage("proposal_sent")
    change = DealStageChange.objects.get(deal=deal)
    assert change.automatic is True
    assert change.comment == ("Автоматически после документа: Коммерческое предложение выставлено")
    # Already there: nothing further needs that document.
    assert (
        services.deal_advance_after_document(deal=deal, document="proposal_issued", by=manager)
        is None
    )


def test_problems_come_in_the_active_language(manager):
    deal = DealFactory(manager=manager, stage=stage("decision"))
    with translation.override("en"):
        problems = services.deal_move_check(deal=deal, stage=stage("paid"))
        lost = services.deal_move_check(deal=deal, stage=stage("lost"))
    assert [p.message for p in problems] == [
        "The stage “Счёт выставлен” cannot be skipped — move the deal to it first",
        "To leave the stage “Счёт выставлен”, fill in the field “Expected amount”",
    ]
    assert [p.message for p in lost] == ["Specify the reason the deal was lost"]


def test_co_executors_never_include_the_manager(manager, colleague):
    deal = DealFactory(manager=manager)
    services.deal_update(deal=deal, by=manager, data={"co_executors": [colleague.pk, manager.pk]})
    assert list(deal.co_executors.all()) == [colleague]
    assert "co_executors" in audit_of(deal)[-1].changes

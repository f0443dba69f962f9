"""crm.sales.services.automation: the three rules of migration 0002 (follow-up call after a
proposal is sent, overdue stage notice, accountant task on a won deal), once per stay, switched
off, audited; the periodic job."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from crm.activities.models import Activity
from crm.core import jobs
from crm.core.models import AuditEntry, Notification
from crm.sales.models import AutomationRule, AutomationRun, DealActivity, Trigger
from crm.sales.services import automation
from crm.sales.services import deals as services
from crm.sales.tests.factories import DealFactory, stage

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def moscow(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


def rule(trigger: str) -> AutomationRule:
    return AutomationRule.objects.get(trigger=trigger)


@pytest.fixture
def sent_deal(manager):
    with time_machine.travel(moscow(2026, 11, 27, 9), tick=False):
        return DealFactory(manager=manager, stage=stage("proposal_sent"))


def test_proposal_sent_creates_the_follow_up_call_three_working_days_later(manager, sent_deal):
    # Sent on Friday 27 November 2026 → due Wednesday 2 December, 10:00 Moscow.
    with time_machine.travel(moscow(2026, 11, 27, 15, 40), tick=False):
        runs = automation.fire(Trigger.PROPOSAL_SENT, deal=sent_deal, by=manager)
    [run] = runs
    call = run.activity
    assert call.kind.code == "call"
    assert call.subject == "Позвонить и узнать решение клиента по коммерческому предложению"
    assert call.start_at == moscow(2026, 12, 2, 10)
    assert call.responsible == manager
    assert call.client == sent_deal.client
    assert DealActivity.objects.get(activity=call).deal == sent_deal
    assert run.result == (
        "Создано событие «Позвонить и узнать решение клиента по коммерческому предложению» "
        f"на 02.12.2026 10:00: {manager.short_name}"
    )
    entry = AuditEntry.objects.filter(
        content_type__model="deal", object_id=str(sent_deal.pk)
    ).latest("id")
    assert entry.comment == "Автоматический шаг: Звонок через 3 рабочих дня после отправки КП"
    assert entry.actor == manager

    # Fired again during the same stay in the stage: nothing more.
    assert automation.fire(Trigger.PROPOSAL_SENT, deal=sent_deal, by=manager) == []
    assert Activity.objects.filter(deal_link__deal=sent_deal).count() == 1
    assert AutomationRun.objects.count() == 1


def test_a_rule_switched_off_does_nothing(manager, sent_deal):
    AutomationRule.objects.filter(trigger=Trigger.PROPOSAL_SENT).update(is_active=False)
    assert automation.fire(Trigger.PROPOSAL_SENT, deal=sent_deal, by=manager) == []
    assert not Activity.objects.exists()
    assert not AutomationRun.objects.exists()


def test_a_rule_of_another_pipeline_does_not_fire(manager, sent_deal):
    from crm.sales.tests.factories import PipelineFactory

    AutomationRule.objects.filter(trigger=Trigger.PROPOSAL_SENT).update(pipeline=PipelineFactory())
    assert automation.fire(Trigger.PROPOSAL_SENT, deal=sent_deal, by=manager) == []


def test_stage_overdue_notifies_manager_and_head_once(manager, head, colleague):
    # Entered «КП отправлено» (3 working days) on Friday 27 Nov → deadline Wed 2 Dec.
    with time_machine.travel(moscow(2026, 11, 27, 9), tick=False):
        deal = DealFactory(
            manager=manager,
            stage=stage("proposal_sent"),
            stage_deadline=dt.date(2026, 12, 2),
        )
    with time_machine.travel(moscow(2026, 12, 2, 18), tick=False):
        assert automation.check_overdue_stages() == 0  # the last day is not overdue yet
    with time_machine.travel(moscow(2026, 12, 3, 9), tick=False):
        assert automation.check_overdue_stages() == 1
        assert automation.check_overdue_stages() == 0
    notices = Notification.objects.order_by("user__username")
    assert [(n.user, n.title) for n in notices] == [
        (head, "Сделка задержалась на этапе дольше срока"),
        (manager, "Сделка задержалась на этапе дольше срока"),
    ]
    assert notices[0].url == f"/deals/{deal.pk}/" or notices[0].url.endswith(f"/{deal.pk}/")
    assert "Срок этапа: 02.12.2026" in notices[0].body
    run = AutomationRun.objects.get()
    assert run.deal == deal and run.activity is None
    entry = AuditEntry.objects.filter(content_type__model="deal", object_id=str(deal.pk)).latest(
        "id"
    )
    assert entry.comment == (
        "Автоматический шаг: Срок этапа истёк — уведомить ответственного и руководителя"
    )


def test_stage_overdue_again_after_a_new_stay(manager, head):
    with time_machine.travel(moscow(2026, 11, 27, 9), tick=False):
        deal = DealFactory(
            manager=manager, stage=stage("decision"), stage_deadline=dt.date(2026, 11, 30)
        )
    with time_machine.travel(moscow(2026, 12, 1, 9), tick=False):
        assert automation.check_overdue_stages() == 1
    with time_machine.travel(moscow(2026, 12, 1, 10), tick=False):
        services.deal_move_to_stage(deal=deal, stage=stage("invoice"), by=manager)
    with time_machine.travel(moscow(2026, 12, 10, 10), tick=False):
        assert automation.check_overdue_stages() == 1
    assert Notification.objects.filter(user=manager).count() == 2


def test_closed_deals_are_never_overdue(manager):
    DealFactory(manager=manager, stage=stage("won"), stage_deadline=dt.date(2026, 1, 1))
    assert automation.check_overdue_stages() == 0


def test_deal_won_creates_the_accountant_task(manager, accountant):
    deal = DealFactory(manager=manager, stage=stage("paid"))
    with time_machine.travel(moscow(2026, 11, 27, 12), tick=False):
        services.deal_move_to_stage(deal=deal, stage=stage("won"), by=manager)
    run = AutomationRun.objects.get(rule=rule(Trigger.DEAL_WON))
    task = run.activity
    assert task.kind.code == "task"
    assert task.subject == "Оформить документы отгрузки (реализацию)"
    assert task.responsible == accountant
    assert task.start_at == moscow(2026, 11, 30, 10)  # Fri + 1 working day = Mon
    assert DealActivity.objects.get(activity=task).deal == deal
    notice = Notification.objects.get(user=accountant)
    assert notice.title == "Автоматически поручено: Оформить документы отгрузки (реализацию)"


def test_deal_won_without_accountant_records_nobody(manager):
    deal = DealFactory(manager=manager, stage=stage("paid"))
    services.deal_move_to_stage(deal=deal, stage=stage("won"), by=manager)
    run = AutomationRun.objects.get()
    assert (run.activity, run.result) == (None, "Некому поручить: нет подходящего сотрудника")


def test_heads_are_the_department_head_and_heads_of_sales(manager, head, colleague):
    deal = DealFactory(manager=manager)
    assert automation.department_heads(deal) == [head]
    department = manager.department
    department.head = colleague
    department.save()
    deal.refresh_from_db()
    assert automation.department_heads(deal) == [colleague, head]


def test_a_broken_rule_does_not_stop_the_move(manager, accountant, monkeypatch):
    deal = DealFactory(manager=manager, stage=stage("paid"))

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(automation, "_create_activity", broken)
    services.deal_move_to_stage(deal=deal, stage=stage("won"), by=manager)
    deal.refresh_from_db()
    assert deal.stage == stage("won")
    assert not AutomationRun.objects.exists()


def test_overdue_check_is_a_periodic_job():
    assert jobs._periodic["sales.check_overdue_stages"] == 900

"""The sale-process settings: pipelines, stages, lost reasons, automatic steps — rules, audit,
bad input refused in Russian with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.activities.models import ActivityKind
from crm.core.models import AuditEntry
from crm.sales.models import AutomationRule, LostReason, Pipeline, Stage, StageRequirement
from crm.sales.services import setup
from crm.sales.tests.factories import DealFactory, pipeline, stage

pytestmark = pytest.mark.django_db


def _errors(error: ValidationError) -> Any:
    if hasattr(error, "error_dict"):
        return {key: [str(m) for m in messages] for key, messages in error.message_dict.items()}
    return [str(m) for m in error.messages]


def _stages(of: Pipeline) -> list[tuple[str, str, int]]:
    return [(s.code, s.kind, s.order) for s in of.stages.order_by("order", "id")]


def _new_pipeline(by, code: str = "service", **extra: Any) -> Pipeline:
    return setup.pipeline_save(
        by=by, pipeline=None, data={"name": "Сервис", "code": code, "order": 20, **extra}
    )


# --- Pipelines --------------------------------------------------------------------------------


def test_a_new_pipeline_gets_the_starting_stages_and_is_audited(administrator):
    created = _new_pipeline(administrator)
    assert (created.name, created.code, created.order, created.is_default, created.is_active) == (
        "Сервис",
        "service",
        20,
        False,
        True,
    )
    assert _stages(created) == [("new", "open", 10), ("won", "won", 20), ("lost", "lost", 30)]
    assert [s.name for s in created.stages.order_by("order")] == ["Новая", "Успех", "Проигрыш"]
    entries = AuditEntry.objects.filter(content_type__model="pipeline")
    assert [(e.action, e.object_repr) for e in entries] == [("create", "Сервис")]
    assert AuditEntry.objects.filter(content_type__model="stage", action="create").count() == 3


def test_marking_a_pipeline_default_unmarks_the_other(administrator):
    created = _new_pipeline(administrator, is_default=True)
    assert created.is_default
    sale = pipeline()
    assert sale.is_default is False
    assert AuditEntry.objects.get(
        object_id=str(sale.pk), content_type__model="pipeline"
    ).changes == {"is_default": [True, False]}


def test_update_audits_the_changes_only(administrator):
    sale = pipeline()
    setup.pipeline_save(
        by=administrator,
        pipeline=sale,
        data={
            "name": "Продажа оборудования",
            "code": "sale",
            "order": 10,
            "is_default": True,
            "is_active": True,
        },
    )
    sale.refresh_from_db()
    assert sale.name == "Продажа оборудования"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes) == (
        "update",
        {"name": ["Продажа", "Продажа оборудования"]},
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "", "code": "x"}, {"name": ["Заполните поле «название»"]}),
        ({"name": "Х", "code": ""}, {"code": ["Заполните поле «Код»"]}),
        (
            {"name": "Х", "code": "Сервис"},
            {"code": ["Код — латинские строчные буквы, цифры, «-» и «_»"]},
        ),
        (
            {"name": "Х", "code": "a b"},
            {"code": ["Код — латинские строчные буквы, цифры, «-» и «_»"]},
        ),
        ({"name": "Х", "code": "sale"}, {"code": ["Воронка с кодом «sale» уже есть"]}),
        (
            {"name": "Х", "code": "x", "order": "abc"},
            {"order": ["Порядок — целое число от 0 до 32767"]},
        ),
        (
            {"name": "Х", "code": "x", "order": -1},
            {"order": ["Порядок — целое число от 0 до 32767"]},
        ),
        ({"name": "Х" * 101, "code": "x"}, {"name": ["Поле «название» — не длиннее 100 символов"]}),
        (
            {"name": "Х", "code": "x", "is_default": True, "is_active": False},
            {"is_active": ["Воронка по умолчанию должна использоваться"]},
        ),
    ],
)
def test_bad_pipeline_input(administrator, data, expected):
    with pytest.raises(ValidationError) as error:
        setup.pipeline_save(by=administrator, pipeline=None, data=data)
    assert _errors(error.value) == expected
    assert Pipeline.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_the_default_pipeline_cannot_be_unmarked(administrator):
    sale = pipeline()
    with pytest.raises(ValidationError) as error:
        setup.pipeline_save(
            by=administrator,
            pipeline=sale,
            data={"name": "Продажа", "code": "sale", "is_default": False, "is_active": True},
        )
    assert _errors(error.value) == {
        "is_default": [
            "Это воронка по умолчанию: чтобы снять отметку, отметьте по умолчанию другую воронку"
        ]
    }
    sale.refresh_from_db()
    assert sale.is_default


@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_only_administrators(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _new_pipeline(user)
    with pytest.raises(PermissionDenied):
        setup.stage_move(by=user, stage=stage("decision"), direction="up")
    with pytest.raises(PermissionDenied):
        setup.lost_reason_save(by=user, reason=None, data={"name": "Х"})
    assert Pipeline.objects.count() == 1


# --- Stages -----------------------------------------------------------------------------------

STAGE = {
    "name": "Демонстрация",
    "code": "demo",
    "kind": "open",
    "probability": 40,
    "time_limit_days": 4,
    "may_skip": False,
    "required_fields": ["contact", "amount"],
    "color": "#123abc",
    "documents": ["proposal_sent"],
}


def test_a_new_open_stage_goes_after_the_last_open_one(administrator):
    call = ActivityKind.objects.get(code="call")
    created = setup.stage_save(
        by=administrator,
        pipeline=pipeline(),
        stage=None,
        data={**STAGE, "activity_kinds": [call.pk]},
    )
    assert (created.probability, created.time_limit_days, created.may_skip) == (40, 4, False)
    assert created.required_fields == ["contact", "amount"]
    assert [s[0] for s in _stages(pipeline())] == [
        "interest",
        "proposal_sent",
        "decision",
        "invoice",
        "paid",
        "demo",
        "won",
        "lost",
    ]
    assert [s[2] for s in _stages(pipeline())] == [10, 20, 30, 40, 50, 60, 70, 80]
    assert sorted((r.kind, r.document, r.activity_kind_id) for r in created.requirements.all()) == [
        ("activity", "", call.pk),
        ("document", "proposal_sent", None),
    ]
    entry = AuditEntry.objects.get(content_type__model="stage", action="create")
    assert entry.changes["requirements"] == [
        None,
        ["Документ: Коммерческое предложение отправлено", "Событие: Звонок"],
    ]


def test_editing_a_stage_replaces_its_requirements(administrator):
    target = stage("proposal_sent")
    assert target.requirements.count() == 2
    setup.stage_save(
        by=administrator,
        pipeline=pipeline(),
        stage=target,
        data={
            "name": "КП отправлено",
            "code": "proposal_sent",
            "kind": "open",
            "probability": 35,
            "color": "#2f6fed",
            "may_skip": True,
            "documents": [],
        },
    )
    target.refresh_from_db()
    assert target.probability == 35
    assert not StageRequirement.objects.filter(stage=target).exists()
    entry = AuditEntry.objects.get()
    assert entry.changes["probability"] == [30, 35]
    assert entry.changes["requirements"][1] == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": ""}, {"name": ["Заполните поле «название»"]}),
        ({"code": "interest"}, {"code": ["Этап с кодом «interest» в этой воронке уже есть"]}),
        ({"code": "Демо"}, {"code": ["Код — латинские строчные буквы, цифры, «-» и «_»"]}),
        ({"kind": "other"}, {"kind": ["Выберите тип этапа"]}),
        ({"probability": 101}, {"probability": ["Вероятность — целое число от 0 до 100"]}),
        ({"probability": -5}, {"probability": ["Вероятность — целое число от 0 до 100"]}),
        ({"probability": "много"}, {"probability": ["Вероятность — целое число от 0 до 100"]}),
        (
            {"time_limit_days": 0},
            {"time_limit_days": ["Срок — целое число рабочих дней от 1 до 365 или пусто"]},
        ),
        ({"color": "red"}, {"color": ["Цвет — в виде #RRGGBB"]}),
        ({"required_fields": ["phone"]}, {"required_fields": ["Неизвестное поле сделки «phone»"]}),
        ({"documents": ["invoice_paid"]}, {"documents": ["Неизвестный документ «invoice_paid»"]}),
        ({"activity_kinds": [999999]}, {"activity_kinds": ["Неизвестный вид события"]}),
        ({"kind": "won"}, {"kind": ["В воронке должен быть ровно один этап «Успех» (сейчас: 2)"]}),
        (
            {"kind": "lost"},
            {"kind": ["В воронке должен быть ровно один этап «Проигрыш» (сейчас: 2)"]},
        ),
    ],
)
def test_bad_stage_input(administrator, data, expected):
    before = _stages(pipeline())
    with pytest.raises(ValidationError) as error:
        setup.stage_save(by=administrator, pipeline=pipeline(), stage=None, data={**STAGE, **data})
    assert _errors(error.value) == expected
    assert _stages(pipeline()) == before
    assert not AuditEntry.objects.exists()


def test_the_only_open_stage_cannot_become_closed(administrator):
    created = _new_pipeline(administrator)
    first = created.stages.get(code="new")
    with pytest.raises(ValidationError) as error:
        setup.stage_save(
            by=administrator,
            pipeline=created,
            stage=first,
            data={"name": "Новая", "code": "new", "kind": "won", "probability": 10},
        )
    assert _errors(error.value) == {
        "kind": [
            "В воронке должен быть ровно один этап «Успех» (сейчас: 2)",
            "В воронке должен остаться хотя бы один этап «В работе»",
        ]
    }


def test_a_stage_with_deals_keeps_its_kind(administrator):
    target = stage("paid")
    DealFactory(stage=target)
    won = stage("won")
    setup.stage_save(
        by=administrator,
        pipeline=pipeline(),
        stage=won,
        data={"name": "Закрыто", "code": "won", "kind": "won", "probability": 100},
    )
    with pytest.raises(ValidationError) as error:
        setup.stage_save(
            by=administrator,
            pipeline=pipeline(),
            stage=target,
            data={"name": "x", "code": "paid", "kind": "lost"},
        )
    assert "В воронке должен быть ровно один этап «Проигрыш» (сейчас: 2)" in str(error.value)


def test_move_up_and_down_renumbers(administrator):
    setup.stage_move(by=administrator, stage=stage("decision"), direction="up")
    assert [s[0] for s in _stages(pipeline())][:3] == ["interest", "decision", "proposal_sent"]
    assert [s[2] for s in _stages(pipeline())] == [10, 20, 30, 40, 50, 60, 70]
    setup.stage_move(by=administrator, stage=stage("decision"), direction="down")
    assert [s[0] for s in _stages(pipeline())][:3] == ["interest", "proposal_sent", "decision"]
    changes = [e.changes for e in AuditEntry.objects.order_by("pk")]
    assert (
        changes
        == [{"order": [20, 30]}, {"order": [30, 20]}, {"order": [20, 30]}, {"order": [30, 20]}]
        or len(changes) == 4
    )


@pytest.mark.parametrize(
    ("code", "direction"), [("interest", "up"), ("lost", "down"), ("paid", "x")]
)
def test_move_beyond_the_ends_does_nothing(administrator, code, direction):
    before = _stages(pipeline())
    setup.stage_move(by=administrator, stage=stage(code), direction=direction)
    assert _stages(pipeline()) == before
    assert not AuditEntry.objects.exists()


def test_delete_an_unused_stage(administrator):
    setup.stage_delete(by=administrator, stage=stage("decision"))
    assert [s[0] for s in _stages(pipeline())] == [
        "interest",
        "proposal_sent",
        "invoice",
        "paid",
        "won",
        "lost",
    ]
    assert [s[2] for s in _stages(pipeline())] == [10, 20, 30, 40, 50, 60]
    assert AuditEntry.objects.get().action == "delete"


def test_delete_refused_for_a_stage_with_deals_or_the_won_one(administrator):
    DealFactory(stage=stage("decision"))
    with pytest.raises(ValidationError) as error:
        setup.stage_delete(by=administrator, stage=stage("decision"))
    assert _errors(error.value) == [
        "На этапе «Ожидание решения» есть сделки или их история — удалить его нельзя"
    ]
    with pytest.raises(ValidationError) as error:
        setup.stage_delete(by=administrator, stage=stage("won"))
    assert _errors(error.value) == ["В воронке должен быть ровно один этап «Успех» (сейчас: 0)"]
    assert Stage.objects.filter(pipeline=pipeline()).count() == 7
    assert not AuditEntry.objects.exists()


# --- Lost reasons and rules -------------------------------------------------------------------


def test_lost_reason_create_update_and_bad_input(administrator):
    reason = setup.lost_reason_save(
        by=administrator, reason=None, data={"name": "  Не дозвонились ", "order": 5}
    )
    assert (reason.name, reason.order, reason.is_active) == ("Не дозвонились", 5, True)
    setup.lost_reason_save(
        by=administrator, reason=reason, data={"name": "Не дозвонились", "is_active": False}
    )
    reason.refresh_from_db()
    assert reason.is_active is False
    with pytest.raises(ValidationError) as error:
        setup.lost_reason_save(by=administrator, reason=reason, data={"name": " "})
    assert _errors(error.value) == {"name": ["Заполните поле «причина»"]}
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == ["create", "update"]
    assert LostReason.objects.get(pk=reason.pk).name == "Не дозвонились"


RULE = {
    "name": "Звонок после демонстрации",
    "trigger": "stage_entered",
    "action": "create_activity",
    "subject": "Позвонить",
    "assignee": "manager",
    "delay_working_days": 2,
}


def test_rule_create_takes_the_pipeline_of_its_stage(administrator):
    call = ActivityKind.objects.get(code="call")
    rule = setup.automation_rule_save(
        by=administrator,
        rule=None,
        data={**RULE, "stage": stage("decision"), "activity_kind": call},
    )
    assert (rule.pipeline, rule.stage, rule.delay_working_days, rule.is_active) == (
        pipeline(),
        stage("decision"),
        2,
        True,
    )
    assert AuditEntry.objects.get().changes["stage"] == [None, "Ожидание решения"]
    setup.automation_rule_delete(by=administrator, rule=rule)
    assert not AutomationRule.objects.filter(pk=rule.pk).exists()


def test_a_rule_without_a_stage_acts_on_any_stage(administrator):
    rule = setup.automation_rule_save(
        by=administrator,
        rule=None,
        data={**RULE, "trigger": "stage_overdue", "action": "notify", "stage": None},
    )
    assert (rule.pipeline, rule.stage, rule.activity_kind) == (None, None, None)


def test_rule_bad_input(administrator, manager):
    other = _new_pipeline(administrator)
    AuditEntry.objects.all().delete()
    cases = [
        ({"name": ""}, {"name": ["Заполните поле «название»"]}),
        ({"trigger": "x"}, {"trigger": ["Выберите, когда срабатывает шаг"]}),
        ({"action": ""}, {"action": ["Выберите, что сделать"]}),
        ({"assignee": "boss"}, {"assignee": ["Выберите, кому"]}),
        (
            {"trigger": "deal_won", "stage": None, "activity_kind": None},
            {"activity_kind": ["Чтобы создать событие, выберите его вид"]},
        ),
        ({"pipeline": other}, {"stage": ["Этап «Ожидание решения» не из воронки «Сервис»"]}),
        (
            {"stage": stage("decision"), "action": "notify", "assignee": "user"},
            {"user": ["Выберите сотрудника"]},
        ),
        (
            {"stage": stage("decision"), "action": "notify", "delay_working_days": 400},
            {"delay_working_days": ["Задержка — целое число рабочих дней от 0 до 365"]},
        ),
    ]
    count = AutomationRule.objects.count()
    base = {
        **RULE,
        "stage": stage("decision"),
        "activity_kind": ActivityKind.objects.get(code="call"),
    }
    for data, expected in cases:
        with pytest.raises(ValidationError) as error:
            setup.automation_rule_save(by=administrator, rule=None, data={**base, **data})
        assert _errors(error.value) == expected, data
    assert AutomationRule.objects.count() == count
    assert not AuditEntry.objects.exists()

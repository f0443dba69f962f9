"""crm.sales.domain.rules: the move checks over plain data (no database)."""

from __future__ import annotations

import pytest

from crm.sales.domain.rules import (
    DEAL_FIELDS,
    MoveFacts,
    Problem,
    StageInfo,
    check_move,
    filled_fields,
    skipped_stages,
    unmet_requirements,
)

INTEREST = StageInfo(1, "Интерес", 10, may_skip=False, required_fields=("lines",))
PROPOSAL = StageInfo(
    2,
    "КП отправлено",
    20,
    documents=("proposal_issued",),
    activity_kinds=(("email", "Эл. письмо"),),
)
DECISION = StageInfo(3, "Ожидание решения", 30)
INVOICE = StageInfo(4, "Счёт выставлен", 40, may_skip=False, required_fields=("amount",))
PAID = StageInfo(5, "Оплачено", 50, may_skip=False)
WON = StageInfo(6, "Закрыто", 60, kind="won", may_skip=False)
LOST = StageInfo(7, "Проиграна", 70, kind="lost")
STAGES = [INTEREST, PROPOSAL, DECISION, INVOICE, PAID, WON, LOST]
ALL = MoveFacts(
    filled_fields=frozenset(DEAL_FIELDS),
    documents=frozenset({"proposal_issued"}),
    activity_kinds=frozenset({"email"}),
    document_titles={"proposal_issued": "КП выставлено"},
)


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


def test_next_stage_with_everything_is_allowed():
    assert check_move(stages=STAGES, current=INTEREST, target=PROPOSAL, facts=ALL) == []


def test_required_field_to_leave_is_named():
    facts = MoveFacts(
        documents=ALL.documents, activity_kinds=ALL.activity_kinds, document_titles={}
    )
    assert check_move(stages=STAGES, current=INTEREST, target=PROPOSAL, facts=facts) == [
        Problem(
            "field_required",
            "Чтобы уйти с этапа «Интерес», заполните поле «Товары и услуги»",
            "lines",
        )
    ]


def test_requirements_of_the_target_are_named():
    facts = MoveFacts(filled_fields=frozenset({"lines"}), document_titles=ALL.document_titles)
    problems = check_move(stages=STAGES, current=INTEREST, target=PROPOSAL, facts=facts)
    assert [(p.code, p.message) for p in problems] == [
        ("document_missing", "Для этапа «КП отправлено» нужен документ: КП выставлено"),
        (
            "activity_missing",
            "Для этапа «КП отправлено» нужно выполненное событие «Эл. письмо» по сделке",
        ),
    ]


def test_skipping_a_skippable_stage_is_allowed_and_listed():
    assert check_move(stages=STAGES, current=PROPOSAL, target=INVOICE, facts=ALL) == []
    assert skipped_stages(STAGES, PROPOSAL, INVOICE) == [DECISION]


def test_skipping_a_stage_that_may_not_be_skipped_is_refused_naming_it():
    problems = check_move(stages=STAGES, current=DECISION, target=PAID, facts=ALL)
    assert problems == [
        Problem(
            "skip_refused",
            "Этап «Счёт выставлен» нельзя пропустить — сначала переведите сделку на него",
            "stage",
        )
    ]


def test_fields_of_passed_stages_are_required_too():
    passed = StageInfo(2, "Переговоры", 20, required_fields=("contact", "lines"))
    stages = [INTEREST, passed, DECISION]
    facts = MoveFacts(filled_fields=frozenset())
    problems = check_move(stages=stages, current=INTEREST, target=DECISION, facts=facts)
    assert [(p.field, p.message) for p in problems] == [
        ("lines", "Чтобы уйти с этапа «Интерес», заполните поле «Товары и услуги»"),
        ("contact", "Чтобы уйти с этапа «Переговоры», заполните поле «Контактное лицо»"),
    ]


def test_moving_back_needs_no_fields_and_skips_nothing():
    assert check_move(stages=STAGES, current=INVOICE, target=DECISION, facts=MoveFacts()) == []
    assert skipped_stages(STAGES, INVOICE, DECISION) == []


def test_lost_needs_a_reason_only():
    problems = check_move(stages=STAGES, current=INTEREST, target=LOST, facts=MoveFacts())
    assert problems == [Problem("lost_reason_required", "Укажите причину проигрыша", "lost_reason")]
    facts = MoveFacts(has_lost_reason=True)
    assert check_move(stages=STAGES, current=INTEREST, target=LOST, facts=facts) == []
    assert skipped_stages(STAGES, INTEREST, LOST) == []


def test_won_from_the_middle_is_refused_for_each_unskippable_stage():
    problems = check_move(stages=STAGES, current=DECISION, target=WON, facts=ALL)
    assert [p.message for p in problems] == [
        "Этап «Счёт выставлен» нельзя пропустить — сначала переведите сделку на него",
        "Этап «Оплачено» нельзя пропустить — сначала переведите сделку на него",
    ]
    assert check_move(stages=STAGES, current=PAID, target=WON, facts=ALL) == []


@pytest.mark.parametrize("current", [WON, LOST])
def test_closed_deal_must_be_reopened(current):
    problems = check_move(stages=STAGES, current=current, target=DECISION, facts=ALL)
    assert problems == [Problem("closed", "Сделка закрыта — сначала откройте её заново", "stage")]
    problems = check_move(stages=STAGES, current=PAID, target=WON, facts=ALL, closed=True)
    assert codes(problems) == ["closed"]


def test_unknown_and_same_stage():
    other = StageInfo(99, "Чужой", 10)
    assert check_move(stages=STAGES, current=INTEREST, target=other, facts=ALL) == [
        Problem("unknown_stage", "Этап не найден в воронке сделки", "stage")
    ]
    assert check_move(stages=STAGES, current=DECISION, target=DECISION, facts=ALL) == [
        Problem("same_stage", "Сделка уже на этапе «Ожидание решения»", "stage")
    ]


def test_filled_fields():
    values = {
        "amount": 0,
        "expected_close_date": None,
        "contact": 5,
        "lines": True,
        "description": "",
        "source": None,
    }
    assert filled_fields(values) == frozenset({"contact", "lines"})


def test_unmet_requirements_only_documents_and_activities():
    facts = MoveFacts(documents=frozenset({"proposal_issued"}))
    assert codes(unmet_requirements(target=PROPOSAL, facts=facts)) == ["activity_missing"]
    assert unmet_requirements(target=PROPOSAL, facts=ALL) == []

"""The completeness score, worked by hand with the default weights of migration 0002:
inn 20, decision_maker 20, address 10, source 10, industry 10, phone 10, email 5,
registration 5, bank_account 5, region 5 (sum 100)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.clients.domain.completeness import (
    BUCKETS,
    CRITERIA,
    ClientFacts,
    Completeness,
    bucket_of,
    criterion_label,
    round_half_up_percent,
    score_completeness,
)

DEFAULT_WEIGHTS = {
    "inn": 20,
    "decision_maker": 20,
    "address": 10,
    "source": 10,
    "industry": 10,
    "phone": 10,
    "email": 5,
    "registration": 5,
    "bank_account": 5,
    "region": 5,
}
EVERYTHING = ClientFacts(
    kind="company",
    inn=True,
    kpp=True,
    ogrn=True,
    legal_address=True,
    phone=True,
    email=True,
    source=True,
    industry=True,
    region=True,
    bank_account=True,
    contact=True,
    contact_reachable=True,
    decision_maker=True,
)


def test_company_with_only_inn_and_source_scores_30():
    facts = ClientFacts(kind="company", inn=True, source=True)
    assert score_completeness(facts, DEFAULT_WEIGHTS) == Completeness(
        score=30,
        missing=(
            "decision_maker",
            "address",
            "industry",
            "phone",
            "email",
            "registration",
            "bank_account",
            "region",
        ),
    )


def test_a_person_passes_registration():
    facts = ClientFacts(kind="person", inn=True, source=True)
    assert score_completeness(facts, DEFAULT_WEIGHTS).score == 35


@pytest.mark.parametrize(
    ("facts", "registered"),
    [
        (ClientFacts(kind="company", kpp=True, ogrn=True), True),
        (ClientFacts(kind="company", kpp=True), False),
        (ClientFacts(kind="company", ogrn=True), False),
        (ClientFacts(kind="entrepreneur", ogrn=True), True),
        (ClientFacts(kind="entrepreneur"), False),
        (ClientFacts(kind="person"), True),
    ],
)
def test_registration_depends_on_the_kind(facts, registered):
    result = score_completeness(facts, {"registration": 5})
    assert result == Completeness(
        score=100 if registered else 0, missing=() if registered else ("registration",)
    )


def test_either_address_counts():
    weights = {"address": 10}
    assert score_completeness(ClientFacts(legal_address=True), weights).score == 100
    assert score_completeness(ClientFacts(actual_address=True), weights).score == 100
    assert score_completeness(ClientFacts(), weights).missing == ("address",)


def test_decision_maker_must_be_reachable():
    # `decision_maker` is set by the selector only for a ЛПР with a phone, mobile or e-mail.
    weights = {"decision_maker": 20}
    assert score_completeness(ClientFacts(contact=True, contact_reachable=True), weights).score == 0
    assert score_completeness(ClientFacts(decision_maker=True), weights).score == 100


def test_a_person_is_their_own_decision_maker():
    weights = {"decision_maker": 20}
    assert score_completeness(ClientFacts(kind="person", phone=True), weights).score == 100
    assert score_completeness(ClientFacts(kind="person", email=True), weights).score == 100
    assert score_completeness(ClientFacts(kind="person"), weights).score == 0
    assert score_completeness(ClientFacts(kind="company", phone=True), weights).score == 0


def test_everything_filled_is_100_and_nothing_missing():
    assert score_completeness(EVERYTHING, DEFAULT_WEIGHTS) == Completeness(score=100, missing=())


def test_changed_weights_change_the_score():
    facts = ClientFacts(kind="company", inn=True, source=True)
    weights = {**DEFAULT_WEIGHTS, "source": 30}  # total 120, met 50
    assert score_completeness(facts, weights).score == 42  # 41.67 → 42
    weights = {**DEFAULT_WEIGHTS, "inn": 0}  # total 80, met 10: ИНН no longer counts
    result = score_completeness(facts, weights)
    assert result.score == 13  # 12.5 → 13 (half up)
    assert "inn" not in result.missing


def test_missing_is_heaviest_first_then_in_criteria_order():
    weights = {"region": 50, "email": 5, "phone": 5, "inn": 20}
    result = score_completeness(ClientFacts(), weights)
    assert result.missing == ("region", "inn", "phone", "email")


def test_unknown_codes_and_no_weights():
    assert score_completeness(ClientFacts(), {"fax": 50, "inn": 50}) == Completeness(
        score=0, missing=("inn",)
    )
    assert score_completeness(ClientFacts(), {}) == Completeness(score=100, missing=())
    assert score_completeness(ClientFacts(), {"inn": 0}) == Completeness(score=100, missing=())


def test_labels_are_russian_and_exact():
    assert {code: criterion_label(code) for code in CRITERIA} == {
        "inn": "ИНН",
        "decision_maker": "ЛПР с телефоном или e-mail",
        "address": "Адрес",
        "source": "Источник",
        "industry": "Отрасль",
        "phone": "Телефон",
        "email": "E-mail",
        "registration": "КПП и ОГРН (у ИП — ОГРНИП)",
        "bank_account": "Банковский счёт",
        "region": "Регион",
    }
    assert criterion_label("fax") == "fax"


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(0, 7, 0), (1, 8, 13), (1, 200, 1), (1, 201, 0), (5, 6, 83), (7, 7, 100), (1, 3, 33)],
)
def test_round_half_up_percent(part, whole, percent):
    assert round_half_up_percent(part, whole) == percent


@pytest.mark.parametrize(
    ("score", "bucket"), [(0, 0), (19, 0), (20, 1), (59, 2), (60, 3), (79, 3), (80, 4), (100, 4)]
)
def test_bucket_of(score, bucket):
    assert bucket_of(score) == bucket
    low, high = BUCKETS[bucket]
    assert low <= score <= high


@settings(deadline=None)  # pure and fast; a loaded CI machine must not make it flaky
@given(
    facts=st.builds(
        ClientFacts,
        kind=st.sampled_from(["company", "entrepreneur", "person"]),
        **{name: st.booleans() for name in ("inn", "kpp", "ogrn", "phone", "email", "source")},
    ),
    weights=st.dictionaries(st.sampled_from(sorted(CRITERIA)), st.integers(0, 100)),
)
def test_score_is_0_to_100_and_missing_only_counted_criteria(facts, weights):
    result = score_completeness(facts, weights)
    assert 0 <= result.score <= 100
    assert set(result.missing) <= {code for code, weight in weights.items() if weight > 0}
    if not result.missing:
        assert result.score == 100

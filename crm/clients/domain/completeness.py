"""How complete a client card is: a weighted score 0–100 and the list of what is missing
(pure Python).

The facts of a card (`ClientFacts`: which fields are filled, whether a decision maker can be
reached, whether there is a bank account) are collected by the selectors; the weights come
from the administrator's `CompletenessCriterion` rows as `{code: weight}`. The score is the
weighted share of the criteria met, rounded half up to a whole percent. Criteria whose code is
unknown here, or whose weight is 0, do not count; with nothing to count the card is complete.

The Russian labels are marked with `_` (crm.core.domain.messages) so the catalog picks them
up; the layers above translate them with `crm.core.i18n.translated` when they show them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from crm.core.domain.messages import _

KIND_COMPANY = "company"
KIND_ENTREPRENEUR = "entrepreneur"
KIND_PERSON = "person"


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """What is filled in on one card. Text fields are True when not blank."""

    kind: str = KIND_COMPANY
    inn: bool = False
    kpp: bool = False
    ogrn: bool = False
    full_name: bool = False
    legal_address: bool = False
    actual_address: bool = False
    phone: bool = False
    email: bool = False
    website: bool = False
    source: bool = False
    industry: bool = False
    region: bool = False
    size: bool = False
    bank_account: bool = False
    contact: bool = False  # at least one contact person
    contact_reachable: bool = False  # a contact person with a phone, mobile or e-mail
    decision_maker: bool = False  # a decision maker (ЛПР) with a phone, mobile or e-mail


def has_registration(facts: ClientFacts) -> bool:
    """КПП and ОГРН for a company, ОГРНИП for an entrepreneur; a person has none to give."""
    if facts.kind == KIND_COMPANY:
        return facts.kpp and facts.ogrn
    if facts.kind == KIND_ENTREPRENEUR:
        return facts.ogrn
    return True


def has_reachable_decision_maker(facts: ClientFacts) -> bool:
    """A decision maker (ЛПР) among the contacts with a phone or e-mail; a person decides for
    themselves, so their own phone or e-mail is enough."""
    if facts.kind == KIND_PERSON and (facts.phone or facts.email):
        return True
    return facts.decision_maker


# code → (label, test); the order is the one missing criteria are listed in at equal weight.
CRITERIA: dict[str, tuple[str, Callable[[ClientFacts], bool]]] = {
    "inn": (_("ИНН"), lambda f: f.inn),
    "decision_maker": (_("ЛПР с телефоном или e-mail"), has_reachable_decision_maker),
    "address": (_("Адрес"), lambda f: f.legal_address or f.actual_address),
    "source": (_("Источник"), lambda f: f.source),
    "industry": (_("Отрасль"), lambda f: f.industry),
    "phone": (_("Телефон"), lambda f: f.phone),
    "email": (_("E-mail"), lambda f: f.email),
    "registration": (_("КПП и ОГРН (у ИП — ОГРНИП)"), has_registration),
    "bank_account": (_("Банковский счёт"), lambda f: f.bank_account),
    "region": (_("Регион"), lambda f: f.region),
}
CRITERION_ORDER = {code: index for index, code in enumerate(CRITERIA)}


@dataclass(frozen=True, slots=True)
class Completeness:
    score: int  # 0–100
    missing: tuple[str, ...]  # criteria codes not met, heaviest first


def criterion_label(code: str) -> str:
    """The (untranslated) Russian label of a criterion; the code itself when unknown."""
    return CRITERIA[code][0] if code in CRITERIA else code


def round_half_up_percent(part: int, whole: int) -> int:
    """part / whole as a whole percent, halves rounded up (integers only: no float error)."""
    return (200 * part + whole) // (2 * whole)


def score_completeness(facts: ClientFacts, weights: Mapping[str, int]) -> Completeness:
    """The weighted share of criteria met. `weights` maps criterion codes to non-negative
    weights (inactive criteria are simply left out)."""
    counted = {code: weight for code, weight in weights.items() if code in CRITERIA and weight > 0}
    total = sum(counted.values())
    if total == 0:
        return Completeness(score=100, missing=())
    met = 0
    missing: list[str] = []
    for code, weight in counted.items():
        if CRITERIA[code][1](facts):
            met += weight
        else:
            missing.append(code)
    missing.sort(key=lambda code: (-counted[code], CRITERION_ORDER[code]))
    return Completeness(score=round_half_up_percent(met, total), missing=tuple(missing))


# Buckets of the distribution report: (low, high) inclusive.
BUCKETS: tuple[tuple[int, int], ...] = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def bucket_of(score: int) -> int:
    """Index in BUCKETS of a score 0–100."""
    return min(max(score, 0) // 20, len(BUCKETS) - 1)

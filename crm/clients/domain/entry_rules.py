"""Entry rules (правила ввода): which fields a card of a kind must have at a point — on
creation, before the first deal, before the first invoice (pure Python).

A rule names a field code: a field of the card (`inn`, `kpp`, `legal_address`, …) or a
composite (`phone_or_email`, `decision_maker`, `address`, …). `missing_fields` says which of
the required codes a card does not satisfy, in the order of FIELDS, so a message lists them
the way the card shows them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from crm.clients.domain.completeness import (
    KIND_COMPANY,
    KIND_ENTREPRENEUR,
    KIND_PERSON,
    ClientFacts,
    has_reachable_decision_maker,
)
from crm.core.domain.messages import _

POINT_CREATION = "creation"
POINT_FIRST_DEAL = "first_deal"
POINT_FIRST_INVOICE = "first_invoice"
POINTS = (POINT_CREATION, POINT_FIRST_DEAL, POINT_FIRST_INVOICE)
KINDS = (KIND_COMPANY, KIND_ENTREPRENEUR, KIND_PERSON)

# code → (label, test, kinds it applies to)
FIELDS: dict[str, tuple[str, Callable[[ClientFacts], bool], tuple[str, ...]]] = {
    "inn": (_("ИНН"), lambda f: f.inn, KINDS),
    "kpp": (_("КПП"), lambda f: f.kpp, (KIND_COMPANY,)),
    "ogrn": (_("ОГРН/ОГРНИП"), lambda f: f.ogrn, (KIND_COMPANY, KIND_ENTREPRENEUR)),
    "full_name": (_("Полное наименование"), lambda f: f.full_name, KINDS),
    "legal_address": (_("Юридический адрес"), lambda f: f.legal_address, KINDS),
    "actual_address": (_("Фактический адрес"), lambda f: f.actual_address, KINDS),
    "address": (
        _("Адрес (юридический или фактический)"),
        lambda f: f.legal_address or f.actual_address,
        KINDS,
    ),
    "phone": (_("Телефон"), lambda f: f.phone, KINDS),
    "email": (_("E-mail"), lambda f: f.email, KINDS),
    "phone_or_email": (
        _("Телефон или e-mail"),
        lambda f: f.phone or f.email or f.contact_reachable,
        KINDS,
    ),
    "website": (_("Сайт"), lambda f: f.website, KINDS),
    "source": (_("Источник"), lambda f: f.source, KINDS),
    "industry": (_("Отрасль"), lambda f: f.industry, KINDS),
    "region": (_("Регион"), lambda f: f.region, KINDS),
    "size": (_("Размер"), lambda f: f.size, (KIND_COMPANY, KIND_ENTREPRENEUR)),
    "bank_account": (_("Банковский счёт"), lambda f: f.bank_account, KINDS),
    "contact": (_("Контактное лицо"), lambda f: f.contact, KINDS),
    "decision_maker": (
        _("ЛПР с телефоном или e-mail"),
        has_reachable_decision_maker,
        KINDS,
    ),
}


def field_label(code: str) -> str:
    """The (untranslated) Russian label of a field code; the code itself when unknown."""
    return FIELDS[code][0] if code in FIELDS else code


def field_applies(code: str, kind: str) -> bool:
    """Whether a rule on `code` makes sense for a card of `kind` (no КПП for an entrepreneur,
    no ОГРН for a person)."""
    return code in FIELDS and kind in FIELDS[code][2]


def missing_fields(facts: ClientFacts, required: Iterable[str]) -> list[str]:
    """The required codes the card does not satisfy, in the order of FIELDS. Codes unknown
    here or not applicable to the card's kind are ignored (a stale rule never blocks)."""
    wanted = set(required)
    return [
        code
        for code, (_label, test, kinds) in FIELDS.items()
        if code in wanted and facts.kind in kinds and not test(facts)
    ]

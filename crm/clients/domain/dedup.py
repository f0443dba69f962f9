"""Scoring how likely two client cards are the same company (pure Python).

Signals, strongest first: the same ИНН (and КПП), the same phone, the same e-mail, the same
e-mail domain unless it is a public mail service, and a similar name after dropping legal
forms and quotes (rapidfuzz). Every signal that fires is a reason a person can read; the score
is the strongest signal's, raised a little when several agree."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "internet.ru",
        "yandex.ru",
        "ya.ru",
        "yandex.com",
        "gmail.com",
        "googlemail.com",
        "rambler.ru",
        "lenta.ru",
        "autorambler.ru",
        "myrambler.ru",
        "ro.ru",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "yahoo.com",
        "proton.me",
        "protonmail.com",
        "qip.ru",
        "e1.ru",
        "ngs.ru",
    }
)
NAME_THRESHOLD = 85  # below this a name similarity alone is not a reason
SCORE_SAME_INN_KPP = 100
SCORE_SAME_INN = 95
SCORE_SAME_INN_OTHER_KPP = 60  # a branch of the same company: related, rarely a duplicate
SCORE_SAME_PHONE = 80
SCORE_SAME_EMAIL = 85
SCORE_SAME_DOMAIN = 55
AGREEMENT_BONUS = 5


@dataclass(frozen=True, slots=True)
class Card:
    """What dedup compares of a client card (normalized: E.164 phones, lower-case e-mails,
    `name` already passed through normalize.comparable_name)."""

    id: int | None
    name: str
    inn: str = ""
    kpp: str = ""
    phones: frozenset[str] = field(default_factory=frozenset)
    emails: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Match:
    score: int
    reasons: tuple[str, ...]


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def name_similarity(first: str, second: str) -> int:
    """0–100; word order does not matter ("Ромашка Плюс" ~ "Плюс Ромашка")."""
    if not first or not second:
        return 0
    return round(fuzz.token_sort_ratio(first, second))


def score_duplicate(first: Card, second: Card) -> Match:
    signals: list[tuple[int, str]] = []
    if first.inn and first.inn == second.inn:
        if first.kpp and second.kpp and first.kpp != second.kpp:
            signals.append((SCORE_SAME_INN_OTHER_KPP, f"ИНН {first.inn} совпадает, КПП разный"))
        elif first.kpp and first.kpp == second.kpp:
            signals.append((SCORE_SAME_INN_KPP, f"Совпадают ИНН {first.inn} и КПП {first.kpp}"))
        else:
            signals.append((SCORE_SAME_INN, f"Совпадает ИНН {first.inn}"))
    for phone in sorted(first.phones & second.phones):
        signals.append((SCORE_SAME_PHONE, f"Совпадает телефон {phone}"))
    common_emails = first.emails & second.emails
    for email in sorted(common_emails):
        signals.append((SCORE_SAME_EMAIL, f"Совпадает e-mail {email}"))
    first_domains = {email_domain(e) for e in first.emails} - PUBLIC_MAIL_DOMAINS
    second_domains = {email_domain(e) for e in second.emails} - PUBLIC_MAIL_DOMAINS
    common_domains = first_domains & second_domains - {email_domain(e) for e in common_emails}
    for domain in sorted(common_domains):
        signals.append((SCORE_SAME_DOMAIN, f"Почта на одном домене {domain}"))
    similarity = name_similarity(first.name, second.name)
    if similarity >= NAME_THRESHOLD:
        signals.append((similarity, f"Похожее название ({similarity} %)"))
    if not signals:
        return Match(score=similarity if similarity >= 50 else 0, reasons=())
    best = max(score for score, _ in signals)
    bonus = AGREEMENT_BONUS * (len(signals) - 1)
    if first.inn and second.inn and first.inn != second.inn:
        # Different tax ids: two companies, whatever else is alike (a shared phone of a
        # business centre, a similar name).
        best, bonus = min(best, 40), 0
    return Match(
        score=min(100, best + bonus),
        reasons=tuple(reason for _, reason in sorted(signals, key=lambda s: -s[0])),
    )

"""Scoring how likely two client cards (or two contact persons) are the same, and finding the
pairs worth scoring in a whole base (pure Python).

Signals, strongest first: the same ИНН (and КПП), the same phone, the same e-mail, the same
e-mail domain unless it is a public mail service, and a similar name after dropping legal
forms and quotes (rapidfuzz). Every signal that fires is a reason a person can read; the score
is the strongest signal's, raised a little when several agree.

A full scan cannot score every pair (5·10⁹ at 100 000 cards), so cards are first put into
blocks by keys that duplicates share even when typed differently (`blocking_keys`), and only
pairs that share a block are scored. Besides ИНН, each phone, each e-mail and each non-public
e-mail domain, the name gives keys chosen for the ways people retype a company:

* legal form (wherever it stands, also written out), quotes, case, punctuation, ё, Latin
  look-alike letters — gone before any key is taken (`name_tokens`);
* swapped word order — the words are sorted;
* one typo anywhere (a letter wrong, missing, extra, two letters swapped) — the "deletion
  neighbourhood" of the sorted name: the text itself and every text with one letter deleted
  ("n:"). Two texts one edit apart always share one of these (the SymSpell trick);
* a typo in a first letter, which can change the sorted order — the words without their first
  letters ("r:");
* several typos in the endings of words ("Технологии"/"Технология") — the first four letters
  of each word ("f:");
* several typos in vowels or doubled letters — the consonant skeleton ("s:");
* several typos in one word, or a word left out ("Иванов Иван" for "Иванов Иван Петрович") —
  the name without one of its words ("x:").

A block bigger than `MAX_BLOCK` (a business centre's phone, a very common name) is not
compared all-to-all: its cards are sorted by name and each is compared with its next
`WINDOW` neighbours (sorted neighbourhood), which keeps the scan linear. The two weak keys
("f:", "x:") count only in blocks of at most `WEAK_BLOCK` cards: in a big one they cost far
more pairs than they find. On the benchmark base (bench/dedup.py) this finds 98 % of the seeded
duplicates with 8 candidate pairs per 10 cards."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

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
SCORE_SAME_INN = 95  # one card has a КПП, the other none
SCORE_SAME_INN_OTHER_KPP = 60  # a branch of the same company: related, rarely a duplicate
SCORE_SAME_PHONE = 80
SCORE_SAME_EMAIL = 85
SCORE_SAME_DOMAIN = 55
SCORE_OTHER_INN_CAP = 40
AGREEMENT_BONUS = 5

# Contact persons: a shared phone or e-mail counts only when the names agree (a reception's
# phone is shared by everybody in an office); a name alone is weak (namesakes are common).
CONTACT_NAMES_AGREE = 70
CONTACT_SHARED_CHANNEL_OTHER_NAME_CAP = 45
CONTACT_NAME_ONLY_PENALTY = 30

# The full scan keeps pairs from this score up (the review page can raise it).
MIN_SCAN_SCORE = 55
MIN_CONTACT_SCAN_SCORE = 60

MAX_BLOCK = 60
# Keys that many unrelated names share ("the name without one word", "the first letters of
# each word") count only in small blocks: in a big one they cost far more pairs than they find.
WEAK_KEYS = frozenset({"x:", "f:"})
WEAK_BLOCK = 8
WINDOW = 8
DELETION_PREFIX = 40  # longer names: a typo after the 40th letter leaves the key equal
MIN_DELETION_TEXT = 4  # shorter names would fall into huge blocks of one- or two-letter texts
PREFIX_LETTERS = 4

LEGAL_FORM_PHRASES = (
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "непубличное акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "некоммерческая организация",
    "автономная некоммерческая организация",
    "государственное унитарное предприятие",
    "муниципальное унитарное предприятие",
)
LEGAL_FORM_WORDS = frozenset(
    {"ооо", "ао", "пао", "зао", "оао", "нао", "ип", "нко", "ано", "гуп", "муп", "фгуп", "тоо"}
)
_WORD = re.compile(r"[0-9a-zа-я]+")
_NO_VOWELS = str.maketrans("", "", "аеиоуыэюяъьaeiouy")
_REPEATS = re.compile(r"(.)\1+")
# Latin letters that look like Cyrillic ones, in words that mix both scripts ("OOO Pомашка").
_LOOKALIKES = str.maketrans("aceopxykmthb", "асеорхукмтнв")
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")


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


@dataclass(frozen=True, slots=True)
class Pair:
    """Two cards of a scan found alike: `first_id` < `second_id`."""

    first_id: int
    second_id: int
    score: int
    reasons: tuple[str, ...]


def email_domain(email: str) -> str:
    return email[email.rfind("@") + 1 :].lower()


@lru_cache(maxsize=200_000)
def name_tokens(name: str) -> tuple[str, ...]:
    """The words of a name as dedup compares them: lower case, ё → е, no quotes or
    punctuation, no legal form wherever it stands ("Ромашка ООО", "ООО «Ромашка»",
    "Общество с ограниченной ответственностью Ромашка" → ("ромашка",))."""
    text = name.lower().replace("ё", "е")
    for phrase in LEGAL_FORM_PHRASES:
        if phrase in text:
            text = text.replace(phrase, " ")
    tokens = []
    for token in _WORD.findall(text):
        if token in LEGAL_FORM_WORDS:
            continue
        if _LATIN.search(token):
            lookalike = token.translate(_LOOKALIKES)
            if lookalike in LEGAL_FORM_WORDS:  # "OOO" typed in Latin letters
                continue
            if _CYRILLIC.search(token):
                token = lookalike
        tokens.append(token)
    return tuple(tokens)


_PATRONYMIC_ENDINGS = ("вич", "вна", "ична", "оглы", "кызы")


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A card with what scoring needs computed once (a scan scores each card many times)."""

    card: Card
    text: str  # the name's words sorted, joined by spaces
    joined: str  # the name's words as written, without spaces
    words: frozenset[str]
    numbers: frozenset[str]
    person: bool  # the name looks like a person's full name (has a patronymic)
    domains: frozenset[str]


def _prepare(card: Card, *, person: bool = False) -> _Prepared:
    tokens = name_tokens(card.name)
    return _Prepared(
        card=card,
        text=" ".join(sorted(tokens)),
        joined="".join(tokens),
        words=frozenset(tokens),
        numbers=frozenset(token for token in tokens if not token.isalpha()),
        person=person or any(token.endswith(_PATRONYMIC_ENDINGS) for token in tokens[1:]),
        domains=frozenset(email_domain(email) for email in card.emails) - PUBLIC_MAIL_DOMAINS
        if card.emails
        else frozenset(),
    )


def _typos_allowed(word: str, person: bool) -> int:
    """How many typos a word may carry and still be the same word."""
    if person:
        return 1 if len(word) <= 10 else 2
    return 1 if len(word) <= 6 else 2 if len(word) <= 10 else 3


def _words_pair_up(first: _Prepared, second: _Prepared) -> bool:
    """Every word of each name has a partner in the other within a few typos (or the other
    name written as one word: "Ист-Транс" ~ "Исттранс"). A word without a partner makes two
    names of two organizations however many letters they share: "Первый век Девелопмент" and
    "Первый двор Девелопмент", "Уральский путь" and "Уральский путь Про"."""
    if OSA.distance(first.joined, second.joined, score_cutoff=1) <= 1:
        return True  # the same letters, spaced or hyphenated differently
    person = first.person or second.person
    for words, other in ((first.words, second), (second.words, first)):
        partners = (*other.words, other.joined)
        for word in words:
            allowed = _typos_allowed(word, person)
            if all(
                OSA.distance(word, partner, score_cutoff=allowed) > allowed for partner in partners
            ):
                return False
    return True


def _similarity(first: _Prepared, second: _Prepared, *, cutoff: int = 0) -> int:
    if not first.text or not second.text:
        return 0
    if first.person and second.person:
        if first.words == second.words:
            return 100
        if min(len(first.words), len(second.words)) >= 2 and (
            first.words <= second.words or second.words <= first.words
        ):
            return 95  # one of them without the middle name
    similarity = round(fuzz.ratio(first.text, second.text, score_cutoff=cutoff))
    if similarity < NAME_THRESHOLD:
        return similarity
    if first.numbers != second.numbers:
        return NAME_THRESHOLD - 1
    if first.words != second.words and not _words_pair_up(first, second):
        return NAME_THRESHOLD - 1
    return similarity


def name_similarity(first: str, second: str) -> int:
    """0–100; word order, legal form and quotes do not matter ("Ромашка Плюс" ~ "ООО «Плюс
    Ромашка»"). Below NAME_THRESHOLD whatever the letters say: names with different numbers
    ("Школа 5" and "Школа 6", "Ромашка" and "Ромашка-2") and names with a word that has no
    partner in the other (`_words_pair_up`; in people's names, recognized by the patronymic,
    one typo per word: "Буров Иван Петрович" and "Бобров Иван Петрович" are two people)."""
    return _similarity(_prepare(Card(None, first)), _prepare(Card(None, second)))


def person_name_similarity(first: str, second: str) -> int:
    """0–100 for people's names: as `name_similarity`, and a name without the middle name
    matches the full one ("Иванов Иван" ~ "Иван Петрович Иванов": 95)."""
    return _similarity(
        _prepare(Card(None, first), person=True), _prepare(Card(None, second), person=True)
    )


def _finish(signals: list[tuple[int, str]], cap: int | None = None) -> Match:
    best = max(score for score, _ in signals)
    bonus = AGREEMENT_BONUS * (len(signals) - 1)
    if cap is not None:
        best, bonus = min(best, cap), 0
    return Match(
        score=min(100, best + bonus),
        reasons=tuple(reason for _, reason in sorted(signals, key=lambda s: -s[0])),
    )


def _score_clients(first: _Prepared, second: _Prepared, *, cutoff: int = 0) -> Match:
    a, b = first.card, second.card
    signals: list[tuple[int, str]] = []
    if a.inn and a.inn == b.inn:
        if a.kpp and b.kpp and a.kpp != b.kpp:
            signals.append((SCORE_SAME_INN_OTHER_KPP, f"ИНН {a.inn} совпадает, КПП разный"))
        elif a.kpp and a.kpp == b.kpp:
            signals.append((SCORE_SAME_INN_KPP, f"Совпадают ИНН {a.inn} и КПП {a.kpp}"))
        elif not a.kpp and not b.kpp:
            signals.append((SCORE_SAME_INN_KPP, f"Совпадает ИНН {a.inn}"))
        else:
            signals.append((SCORE_SAME_INN, f"Совпадает ИНН {a.inn}"))
    if a.phones and b.phones:
        for phone in sorted(a.phones & b.phones):
            signals.append((SCORE_SAME_PHONE, f"Совпадает телефон {phone}"))
    common_emails = a.emails & b.emails if a.emails and b.emails else frozenset()
    for email in sorted(common_emails):
        signals.append((SCORE_SAME_EMAIL, f"Совпадает e-mail {email}"))
    if first.domains and second.domains:
        common_domains = first.domains & second.domains - {email_domain(e) for e in common_emails}
        for domain in sorted(common_domains):
            signals.append((SCORE_SAME_DOMAIN, f"Почта на одном домене {domain}"))
    similarity = _similarity(first, second, cutoff=0 if signals else cutoff)
    if similarity >= NAME_THRESHOLD:
        signals.append((similarity, f"Похожее название ({similarity} %)"))
    if not signals:
        return Match(score=similarity if similarity >= 50 else 0, reasons=())
    other_inn = bool(a.inn and b.inn and a.inn != b.inn)
    return _finish(signals, cap=SCORE_OTHER_INN_CAP if other_inn else None)


def _score_contacts(first: _Prepared, second: _Prepared, *, cutoff: int = 0) -> Match:
    a, b = first.card, second.card
    signals: list[tuple[int, str]] = []
    if a.phones and b.phones:
        for phone in sorted(a.phones & b.phones):
            signals.append((SCORE_SAME_PHONE, f"Совпадает телефон {phone}"))
    if a.emails and b.emails:
        for email in sorted(a.emails & b.emails):
            signals.append((SCORE_SAME_EMAIL, f"Совпадает e-mail {email}"))
    similarity = _similarity(first, second, cutoff=0 if signals else cutoff)
    if signals and similarity < CONTACT_NAMES_AGREE:
        signals.append((0, f"Имена разные ({similarity} %)"))
        return _finish(signals, cap=CONTACT_SHARED_CHANNEL_OTHER_NAME_CAP)
    if similarity >= NAME_THRESHOLD:
        name_score = similarity if signals else similarity - CONTACT_NAME_ONLY_PENALTY
        signals.append((name_score, f"Похожее имя ({similarity} %)"))
    if not signals:
        return Match(score=0, reasons=())
    return _finish(signals)


def score_duplicate(first: Card, second: Card) -> Match:
    """How likely two client cards are one client, with the reasons; symmetric in the score.
    The same ИНН is 100 when the КПП agree (or neither has one: an ИП, a person), 95 when one
    card lacks the КПП, 60 for another КПП (a branch). Different ИНН on both cards caps the
    score at 40: two companies, whatever else is alike (a business centre's phone, a name)."""
    return _score_clients(_prepare(first), _prepare(second))


def score_contact_duplicate(first: Card, second: Card) -> Match:
    """How likely two contact persons are one person: the name together with a shared phone
    or e-mail. A shared phone or e-mail with different names is not a reason (a reception's
    phone is everybody's in an office), a similar name alone is weak (namesakes are common).
    Symmetric in the score."""
    return _score_contacts(_prepare(first, person=True), _prepare(second, person=True))


# Blocking ------------------------------------------------------------------------------------


def _deletions(text: str) -> set[str]:
    """`text` (cut to DELETION_PREFIX letters) and every text with one letter deleted."""
    text = text[:DELETION_PREFIX]
    if len(text) < MIN_DELETION_TEXT:
        return {text} if text else set()
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


def consonant_skeleton(tokens: Iterable[str]) -> str:
    """Each word without vowels and doubled letters, the words sorted: ("ассоциация",
    "радуга") → "рдг сцц" with the doubles collapsed: "рдг сц"."""
    words = (_REPEATS.sub(r"\1", token.translate(_NO_VOWELS)) for token in tokens)
    return " ".join(sorted(word for word in words if word))


def name_keys(name: str) -> set[str]:
    """The blocking keys of a name (see the module docstring)."""
    tokens = name_tokens(name)
    if not tokens:
        return set()
    ordered = sorted(tokens)
    keys = {"n:" + text for text in _deletions(" ".join(ordered))}
    keys.add("f:" + " ".join(token[:PREFIX_LETTERS] for token in ordered))
    # The whole name and the name without one of its words under one prefix: "Иванов Иван
    # Петрович" meets "Иванов Иван", "Медтрейд Лоисти" meets "Медтрейд Логистик".
    keys.add("x:" + " ".join(ordered))
    if len(tokens) > 1:
        keys.add("r:" + " ".join(sorted(token[1:] for token in tokens)))
        keys.update("x:" + " ".join(ordered[:i] + ordered[i + 1 :]) for i in range(len(ordered)))
    skeleton = consonant_skeleton(tokens)
    if len(skeleton.replace(" ", "")) >= 3:
        keys.add("s:" + skeleton)
    return keys


def blocking_keys(card: Card, *, with_domains: bool = True) -> set[str]:
    """Keys that a card shares with its likely duplicates: ИНН, each phone, each e-mail, each
    e-mail domain that is not a public mail service, and the name keys."""
    keys = name_keys(card.name)
    if card.inn:
        keys.add("i:" + card.inn)
    keys.update("p:" + phone for phone in card.phones)
    keys.update("e:" + email for email in card.emails)
    if with_domains:
        keys.update(
            "d:" + domain
            for domain in {email_domain(email) for email in card.emails}
            if domain not in PUBLIC_MAIL_DOMAINS
        )
    return keys


def candidate_pairs(
    cards: Sequence[Card],
    *,
    with_domains: bool = True,
    max_block: int = MAX_BLOCK,
    window: int = WINDOW,
) -> set[tuple[int, int]]:
    """Positions (i, j), i < j, of the cards that share a blocking key."""
    blocks: dict[str, int | list[int]] = {}
    for index, card in enumerate(cards):
        for key in blocking_keys(card, with_domains=with_domains):
            if key not in blocks:
                blocks[key] = index  # most keys stay alone: no list for them
                continue
            members = blocks[key]
            if isinstance(members, int):
                blocks[key] = [members, index]
            else:
                members.append(index)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if isinstance(members, int):
            continue
        weak = key[:2] in WEAK_KEYS
        if len(members) <= (WEAK_BLOCK if weak else max_block):
            pairs.update(combinations(members, 2))  # members are in increasing order
            continue
        if weak:
            continue
        members.sort(key=lambda i: (sorted(name_tokens(cards[i].name)), i))
        for position, first in enumerate(members):
            for second in members[position + 1 : position + 1 + window]:
                pairs.add((first, second) if first < second else (second, first))
    return pairs


def find_duplicates(
    cards: Sequence[Card],
    *,
    contacts: bool = False,
    min_score: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[Pair]:
    """Every pair of cards (each with an id) that scores at least `min_score` with a reason,
    best first: client cards by `score_duplicate`, or with `contacts` contact persons by
    `score_contact_duplicate` (no e-mail domain key: colleagues share it). `progress` is told
    the share of candidate pairs scored, 0.0–1.0."""
    if any(card.id is None for card in cards):
        raise ValueError("Every card of a scan needs an id")
    if min_score is None:
        min_score = MIN_CONTACT_SCAN_SCORE if contacts else MIN_SCAN_SCORE
    score = _score_contacts if contacts else _score_clients
    prepared = [_prepare(card, person=contacts) for card in cards]
    candidates = candidate_pairs(cards, with_domains=not contacts)
    found: list[Pair] = []
    step = max(1, len(candidates) // 20)
    cutoff = min(min_score, NAME_THRESHOLD)
    for done, (i, j) in enumerate(candidates, start=1):
        match = score(prepared[i], prepared[j], cutoff=cutoff)
        if match.score >= min_score and match.reasons:
            first_id, second_id = sorted((int(cards[i].id or 0), int(cards[j].id or 0)))
            found.append(Pair(first_id, second_id, match.score, match.reasons))
        if progress is not None and done % step == 0:
            progress(done / len(candidates))
    found.sort(key=lambda pair: (-pair.score, pair.first_id, pair.second_id))
    return found


def group_pairs(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected groups of ids linked by pairs (A~B and B~C make one group A, B, C), each
    sorted, the groups ordered by their smallest id."""
    parent: dict[int, int] = {}

    def root(item: int) -> int:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for first, second in pairs:
        first_root, second_root = root(first), root(second)
        if first_root != second_root:
            parent[max(first_root, second_root)] = min(first_root, second_root)
    groups: dict[int, list[int]] = defaultdict(list)
    for item in parent:
        groups[root(item)].append(item)
    return sorted((sorted(members) for members in groups.values()), key=lambda g: g[0])

"""Benchmark of the duplicate scan: a generated client base with seeded duplicates, the recall
and precision of the scan on it, and the time of the full background job on a database.

    .venv/bin/python -m bench.dedup [--clients 100000] [--db sqlite|postgres|none] [--seed 7]

1. Generate N client cards (companies, ИП, persons; valid-looking ИНН, phones, e-mails at
   the company's own domain) of which about 5 % are copies of another card, retyped the way
   people do: the legal form written out, moved or dropped, other quotes, swapped word order,
   case, one or two typos, the phone in another format, the ИНН or the e-mail left out. Contact
   persons (about one per company) likewise, with copies re-entered at the copied client:
   without the middle name, with a typo, the mobile in another format.
2. Pure pass: the domain code (crm.clients.domain.dedup) on the generated cards, no database:
   recall (seeded pairs found / seeded pairs), precision (found pairs that were seeded / found
   pairs), pairs and seconds; recall per kind of change, and recall/precision per minimum score.
3. Database pass (unless --db none): a fresh database (a temporary SQLite file, or the
   PostgreSQL database svod_bench_dedup on BENCH_POSTGRES_URL), the cards bulk-inserted as
   clients and contact persons, then the job `clients.duplicate_scan` run as the worker runs
   it; its seconds and the recall/precision of the ClientDuplicate/ContactDuplicate rows.

Precision counts every pair the scan reports that the generator did not seed as wrong, also
where a person would call it a fair question (two persons with the same full name)."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from faker import Faker  # noqa: E402

from crm.clients.domain.dedup import (  # noqa: E402
    MIN_CONTACT_SCAN_SCORE,
    MIN_SCAN_SCORE,
    Card,
    Pair,
    find_duplicates,
    name_tokens,
)
from crm.clients.domain.normalize import normalize_email, normalize_phone  # noqa: E402
from crm.clients.domain.requisites import inn_control_digits  # noqa: E402

POSTGRES_SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
POSTGRES_DATABASE = "svod_bench_dedup"
COPY_SHARE = 0.05  # of the cards, copies of another card
SECOND_COPY_SHARE = 0.1  # of the copied cards, copied twice


def _words(text: str) -> list[str]:
    return text.split()


FORMS = [
    ("ООО", "Общество с ограниченной ответственностью"),
    ("АО", "Акционерное общество"),
    ("ПАО", "Публичное акционерное общество"),
    ("ЗАО", "Закрытое акционерное общество"),
]
STEMS = _words(
    "Техно Строй Агро Мед Инвест Энерго Транс Пром Гео Эко Нефте Авто Снаб Торг Металл Лес Хим "
    "Электро Теле Медиа Инфо Фарм Сиб Урал Волга Дон Кубань Нева Балт Вест Норд Ист Юг Центр "
    "Гранд Старт Проф Альфа Бета Гамма Дельта Омега Сигма Вита Аква Термо Спец Маш Рос Евро "
    "Интер Глобал Смарт Стар Лайт Бизнес Кедр Мост Орион Полюс Сфера Вектор Крона Рубин Алмаз"
)
ENDINGS = _words(
    "строй сервис снаб торг пром маш комплект ресурс трейд лайн систем мир град инвест холдинг "
    "логистик технологии монтаж проект маркет софт дизайн экспорт импорт пласт металл энерго "
    "транс агро мед плюс лаб тех стиль вент дор"
)
QUALIFIERS = _words(
    "Плюс Групп Урал Сибирь Центр Про М Регион Юг Восток Холдинг Инжиниринг Консалт Партнёр "
    "Трейдинг Сервис Компани Медиа Лаб Северо-Запад Поволжье Москва Казань Самара Пермь Томск "
    "Логистик Девелопмент Капитал Системс"
)
ADJECTIVES = _words(
    "Северный Южный Новый Первый Золотой Зелёный Белый Красный Сибирский Уральский Русский "
    "Большой Верный Старый Честный Добрый Морской Лесной Городской Народный Светлый Тёплый"
)
NOUNS = _words(
    "ветер дом мост путь берег двор край лес город сад мир век стандарт капитал ресурс проект "
    "альянс союз рынок выбор источник маяк парус родник"
)
REGIONS = [("77", "495"), ("78", "812"), ("50", "496"), ("66", "343"), ("16", "843"), ("54", "383")]
PUBLIC_DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "rambler.ru"]
# Letters next to each other on the Russian keyboard: the usual typo.
NEIGHBOURS = dict(
    item.split(":")
    for item in _words(
        "й:цф ц:йуы у:цкв к:уеа е:кнп н:егр г:ншо ш:гщл щ:шзд з:щхж ф:йыя ы:фвч в:ыас а:впм "
        "п:арм р:поь о:рлт л:одб д:лжю ж:дэ я:фч ч:яс с:чм м:си и:мт т:иь ь:тб б:ью ю:бд э:ж "
        "х:зъ ъ:х"
    )
)
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        _words("a b v g d e e zh z i y k l m n o p r s t u f h ts ch sh sch - y - e yu ya"),
        strict=True,
    )
)


@dataclass
class Record:
    """A client card as a person typed it (the phone as typed, not yet normalized)."""

    kind: str  # company, entrepreneur, person
    name: str
    inn: str = ""
    kpp: str = ""
    phone: str = ""
    email: str = ""
    changes: tuple[str, ...] = ()  # for a copy: what was changed


@dataclass
class Person:
    """A contact person of client `client` (an index into the records)."""

    client: int
    last_name: str
    first_name: str
    middle_name: str
    phone: str = ""
    email: str = ""


@dataclass
class Base:
    records: list[Record] = field(default_factory=list)
    cluster: list[int] = field(default_factory=list)  # records in one cluster are one client
    people: list[Person] = field(default_factory=list)
    person_cluster: list[int] = field(default_factory=list)

    def true_pairs(self, clusters: Sequence[int]) -> set[tuple[int, int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for index, cluster in enumerate(clusters):
            members[cluster].append(index)
        return {
            (a, b)
            for group in members.values()
            if len(group) > 1
            for position, a in enumerate(group)
            for b in group[position + 1 :]
        }


class BaseGenerator:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.faker = Faker("ru_RU")
        self.faker.seed_instance(seed)
        self.names: set[str] = set()
        self.inns: set[str] = set()
        self.domains: set[str] = set()
        self.logins: set[str] = set()

    # originals -----------------------------------------------------------------------------

    def digits(self, count: int) -> str:
        return "".join(self.random.choice("0123456789") for _ in range(count))

    def inn(self, region: str, length: int) -> str:
        while True:
            prefix = (
                region + f"{self.random.randint(1, 51):02d}" + self.digits(5 if length == 10 else 6)
            )
            inn = prefix + inn_control_digits(prefix)
            if inn not in self.inns:
                self.inns.add(inn)
                return inn

    def company_root(self) -> str:
        rnd = self.random
        while True:
            roll = rnd.random()
            if roll < 0.55:
                root = rnd.choice(STEMS) + rnd.choice(ENDINGS)
            elif roll < 0.75:
                root = f"{rnd.choice(ADJECTIVES)} {rnd.choice(NOUNS)}"
            elif roll < 0.9:
                root = rnd.choice(
                    [
                        f"{self.faker.last_name_male()} и партнёры",
                        f"Торговый дом {self.faker.last_name_male()}",
                        f"{self.faker.last_name_male()}",
                    ]
                )
            else:
                root = f"{rnd.choice(STEMS)}-{rnd.choice(ENDINGS).capitalize()}"
            if rnd.random() < 0.6:
                root = f"{root} {rnd.choice(QUALIFIERS)}"
            # Two companies with the very same words ("Мед-Торг", "Торг-Мед") are rare in life.
            key = "".join(sorted(name_tokens(root)))
            if key not in self.names:
                self.names.add(key)
                return root

    def domain(self, root: str) -> str:
        word = "".join(TRANSLIT.get(ch, ch) for ch in root.lower() if ch.isalnum() or ch in "ё")
        word = word.replace("-", "")[:14] or "firm"
        candidate = f"{word}.ru"
        while candidate in self.domains:
            candidate = f"{word}{self.random.randint(1, 999)}.ru"
        self.domains.add(candidate)
        return candidate

    def public_email(self) -> str:
        """A personal address: people do not share one."""
        while True:
            login = self.faker.user_name()
            if login in self.logins:
                login = f"{login}{self.random.randint(1, 9999)}"
            if login not in self.logins:
                self.logins.add(login)
                return f"{login}@{self.random.choice(PUBLIC_DOMAINS)}"

    def mobile(self) -> str:
        return f"+79{self.random.choice(['03', '05', '10', '15', '16', '26', '85', '99'])}" + (
            f"{self.random.randint(0, 9999999):07d}"
        )

    def original(self) -> tuple[Record, list[Person]]:
        rnd = self.random
        region, code = rnd.choice(REGIONS)
        roll = rnd.random()
        people: list[Person] = []
        if roll < 0.7:
            short, _full = rnd.choice(FORMS)
            root = self.company_root()
            domain = self.domain(root)
            inn = self.inn(region, 10) if rnd.random() > 0.1 else ""
            record = Record(
                kind="company",
                name=f"{short} «{root}»",
                inn=inn,
                kpp=f"{inn[:4]}01001" if inn else "",
                phone=f"+7{code}{rnd.randint(2000000, 9999999)}" if rnd.random() > 0.1 else "",
                email=f"{rnd.choice(['info', 'office', 'zakaz', 'sales'])}@{domain}"
                if rnd.random() > 0.25
                else "",
            )
            for _ in range(rnd.choice([0, 1, 1, 1, 2])):
                people.append(self.person(domain))
        elif roll < 0.85:
            last, first, middle = self.full_name()
            record = Record(
                kind="entrepreneur",
                name=f"ИП {last} {first} {middle}",
                inn=self.inn(region, 12),
                phone=self.mobile(),
                email=self.public_email() if rnd.random() > 0.5 else "",
            )
        else:
            last, first, middle = self.full_name()
            record = Record(
                kind="person",
                name=f"{last} {first} {middle}",
                phone=self.mobile(),
                email=self.public_email() if rnd.random() > 0.4 else "",
            )
        return record, people

    def full_name(self) -> tuple[str, str, str]:
        if self.random.random() < 0.5:
            faker = self.faker
            return faker.last_name_female(), faker.first_name_female(), faker.middle_name_female()
        faker = self.faker
        return faker.last_name_male(), faker.first_name_male(), faker.middle_name_male()

    def person(self, domain: str) -> Person:
        last, first, middle = self.full_name()
        rnd = self.random
        login = "".join(TRANSLIT.get(ch, ch) for ch in last.lower()).replace("-", "")
        return Person(
            client=-1,
            last_name=last,
            first_name=first,
            middle_name=middle,
            phone=self.mobile() if rnd.random() > 0.2 else "",
            email=f"{login}{rnd.randint(1, 99)}@{domain}" if rnd.random() > 0.4 else "",
        )

    # copies --------------------------------------------------------------------------------

    def typo(self, text: str) -> str:
        rnd = self.random
        letters = [i for i, ch in enumerate(text) if ch.isalpha()]
        if len(letters) < 3:
            return text
        i = rnd.choice(letters[1:])  # people rarely miss the first letter
        kind = rnd.choice(["substitute", "delete", "insert", "transpose"])
        ch = text[i]
        if kind == "substitute":
            lower = ch.lower()
            new = rnd.choice(NEIGHBOURS.get(lower, "ао"))
            return text[:i] + (new.upper() if ch.isupper() else new) + text[i + 1 :]
        if kind == "delete":
            return text[:i] + text[i + 1 :]
        if kind == "insert":
            return text[:i] + ch + text[i:]
        if i + 1 < len(text) and text[i + 1].isalpha():
            return text[:i] + text[i + 1] + ch + text[i + 2 :]
        return text[:i] + text[i + 1 :]

    def phone_format(self, e164: str) -> str:
        """The same number as people write it."""
        if not e164.startswith("+7") or len(e164) != 12:
            return e164
        code, a, b, c = e164[2:5], e164[5:8], e164[8:10], e164[10:12]
        return self.random.choice(
            [
                f"8 ({code}) {a}-{b}-{c}",
                f"+7 {code} {a}{b}{c}",
                f"8{code}{a}{b}{c}",
                f"7-{code}-{a}-{b}-{c}",
                f"+7({code}){a}-{b}-{c}",
                f"8 {code} {a} {b} {c}",
            ]
        )

    def copy_name(self, record: Record, changes: list[str]) -> str:
        rnd = self.random
        name = record.name
        if record.kind == "person":
            words = name.split()
        else:
            form, _, rest = name.partition(" ")
            root = rest.strip("«»")
            words = root.split()
            full = dict(FORMS).get(form, "Индивидуальный предприниматель")
            form_roll = rnd.random()
            if form_roll < 0.2:
                form_text, position = full, "start"
                changes.append("форма полностью")
            elif form_roll < 0.4:
                form_text, position = form, "end"
                changes.append("форма в конце")
            elif form_roll < 0.55:
                form_text, position = "", "none"
                changes.append("без формы")
            else:
                form_text, position = form, "start"
        if len(words) > 1 and rnd.random() < 0.3:
            words = words[1:] + words[:1] if record.kind != "person" else rnd.sample(words, 3)
            changes.append("порядок слов")
        text = " ".join(words)
        typos = rnd.random()
        if typos < 0.45:
            text = self.typo(text)
            changes.append("опечатка")
        elif typos < 0.55 and len(text) >= 10:
            text = self.typo(self.typo(text))
            changes.append("две опечатки")
        if record.kind == "person":
            return text
        quote_roll = rnd.random()
        if quote_roll < 0.3:
            text = f'"{text}"'
            changes.append("кавычки")
        elif quote_roll < 0.55:
            changes.append("без кавычек")
        else:
            text = f"«{text}»"
        if position == "start":
            text = f"{form_text} {text}"
        elif position == "end":
            text = f"{text} {form_text}"
        if rnd.random() < 0.15:
            text = text.lower() if rnd.random() < 0.7 else text.upper()
            changes.append("регистр")
        return text

    def copy(self, record: Record) -> Record:
        rnd = self.random
        changes: list[str] = []
        name = self.copy_name(record, changes)
        inn = record.inn if rnd.random() < 0.35 else ""
        if record.inn and not inn:
            changes.append("без ИНН")
        phone = ""
        if record.phone:
            roll = rnd.random()
            if roll < 0.6:
                phone = self.phone_format(record.phone)
                changes.append("телефон в другом виде")
            elif roll < 0.75:
                phone = self.mobile()
                changes.append("другой телефон")
            else:
                changes.append("без телефона")
        email = ""
        if record.email:
            roll = rnd.random()
            if roll < 0.4:
                email = record.email.upper() if rnd.random() < 0.2 else record.email
            elif roll < 0.6 and record.kind == "company":
                email = (
                    f"{rnd.choice(['buh', 'director', 'manager', 'post'])}@"
                    + (record.email.partition("@")[2])
                )
                changes.append("другой адрес на домене")
            else:
                changes.append("без e-mail")
        kpp = record.kpp if inn and rnd.random() < 0.7 else ""
        return Record(record.kind, name, inn, kpp, phone, email, tuple(changes))

    def copy_person(self, person: Person, client: int) -> Person:
        rnd = self.random
        last, first, middle = person.last_name, person.first_name, person.middle_name
        roll = rnd.random()
        if roll < 0.3:
            middle = ""
        elif roll < 0.6:
            last = self.typo(last)
        if rnd.random() < 0.3:
            first, last = last, first
        keep_phone = person.phone and rnd.random() < 0.75
        keep_email = person.email and rnd.random() < 0.6
        return Person(
            client=client,
            last_name=last,
            first_name=first,
            middle_name=middle,
            phone=self.phone_format(person.phone) if keep_phone else "",
            email=person.email if keep_email else "",
        )


def generate(count: int, seed: int = 7) -> Base:
    """`count` client cards, about COPY_SHARE of them copies of others, shuffled."""
    generator = BaseGenerator(seed)
    rnd = generator.random
    copies = int(count * COPY_SHARE)
    originals = count - copies
    records: list[Record] = []
    clusters: list[int] = []
    people: list[Person] = []
    person_clusters: list[int] = []
    people_of: list[list[int]] = []
    for index in range(originals):
        record, persons = generator.original()
        records.append(record)
        clusters.append(index)
        people_of.append([])
        for person in persons:
            person.client = index
            people_of[index].append(len(people))
            person_clusters.append(len(people))
            people.append(person)
    copied = rnd.sample(range(originals), copies)
    for number, original in enumerate(copied):
        if number < copies * SECOND_COPY_SHARE and number % 2:  # a second copy of the last
            original = copied[number - 1]
        index = len(records)
        records.append(generator.copy(records[original]))
        clusters.append(original)
        if people_of[original] and rnd.random() < 0.5:
            source = rnd.choice(people_of[original])
            person_clusters.append(person_clusters[source])
            people.append(generator.copy_person(people[source], index))
    # The scan must not depend on copies coming after their originals.
    order = list(range(len(records)))
    rnd.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    base = Base(
        records=[records[old] for old in order],
        cluster=[clusters[old] for old in order],
        people=[
            Person(position[p.client], p.last_name, p.first_name, p.middle_name, p.phone, p.email)
            for p in people
        ],
        person_cluster=person_clusters,
    )
    return base


# measuring -----------------------------------------------------------------------------------


def _phone(text: str) -> str:
    try:
        return normalize_phone(text) if text else ""
    except ValueError:
        return ""


def client_cards(base: Base) -> list[Card]:
    """Cards as the scan builds them from the base: the client's own phone and e-mail and its
    contact persons' ones."""
    phones: dict[int, set[str]] = defaultdict(set)
    emails: dict[int, set[str]] = defaultdict(set)
    for person in base.people:
        phones[person.client].update(p for p in (_phone(person.phone),) if p)
        if person.email:
            emails[person.client].add(normalize_email(person.email))
    cards = []
    for index, record in enumerate(base.records):
        phone = _phone(record.phone)
        cards.append(
            Card(
                id=index,
                name=record.name,
                inn=record.inn,
                kpp=record.kpp,
                phones=frozenset(phones[index] | ({phone} if phone else set())),
                emails=frozenset(
                    emails[index] | ({normalize_email(record.email)} if record.email else set())
                ),
            )
        )
    return cards


def person_cards(base: Base) -> list[Card]:
    return [
        Card(
            id=index,
            name=" ".join(
                p for p in (person.last_name, person.first_name, person.middle_name) if p
            ),
            phones=frozenset({_phone(person.phone)} - {""}),
            emails=frozenset({normalize_email(person.email)} if person.email else set()),
        )
        for index, person in enumerate(base.people)
    ]


@dataclass
class Quality:
    seeded: int
    found: int
    correct: int

    @property
    def recall(self) -> float:
        return self.correct / self.seeded if self.seeded else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def quality(found: Iterable[tuple[int, int]], truth: set[tuple[int, int]]) -> Quality:
    pairs = {(min(a, b), max(a, b)) for a, b in found}
    return Quality(seeded=len(truth), found=len(pairs), correct=len(pairs & truth))


def _line(label: str, q: Quality, seconds: float | None = None, cpu: float | None = None) -> str:
    timing = f"  {seconds:7.2f} s" if seconds is not None else ""
    timing += f" (CPU {cpu:.2f} s)" if cpu is not None else ""
    return (
        f"{label:<34} recall {q.recall:7.2%}  precision {q.precision:7.2%}  "
        f"pairs {q.found:>7}  (seeded {q.seeded}, found of them {q.correct}){timing}"
    )


def pure_pass(base: Base) -> dict[str, Any]:
    print("Pure pass (crm.clients.domain.dedup, no database)")
    started, cpu_started = time.perf_counter(), time.process_time()
    cards = client_cards(base)
    pairs = find_duplicates(cards, min_score=MIN_SCAN_SCORE)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    truth = base.true_pairs(base.cluster)
    found = [(p.first_id, p.second_id) for p in pairs]
    overall = quality(found, truth)
    print(_line("  clients", overall, seconds, cpu))
    by_score: dict[int, Quality] = {}
    for threshold in (55, 70, 85, 95):
        by_score[threshold] = quality(
            [(p.first_id, p.second_id) for p in pairs if p.score >= threshold], truth
        )
        print(_line(f"    score ≥ {threshold}", by_score[threshold]))
    _recall_by_change(base, cards, {(p.first_id, p.second_id) for p in pairs}, truth)
    _show_misses(base, cards, truth - set(found), pairs, truth)

    started, cpu_started = time.perf_counter(), time.process_time()
    people = person_cards(base)
    person_pairs = find_duplicates(people, contacts=True, min_score=MIN_CONTACT_SCAN_SCORE)
    person_seconds = time.perf_counter() - started
    person_cpu = time.process_time() - cpu_started
    person_quality = quality(
        [(p.first_id, p.second_id) for p in person_pairs], base.true_pairs(base.person_cluster)
    )
    print(_line(f"  contact persons ({len(people)})", person_quality, person_seconds, person_cpu))
    return {
        "clients": overall,
        "seconds": seconds,
        "contacts": person_quality,
        "contact_seconds": person_seconds,
    }


def _recall_by_change(
    base: Base,
    cards: Sequence[Card],
    found: set[tuple[int, int]],
    truth: set[tuple[int, int]],
) -> None:
    """Recall for each kind of change a copy carries, and for copies that share no ИНН,
    phone or e-mail with the original (found by the name alone)."""
    seeded: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for pair in truth:
        first, second = cards[pair[0]], cards[pair[1]]
        changes = set(base.records[pair[0]].changes) | set(base.records[pair[1]].changes)
        shares = bool(
            (first.inn and first.inn == second.inn)
            or first.phones & second.phones
            or first.emails & second.emails
        )
        keys = changes or {"без изменений"}
        keys |= {"(общий ИНН, телефон или e-mail)" if shares else "(только по названию)"}
        for key in keys:
            seeded[key] += 1
            hit[key] += pair in found
    print("    recall by change:")
    for change, total in sorted(seeded.items(), key=lambda item: -item[1]):
        print(f"      {change:<38} {hit[change] / total:7.2%}  of {total}")


def _show_misses(
    base: Base,
    cards: Sequence[Card],
    missed: set[tuple[int, int]],
    pairs: Sequence[Pair],
    truth: set[tuple[int, int]],
    limit: int = 8,
) -> None:
    if os.environ.get("DEDUP_BENCH_VERBOSE") != "1":
        return
    from crm.clients.domain.dedup import score_duplicate

    print("    missed (first few):")
    for a, b in sorted(missed)[:limit]:
        match = score_duplicate(cards[a], cards[b])
        print(f"      {base.records[a].name!r} ~ {base.records[b].name!r}: {match}")
    print("    wrong (first few):")
    wrong = [p for p in pairs if (p.first_id, p.second_id) not in truth][:limit]
    for pair in wrong:
        print(
            f"      {base.records[pair.first_id].name!r} ~ {base.records[pair.second_id].name!r}"
            f": {pair.score} {pair.reasons}"
        )


# database pass -------------------------------------------------------------------------------


def _setup_django(db: str, directory: Path) -> str:
    if db == "sqlite":
        url = f"sqlite:///{directory / 'dedup.sqlite3'}"
    else:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(POSTGRES_DATABASE))
            )
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(POSTGRES_DATABASE))
            )
        url = f"{POSTGRES_SERVER_URL}/{POSTGRES_DATABASE}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _drop_postgres() -> None:
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with psycopg.connect(f"{POSTGRES_SERVER_URL}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(POSTGRES_DATABASE))
        )


def _load(base: Base) -> tuple[list[int], list[int], float]:
    """Insert the base as clients and contact persons (normalized as the services store them);
    returns the ids of the records and of the people, and the seconds it took."""
    from django.db import transaction

    from crm.accounts.models import Department, User
    from crm.clients.domain.normalize import comparable_name, searchable
    from crm.clients.models import Client, ClientContact, ContactPerson

    started = time.perf_counter()
    with transaction.atomic():
        department = Department.objects.create(name="Отдел продаж")
        owner = User.objects.create(username="bench", first_name="Бенч", department=department)
        clients = [
            Client(
                kind=record.kind,
                name=record.name,
                name_search=searchable(record.name),
                name_comparable=comparable_name(record.name),
                inn=record.inn,
                kpp=record.kpp,
                phone=_phone(record.phone),
                email=normalize_email(record.email),
                owner=owner,
                department=department,
            )
            for record in base.records
        ]
        created = Client.objects.bulk_create(clients, batch_size=2000)
        client_ids = [client.pk for client in created]
        if None in client_ids:  # pragma: no cover - both databases return ids
            client_ids = list(Client.objects.order_by("id").values_list("id", flat=True))
        contacts = ContactPerson.objects.bulk_create(
            [
                ContactPerson(
                    last_name=person.last_name,
                    first_name=person.first_name,
                    middle_name=person.middle_name,
                    mobile_phone=_phone(person.phone),
                    email=normalize_email(person.email),
                )
                for person in base.people
            ],
            batch_size=2000,
        )
        contact_ids = [contact.pk for contact in contacts]
        ClientContact.objects.bulk_create(
            [
                ClientContact(client_id=client_ids[person.client], contact_id=contact_ids[index])
                for index, person in enumerate(base.people)
            ],
            batch_size=2000,
        )
    return client_ids, contact_ids, time.perf_counter() - started


def database_pass(base: Base, db: str) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="svod-dedup-"))
    try:
        started = time.perf_counter()
        _setup_django(db, directory)
        print(f"Database pass ({db}): migrated in {time.perf_counter() - started:.1f} s")
        client_ids, contact_ids, seconds = _load(base)
        if db == "postgres":  # as autovacuum soon would after a bulk load (bench/README.md)
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"  loaded {len(client_ids)} clients, {len(contact_ids)} contacts in {seconds:.1f} s")

        from crm.accounts.models import User
        from crm.clients.models import ClientDuplicate, ContactDuplicate
        from crm.clients.services.duplicates import DUPLICATE_SCAN_JOB, duplicate_scan_start
        from crm.core.jobs import run_pending
        from crm.core.models import Job

        duplicate_scan_start(by=User.objects.get(username="bench"))
        started, cpu_started = time.perf_counter(), time.process_time()
        run_pending(worker_id="bench")
        job_seconds, job_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        job = Job.objects.filter(kind=DUPLICATE_SCAN_JOB).latest("created_at")
        print(f"  job {job.status} in {job_seconds:.1f} s: {job.result}")
        record_of = {pk: index for index, pk in enumerate(client_ids)}
        person_of = {pk: index for index, pk in enumerate(contact_ids)}
        client_quality = quality(
            (
                (record_of[first], record_of[second])
                for first, second in ClientDuplicate.objects.values_list("first_id", "second_id")
            ),
            base.true_pairs(base.cluster),
        )
        contact_quality = quality(
            (
                (person_of[first], person_of[second])
                for first, second in ContactDuplicate.objects.values_list("first_id", "second_id")
            ),
            base.true_pairs(base.person_cluster),
        )
        print(_line("  clients (ClientDuplicate rows)", client_quality, job_seconds, job_cpu))
        print(_line("  contacts (ContactDuplicate rows)", contact_quality))
        return {"seconds": job_seconds, "clients": client_quality, "contacts": contact_quality}
    finally:
        if db == "postgres":
            _drop_postgres()
        for path in directory.glob("*"):
            path.unlink()
        directory.rmdir()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dedup", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", choices=["sqlite", "postgres", "none"], default="sqlite")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    base = generate(args.clients, args.seed)
    truth = base.true_pairs(base.cluster)
    print(
        f"Generated {len(base.records)} clients ({len(truth)} seeded duplicate pairs), "
        f"{len(base.people)} contact persons "
        f"({len(base.true_pairs(base.person_cluster))} seeded pairs) "
        f"in {time.perf_counter() - started:.1f} s; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1) * 0.75:
        print(
            "  (the machine is busy: wall-clock seconds are longer than on an idle one; "
            "CPU seconds are this process's own)"
        )
    pure_pass(base)
    if args.db != "none":
        database_pass(base, args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Demo data: realistic Russian companies with valid requisites, their contacts and bank
accounts, two sales departments with managers, a head of sales each, an accountant and an
administrator. Reproducible (a fixed random seed); large sizes use bulk inserts for benchmarks.

Later capabilities add their objects here (activities, deals, contracts, payments…)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker

from crm.accounts.models import Department, User
from crm.accounts.roles import ROLE_LABELS, Role
from crm.activities.models import Activity
from crm.clients.domain.normalize import comparable_name, searchable
from crm.clients.domain.requisites import (
    account_control_key,
    inn_control_digits,
    ogrn_control_digit,
)
from crm.clients.models import (
    BankAccount,
    Client,
    ClientContact,
    ClientKind,
    ClientSize,
    ContactPerson,
    Industry,
    LeadSource,
    Tag,
)
from crm.clients.services.completeness import completeness_recompute_all
from crm.demo.activities import seed_activities
from crm.demo.sales import seed_sales
from crm.demo.timestamps import keeping_timestamps

DEMO_PASSWORD = "svod-demo"  # noqa: S105  (demo logins are printed on purpose)
SCALES = {"small": 60, "large": 100_000}

INDUSTRIES = [
    "Оптовая торговля",
    "Розничная торговля",
    "Строительство",
    "Производство",
    "Информационные технологии",
    "Логистика",
    "Общественное питание",
    "Медицина",
    "Образование",
    "Сельское хозяйство",
]
TAGS = ["VIP", "Ключевой", "Госзаказчик", "Новый", "Дилер"]
REGIONS = [  # (code in ИНН, region, phone code, city as an address writes it, postcode prefix)
    ("77", "Москва", "495", "г. Москва", "1"),
    ("78", "Санкт-Петербург", "812", "г. Санкт-Петербург", "19"),
    ("50", "Московская область", "496", "Московская обл., г. Подольск", "142"),
    ("66", "Свердловская область", "343", "г. Екатеринбург", "620"),
    ("16", "Республика Татарстан", "843", "г. Казань", "420"),
    ("54", "Новосибирская область", "383", "г. Новосибирск", "630"),
    ("23", "Краснодарский край", "861", "г. Краснодар", "350"),
    ("52", "Нижегородская область", "831", "г. Нижний Новгород", "603"),
]
NAME_ROOTS = [
    "Ромашка",
    "ТехноСнаб",
    "СтройМастер",
    "Вектор",
    "Альфа-Трейд",
    "Северный ветер",
    "Гарант",
    "Меридиан",
    "Профиль",
    "Агроресурс",
    "Кристалл",
    "Энергия",
    "Формула",
    "Импульс",
    "Радуга",
    "Слава",
    "Партнёр",
    "Аврора",
    "Монолит",
    "Прогресс",
    "Восток-Сервис",
    "Лидер",
    "Орион",
    "Стандарт",
    "Технопарк",
    "Горизонт",
    "Магистраль",
    "Уралснаб",
    "Волга-Логистик",
    "Сибирь",
    "Престиж",
    "Атлант",
    "Интеграл",
    "Бизнес-Решения",
    "Технологии роста",
    "Мегаполис",
    "Феникс",
    "Квадрат",
    "Эталон",
    "Тандем",
]
NAME_SUFFIXES = ["", " Плюс", " Групп", " М", " Трейд", " Сервис", " Урал", " Центр", " Про"]
LEGAL_FORMS = [("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество")]
BANKS = [
    ("044525225", "ПАО Сбербанк", "30101810400000000225"),
    ("044525974", "АО «Тинькофф Банк»", "30101810145250000974"),
    ("044525593", "АО «Альфа-Банк»", "30101810200000000593"),
    ("044030653", "Северо-Западный банк ПАО Сбербанк", "30101810500000000653"),
    ("046577674", "Уральский банк ПАО Сбербанк", "30101810500000000674"),
]
POSITIONS = [
    "Генеральный директор",
    "Коммерческий директор",
    "Менеджер по закупкам",
    "Главный бухгалтер",
    "Руководитель отдела снабжения",
    "Офис-менеджер",
    "Инженер",
    "Директор по развитию",
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    middle_name: str
    role: Role
    department: str | None
    position: str


DEPARTMENTS = ["Отдел продаж «Москва»", "Отдел продаж «Регионы»"]
USERS = [
    DemoUser(
        "admin",
        "Смирнов",
        "Алексей",
        "Викторович",
        Role.ADMINISTRATOR,
        None,
        "Системный администратор",
    ),
    DemoUser(
        "rop",
        "Орлова",
        "Марина",
        "Сергеевна",
        Role.HEAD_OF_SALES,
        DEPARTMENTS[0],
        "Руководитель отдела продаж",
    ),
    DemoUser(
        "rop2",
        "Волков",
        "Дмитрий",
        "Андреевич",
        Role.HEAD_OF_SALES,
        DEPARTMENTS[1],
        "Руководитель отдела продаж",
    ),
    DemoUser(
        "ivanova",
        "Иванова",
        "Анна",
        "Павловна",
        Role.MANAGER,
        DEPARTMENTS[0],
        "Менеджер по продажам",
    ),
    DemoUser(
        "petrov",
        "Петров",
        "Игорь",
        "Олегович",
        Role.MANAGER,
        DEPARTMENTS[0],
        "Менеджер по продажам",
    ),
    DemoUser(
        "sidorova",
        "Сидорова",
        "Елена",
        "Ивановна",
        Role.MANAGER,
        DEPARTMENTS[1],
        "Менеджер по продажам",
    ),
    DemoUser(
        "kuznetsov",
        "Кузнецов",
        "Павел",
        "Романович",
        Role.MANAGER,
        DEPARTMENTS[1],
        "Менеджер по продажам",
    ),
    DemoUser("buh", "Лебедева", "Ольга", "Николаевна", Role.ACCOUNTANT, None, "Главный бухгалтер"),
]
PRINTED_LOGINS = ["admin", "rop", "ivanova", "buh"]


def demo_logins() -> list[tuple[str, str]]:
    """One login per role, as `make run` prints them."""
    by_name = {user.username: user for user in USERS}
    return [(name, str(ROLE_LABELS[by_name[name].role])) for name in PRINTED_LOGINS]


def resolve_scale(scale: str) -> int:
    if scale in SCALES:
        return SCALES[scale]
    if scale.isdigit() and int(scale) > 0:
        return int(scale)
    raise ValueError(f"Размер «{scale}» не понят: small, large или число клиентов")


class Generator:
    """Valid requisites from a seeded random source, so every run builds the same base."""

    def __init__(self, seed: int = 2026) -> None:
        self.random = random.Random(seed)
        self.faker = Faker("ru_RU")
        self.faker.seed_instance(seed)
        self.used_inn: set[str] = set()

    def digits(self, count: int) -> str:
        return "".join(self.random.choice("0123456789") for _ in range(count))

    def company_inn(self, region: str) -> str:
        while True:
            prefix = region + f"{self.random.randint(1, 51):02d}" + self.digits(5)
            inn = prefix + inn_control_digits(prefix)
            if inn not in self.used_inn:
                self.used_inn.add(inn)
                return inn

    def person_inn(self, region: str) -> str:
        while True:
            prefix = region + f"{self.random.randint(1, 51):02d}" + self.digits(6)
            inn = prefix + inn_control_digits(prefix)
            if inn not in self.used_inn:
                self.used_inn.add(inn)
                return inn

    def ogrn(self, region: str) -> str:
        prefix = "1" + f"{self.random.randint(2, 24):02d}" + region + self.digits(7)
        return prefix + ogrn_control_digit(prefix)

    def ogrnip(self, region: str) -> str:
        prefix = "3" + f"{self.random.randint(4, 24):02d}" + region + self.digits(9)
        return prefix + ogrn_control_digit(prefix)

    def landline(self, code: str) -> str:
        return f"+7{code}{self.random.randint(2000000, 9999999)}"

    def mobile(self) -> str:
        return (
            f"+79{self.random.choice(['03', '05', '10', '15', '16', '26', '31', '85', '99'])}"
            + (f"{self.random.randint(0, 9999999):07d}")
        )

    def bank_account(self) -> tuple[str, str, str, str]:
        bik, bank, corr = self.random.choice(BANKS)
        raw = "40702810" + "0" + self.digits(11)
        account = raw[:8] + account_control_key(bik, raw) + raw[9:]
        return bik, bank, account, corr


def _create_users() -> dict[str, User]:
    departments = {name: Department.objects.get_or_create(name=name)[0] for name in DEPARTMENTS}
    groups = {group.name: group for group in Group.objects.all()}
    users: dict[str, User] = {}
    for spec in USERS:
        user, _ = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "last_name": spec.last_name,
                "first_name": spec.first_name,
                "middle_name": spec.middle_name,
                "email": f"{spec.username}@svod-demo.ru",
                "position": spec.position,
                "department": departments.get(spec.department or ""),
                "is_staff": spec.role == Role.ADMINISTRATOR,
                "is_superuser": spec.role == Role.ADMINISTRATOR,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(groups[spec.role.value])
        users[spec.username] = user
    for spec in USERS:
        if spec.role == Role.HEAD_OF_SALES and spec.department:
            Department.objects.filter(name=spec.department).update(head=users[spec.username])
    return users


CLIENTS_PER_MANAGER = 500  # a large demo gets a sales force of a believable size


def _extra_managers(count: int, generator: Generator) -> list[User]:
    """Managers beyond the named four, so that each has about 500 clients: a base of 100 000
    clients with four managers would give each 250 000 activities a year — no calendar or
    work list of a real person looks like that. Inserted in bulk with one password hash."""
    wanted = count // CLIENTS_PER_MANAGER - 4
    if wanted <= 0:
        return []
    names = random.Random(generator.random.random())
    faker = Faker("ru_RU")
    faker.seed_instance(names.randint(0, 10**6))
    departments = list(Department.objects.filter(name__in=DEPARTMENTS).order_by("name"))
    password = make_password(DEMO_PASSWORD)
    users = []
    for index in range(wanted):
        female = names.random() < 0.5
        users.append(
            User(
                username=f"manager{index + 1:03d}",
                last_name=faker.last_name_female() if female else faker.last_name_male(),
                first_name=faker.first_name_female() if female else faker.first_name_male(),
                middle_name=faker.middle_name_female() if female else faker.middle_name_male(),
                email=f"manager{index + 1:03d}@svod-demo.ru",
                position="Менеджер по продажам",
                department=departments[index % len(departments)],
                password=password,
            )
        )
    created = User.objects.bulk_create(users, batch_size=500)
    if created and created[0].pk is None:  # backends without RETURNING ids
        created = list(User.objects.filter(username__startswith="manager").order_by("username"))
    group = Group.objects.get(name=Role.MANAGER.value)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in created]
    )
    return list(created)


def _catalogs() -> tuple[list[LeadSource], list[Industry], list[Tag]]:
    sources = list(LeadSource.objects.filter(is_active=True))  # defaults come from migration
    industries = [Industry.objects.get_or_create(name=name)[0] for name in INDUSTRIES]
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    return sources, industries, tags


def _client_rows(
    generator: Generator,
    count: int,
    managers: list[User],
    sources: list[LeadSource],
    industries: list[Industry],
) -> Iterator[Client]:
    rnd = generator.random
    now = timezone.now()
    for index in range(count):
        region_code, region, phone_code, city, postcode = rnd.choice(REGIONS)
        address = (
            f"{postcode}{generator.digits(6 - len(postcode))}, {city}, "
            f"{generator.faker.street_name()}, д. {rnd.randint(1, 120)}"
        )
        manager = managers[index % len(managers)]
        roll = rnd.random()
        created = now - dt.timedelta(days=rnd.randint(0, 720), minutes=rnd.randint(0, 1440))
        common = {
            "region": region,
            "owner": manager,
            "department": manager.department,
            "source": rnd.choice(sources) if rnd.random() > 0.12 else None,
            "industry": rnd.choice(industries) if rnd.random() > 0.15 else None,
            "created_at": created,
            "updated_at": created,
        }
        if roll < 0.74:
            form, form_full = rnd.choice(LEGAL_FORMS)
            root = rnd.choice(NAME_ROOTS) + rnd.choice(NAME_SUFFIXES)
            if count > len(NAME_ROOTS) * len(NAME_SUFFIXES):
                root = f"{root} {index // 40 + 1}" if index >= 40 else root
            inn = generator.company_inn(region_code)
            yield Client(
                kind=ClientKind.COMPANY,
                name=f"{form} «{root}»",
                full_name=f"{form_full} «{root}»",
                inn=inn if rnd.random() > 0.08 else "",
                kpp=f"{inn[:4]}01001",
                ogrn=generator.ogrn(region_code),
                legal_address=address,
                actual_address=address if rnd.random() > 0.3 else "",
                phone=generator.landline(phone_code) if rnd.random() > 0.1 else "",
                email=f"info@{generator.faker.domain_word()}{index}.ru"
                if rnd.random() > 0.2
                else "",
                website=f"https://{generator.faker.domain_word()}{index}.ru"
                if rnd.random() > 0.5
                else "",
                size=rnd.choice(ClientSize.values),
                **common,
            )
        elif roll < 0.9:
            last, first, middle = (
                generator.faker.last_name_male(),
                generator.faker.first_name_male(),
                generator.faker.middle_name_male(),
            )
            yield Client(
                kind=ClientKind.ENTREPRENEUR,
                name=f"ИП {last} {first[0]}. {middle[0]}.",
                full_name=f"Индивидуальный предприниматель {last} {first} {middle}",
                inn=generator.person_inn(region_code),
                ogrn=generator.ogrnip(region_code),
                legal_address=address,
                phone=generator.mobile(),
                size=ClientSize.MICRO,
                **common,
            )
        else:
            last, first, middle = (
                generator.faker.last_name_female(),
                generator.faker.first_name_female(),
                generator.faker.middle_name_female(),
            )
            yield Client(
                kind=ClientKind.PERSON,
                name=f"{last} {first} {middle}",
                phone=generator.mobile(),
                email=f"{generator.faker.user_name()}{index}@mail.ru" if rnd.random() > 0.4 else "",
                **common,
            )


@transaction.atomic
def seed(scale: str = "small", *, seed_value: int = 2026, batch_size: int = 2000) -> dict[str, int]:
    """Fill an empty database; returns counts of what was created."""
    count = resolve_scale(scale)
    generator = Generator(seed_value)
    users = _create_users()
    managers = [u for u in users.values() if u.role == Role.MANAGER]
    managers += _extra_managers(count, generator)
    sources, industries, tags = _catalogs()
    batch: list[Client] = []
    created = 0
    for client in _client_rows(generator, count, managers, sources, industries):
        batch.append(client)
        if len(batch) >= batch_size:
            created += _insert_clients(batch, generator, tags)
            batch = []
    if batch:
        created += _insert_clients(batch, generator, tags)
    duplicates = _add_duplicates(generator) if count <= 10_000 else 0
    completeness_recompute_all()  # real scores for every card, in bulk
    activity_counts = seed_activities(managers=managers, seed_value=seed_value)
    sales_counts = seed_sales(managers=managers, seed_value=seed_value)
    # The sales add the e-mails that carried their proposals.
    activity_counts["activities"] = Activity.objects.count()
    return {
        "users": User.objects.count(),
        "clients": created + duplicates,
        "contacts": ContactPerson.objects.count(),
        "bank_accounts": BankAccount.objects.count(),
        **activity_counts,
        **sales_counts,
    }


def _insert_clients(batch: list[Client], generator: Generator, tags: list[Tag]) -> int:
    rnd = generator.random
    for client in batch:
        client.name_search = searchable(client.name)
        client.name_comparable = comparable_name(client.name)
    with keeping_timestamps(Client):
        clients = Client.objects.bulk_create(batch, batch_size=len(batch))
    if clients and clients[0].pk is None:  # backends without RETURNING ids
        clients = list(Client.objects.order_by("-id")[: len(batch)])[::-1]
    contacts: list[ContactPerson] = []
    owners: list[Client] = []
    accounts: list[BankAccount] = []
    tag_links = []
    for client in clients:
        if client.kind != ClientKind.PERSON:
            for _ in range(rnd.choice([0, 1, 1, 2, 3])):
                female = rnd.random() < 0.5
                faker = generator.faker
                contacts.append(
                    ContactPerson(
                        last_name=faker.last_name_female() if female else faker.last_name_male(),
                        first_name=faker.first_name_female() if female else faker.first_name_male(),
                        middle_name=faker.middle_name_female()
                        if female
                        else faker.middle_name_male(),
                        mobile_phone=generator.mobile() if rnd.random() > 0.2 else "",
                        email=f"{faker.user_name()}{client.pk}@{faker.free_email_domain()}"
                        if rnd.random() > 0.35
                        else "",
                    )
                )
                owners.append(client)
            if client.kind == ClientKind.COMPANY and rnd.random() > 0.3:
                bik, bank, account, corr = generator.bank_account()
                accounts.append(
                    BankAccount(
                        client=client,
                        bik=bik,
                        bank_name=bank,
                        account=account,
                        correspondent_account=corr,
                        is_main=True,
                    )
                )
        if rnd.random() < 0.15:
            tag_links.append(Client.tags.through(client_id=client.pk, tag_id=rnd.choice(tags).pk))
    created_contacts = ContactPerson.objects.bulk_create(contacts, batch_size=2000)
    if created_contacts and created_contacts[0].pk is None:
        created_contacts = list(ContactPerson.objects.order_by("-id")[: len(contacts)])[::-1]
    links = []
    seen_main: set[int] = set()
    for contact, client in zip(created_contacts, owners, strict=True):
        is_main = client.pk not in seen_main
        seen_main.add(client.pk)
        links.append(
            ClientContact(
                client=client,
                contact=contact,
                position=rnd.choice(POSITIONS),
                is_main=is_main,
                is_decision_maker=is_main and rnd.random() > 0.3,
            )
        )
    ClientContact.objects.bulk_create(links, batch_size=2000)
    BankAccount.objects.bulk_create(accounts, batch_size=2000)
    Client.tags.through.objects.bulk_create(tag_links, batch_size=2000)
    return len(clients)


def _duplicate_names(name: str) -> list[str]:
    """Ways people retype a company's name: the legal form moved to the end, other quotes, a
    typo (two letters swapped) in lower case."""
    form, _, rest = name.partition(" ")
    root = rest.strip("«»")
    typo = root[:2] + root[3] + root[2] + root[4:] if len(root) > 4 else root
    return [f"{root} {form}", f'{form} "{root}"', f"{form.lower()} «{typo.lower()}»"]


def _add_duplicates(generator: Generator) -> int:
    """A few copies of existing companies, as a real base has them: another spelling of the
    name, the phone written again, the same ИНН typed in once more."""
    originals = list(Client.objects.filter(kind=ClientKind.COMPANY).exclude(inn="")[:3])
    copies = [
        Client(
            kind=ClientKind.COMPANY,
            name=_duplicate_names(original.name)[index],
            inn=original.inn if index != 2 else "",
            kpp=original.kpp if index != 2 else "",
            phone=original.phone,
            region=original.region,
            owner=original.owner,
            department=original.department,
            comment="Заведён повторно при входящем звонке",
        )
        for index, original in enumerate(originals)
    ]
    for copy in copies:
        copy.name_search = searchable(copy.name)
        copy.name_comparable = comparable_name(copy.name)
    Client.objects.bulk_create(copies)
    return len(copies)

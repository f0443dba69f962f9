"""Demo sales: our organization, a catalog of goods and services, and about one deal per client
spread over the last year through the «Продажа» pipeline — with believable stage histories
(most move forward, some skip the optional stages, some get lost with a reason, some are stuck
past their stage's limit), lines of interest, and issued proposals for deals that reached
"КП отправлено". The large demo (100 000 clients) holds about 100 000 deals and 500 000 stage
changes. Inserted in bulk, no query per row."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from crm.accounts.models import User
from crm.activities.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    ActivityStatus,
    Direction,
)
from crm.clients.domain.requisites import (
    account_control_key,
    inn_control_digits,
    ogrn_control_digit,
)
from crm.clients.models import Client, ClientContact
from crm.core.domain.money import round_money
from crm.core.domain.vat import LineInput, compute_document, rate_for
from crm.core.domain.workdays import WorkCalendar
from crm.core.models import NumberSequence
from crm.core.workdays import work_calendar
from crm.demo.timestamps import keeping_timestamps
from crm.sales.models import (
    Deal,
    DealActivity,
    DealLine,
    DealStageChange,
    DealStatus,
    LostReason,
    Organization,
    OrganizationBankAccount,
    Pipeline,
    Product,
    ProductGroup,
    ProductKind,
    Proposal,
    ProposalLine,
    ProposalStatus,
    Stage,
    StageKind,
    Unit,
    VatKind,
)
from crm.sales.requisites import buyer_requisites, organization_requisites
from crm.sales.services.proposals import NUMBER_KIND, VALIDITY_DAYS, format_number

CLIENT_CHUNK = 2000
HISTORY_DAYS = 365
PROPOSAL_LIMIT_FULL = 20_000  # above this many deals, proposals for every fifth eligible deal

CATALOG = [
    # group, name, kind, okei, price, article
    ("Кондиционеры", "Сплит-система Daichi DA25 (до 25 м²)", "goods", "796", "38900.00", "DA25"),
    ("Кондиционеры", "Сплит-система Daichi DA35 (до 35 м²)", "goods", "796", "46500.00", "DA35"),
    ("Кондиционеры", "Мульти-сплит Haier 2U50 на 2 комнаты", "goods", "796", "112000.00", "2U50"),
    ("Кондиционеры", "Кассетный кондиционер Ballu BLC 18", "goods", "796", "98700.00", "BLC18"),
    ("Вентиляция", "Приточная установка Breezart 550", "goods", "796", "154000.00", "BZ550"),
    ("Вентиляция", "Воздуховод оцинкованный 160 мм", "goods", "006", "640.00", "VD160"),
    ("Вентиляция", "Решётка вентиляционная 200×200", "goods", "796", "420.00", "RV200"),
    ("Вентиляция", "Рекуператор Blauberg Komfort 350", "goods", "796", "187500.00", "BK350"),
    ("Расходные материалы", "Фреон R410A, баллон 11,3 кг", "goods", "796", "9800.00", "R410"),
    ("Расходные материалы", 'Медная труба 1/4" отожжённая', "goods", "006", "380.00", "CU14"),
    ("Расходные материалы", "Теплоизоляция K-Flex 9 мм", "goods", "006", "95.00", "KF9"),
    ("Расходные материалы", "Кронштейн для наружного блока", "goods", "715", "1450.00", "KR01"),
    ("Монтаж", "Монтаж сплит-системы до 3,5 кВт", "service", "796", "14500.00", "M35"),
    ("Монтаж", "Монтаж сплит-системы до 7 кВт", "service", "796", "19800.00", "M70"),
    ("Монтаж", "Прокладка трассы сверх 5 м", "service", "006", "1600.00", "TR5"),
    ("Монтаж", "Монтаж приточной установки", "service", "796", "42000.00", "MPU"),
    ("Сервис", "Сервисное обслуживание кондиционера", "service", "796", "4500.00", "SO1"),
    ("Сервис", "Заправка фреоном", "service", "796", "3900.00", "ZF1"),
    ("Сервис", "Годовой договор обслуживания вентиляции", "service", "362", "18000.00", "GO12"),
    ("Сервис", "Выезд инженера на объект", "service", "356", "3500.00", "VI1"),
    ("Проектирование", "Проект системы вентиляции", "service", "796", "65000.00", "PV1"),
    ("Проектирование", "Замеры и техническое обследование", "service", "796", "7500.00", "ZO1"),
]

DEAL_TITLES = [
    "Кондиционирование офиса",
    "Вентиляция склада",
    "Замена кондиционеров в торговом зале",
    "Сервисное обслуживание на год",
    "Поставка расходных материалов",
    "Проект вентиляции нового цеха",
    "Кондиционеры для серверной",
    "Монтаж приточной установки",
    "Климат в переговорных",
    "Дооснащение филиала",
]
WISHES = [
    "Нужно до начала лета, монтаж в выходные.",
    "Просят рассрочку платежа 50/50.",
    "Сравнивают с двумя другими поставщиками, важна цена.",
    "Требуется тихая модель для переговорной.",
    "Хотят сразу счёт, без предложения.",
    "Интересует обслуживание на год вперёд.",
    "",
]
LOST_COMMENTS = ["", "Ушли к конкуренту со скидкой 10 %.", "Бюджет перенесли на следующий год."]


@dataclass
class DealPlan:
    deal: Deal
    changes: list[DealStageChange] = field(default_factory=list)
    lines: list[DealLine] = field(default_factory=list)
    proposal_at: dt.datetime | None = None


def seed_sales(
    *, managers: list[User], seed_value: int = 2026, now: dt.datetime | None = None
) -> dict[str, int]:
    """Sales for every client in the base (run inside the seed's transaction)."""
    now = now or timezone.now()
    rnd = random.Random(seed_value * 11 + 5)  # noqa: S311 - demo data
    organization = _organization()
    products = _catalog()
    pipeline = Pipeline.objects.get(code="sale")
    stages = list(pipeline.stages.order_by("order"))
    reasons = list(LostReason.objects.all())
    zone = timezone.get_default_timezone()
    calendar = work_calendar()
    contacts = dict(
        ClientContact.objects.filter(is_main=True).values_list("client_id", "contact_id")
    )
    sequence = (
        NumberSequence.objects.filter(kind="deal", organization_id=0, year=0)
        .values_list("last_number", flat=True)
        .first()
        or 0
    )
    totals = {"deals": 0, "stage_changes": 0, "proposals": 0}
    eligible_proposals = 0
    for chunk in _clients(CLIENT_CHUNK):
        plans: list[DealPlan] = []
        for client in chunk:
            for _ in range(_deals_for(rnd)):
                sequence += 1
                plans.append(
                    _plan_deal(
                        rnd,
                        client,
                        contacts.get(client.pk),
                        sequence,
                        pipeline,
                        stages,
                        reasons,
                        products,
                        now,
                        zone,
                        calendar,
                    )
                )
        with keeping_timestamps(Deal):
            Deal.objects.bulk_create([plan.deal for plan in plans], batch_size=2000)
        if plans and plans[0].deal.pk is None:  # backends without RETURNING ids
            saved = dict(
                Deal.objects.filter(number__in=[p.deal.number for p in plans]).values_list(
                    "number", "pk"
                )
            )
            for plan in plans:
                plan.deal.pk = saved[plan.deal.number]
        changes: list[DealStageChange] = []
        lines: list[DealLine] = []
        for plan in plans:
            for change in plan.changes:
                change.deal_id = plan.deal.pk
                changes.append(change)
            for line in plan.lines:
                line.deal_id = plan.deal.pk
                lines.append(line)
        DealStageChange.objects.bulk_create(changes, batch_size=5000)
        DealLine.objects.bulk_create(lines, batch_size=5000)
        with_proposal = [plan for plan in plans if plan.proposal_at is not None]
        eligible_proposals += len(with_proposal)
        if sequence > PROPOSAL_LIMIT_FULL:
            with_proposal = with_proposal[::5]
        totals["proposals"] += _proposals(
            with_proposal, organization, products, with_emails=sequence <= PROPOSAL_LIMIT_FULL
        )
        totals["deals"] += len(plans)
        totals["stage_changes"] += len(changes)
    NumberSequence.objects.update_or_create(
        kind="deal", organization_id=0, year=0, defaults={"last_number": sequence}
    )
    return totals


@dataclass(frozen=True)
class ClientRow:
    pk: int
    owner_id: int
    department_id: int | None
    source_id: int | None


def _clients(chunk: int) -> Iterator[list[ClientRow]]:
    rows = Client.objects.order_by("pk").values_list("pk", "owner_id", "department_id", "source_id")
    batch: list[ClientRow] = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(ClientRow(*row))
        if len(batch) >= chunk:
            yield batch
            batch = []
    if batch:
        yield batch


def _deals_for(rnd: random.Random) -> int:
    roll = rnd.random()
    return 0 if roll < 0.25 else 1 if roll < 0.8 else 2


def _plan_deal(
    rnd: random.Random,
    client: ClientRow,
    contact_id: int | None,
    sequence: int,
    pipeline: Pipeline,
    stages: list[Stage],
    reasons: list[LostReason],
    products: list[Product],
    now: dt.datetime,
    zone: dt.tzinfo,
    calendar: WorkCalendar,
) -> DealPlan:
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    # More than half of the deals are from the last month, so every stage has open ones.
    age = rnd.randint(0, 30) if rnd.random() < 0.55 else rnd.randint(31, HISTORY_DAYS)
    created = now - dt.timedelta(days=age, hours=rnd.randint(0, 8), minutes=rnd.randint(0, 59))
    local = created.astimezone(zone)
    if local.hour < 9 or local.hour > 18:
        created = created.replace(hour=7 + rnd.randint(0, 8))  # within office hours, UTC+3
    chosen = rnd.sample(products, rnd.randint(1, 3))
    lines = []
    amount = Decimal("0")
    for order, product in enumerate(chosen):
        quantity = (
            Decimal(rnd.choice((1, 1, 2, 3, 4, 5, 10)))
            if product.unit.okei_code != "006"
            else Decimal(rnd.randint(5, 60))
        )
        lines.append(
            DealLine(
                product_id=product.pk,
                name=product.name,
                quantity=quantity,
                unit_name=product.unit.name,
                price=product.price,
                order=order,
            )
        )
        amount += quantity * product.price
    first_step = "invoice" if rnd.random() < 0.2 else "proposal"
    deal = Deal(
        number=f"С-{sequence:05d}",
        title=rnd.choice(DEAL_TITLES),
        client_id=client.pk,
        contact_id=contact_id,
        pipeline_id=pipeline.pk,
        stage_id=open_stages[0].pk,
        amount=round_money(amount),
        expected_close_date=(created + dt.timedelta(days=rnd.randint(10, 60))).date(),
        source_id=client.source_id,
        manager_id=client.owner_id,
        department_id=client.department_id,
        description=rnd.choice(WISHES),
        first_step=first_step,
        stage_entered_at=created,
        created_by_id=client.owner_id,
    )
    deal.created_at = deal.updated_at = created
    plan = DealPlan(deal=deal, lines=lines)
    plan.changes.append(
        DealStageChange(
            from_stage_id=None,
            to_stage_id=open_stages[0].pk,
            changed_at=created,
            changed_by_id=client.owner_id,
        )
    )
    current = open_stages[0]
    entered = created
    index = 0
    while True:
        # How long the deal stays at the current stage: often within the limit, sometimes
        # much longer (stuck), sometimes only minutes (a stage passed at once).
        limit = current.time_limit_days or 5
        roll = rnd.random()
        if roll < 0.12:
            stay = dt.timedelta(minutes=rnd.randint(2, 50))
        elif roll < 0.85:
            stay = dt.timedelta(days=rnd.uniform(0.5, limit * 1.6))
        else:
            stay = dt.timedelta(days=rnd.uniform(limit * 1.5, limit * 6))
        leave_at = entered + stay
        if leave_at >= now:
            break  # still here
        skipped: list[Stage] = []
        if rnd.random() < 0.07:
            target = lost
        else:
            target, skipped = _next_stage(rnd, open_stages, index, won, first_step)
        seconds = int((leave_at - entered).total_seconds())
        plan.changes.append(
            DealStageChange(
                from_stage_id=current.pk,
                to_stage_id=target.pk,
                changed_at=leave_at,
                changed_by_id=client.owner_id,
                seconds_in_stage=seconds,
                working_days_in_stage=calendar.between(
                    entered.astimezone(zone).date(), leave_at.astimezone(zone).date()
                ),
                skipped=[stage.name for stage in skipped],
            )
        )
        if target.code == "proposal_sent":
            plan.proposal_at = leave_at
        current, entered = target, leave_at
        if target.kind != StageKind.OPEN:
            deal.status = DealStatus.WON if target.kind == StageKind.WON else DealStatus.LOST
            deal.closed_at = leave_at
            if target.kind == StageKind.LOST:
                deal.lost_reason_id = rnd.choice(reasons).pk
                deal.lost_comment = rnd.choice(LOST_COMMENTS)
            break
        index = open_stages.index(target)
    deal.stage_id = current.pk
    deal.stage_entered_at = deal.updated_at = entered
    if deal.status == DealStatus.OPEN and current.time_limit_days:
        deal.stage_deadline = calendar.add(entered.astimezone(zone).date(), current.time_limit_days)
    return plan


def _next_stage(
    rnd: random.Random, open_stages: list[Stage], index: int, won: Stage, first_step: str
) -> tuple[Stage, list[Stage]]:
    """The next stage, passing over optional ones now and then (and always over the proposal
    stages when the client asked for an invoice at once)."""
    skipped: list[Stage] = []
    position = index + 1
    while position < len(open_stages):
        stage = open_stages[position]
        skip = stage.may_skip and (first_step == "invoice" or rnd.random() < 0.15)
        if not skip:
            return stage, skipped
        skipped.append(stage)
        position += 1
    return won, skipped


def _proposals(
    plans: list[DealPlan],
    organization: Organization,
    products: list[Product],
    *,
    with_emails: bool,
) -> int:
    """Sent proposals of the plans (buyer and seller copied as on issue), and — for a demo of
    a size a person browses — the e-mail that carried each, linked to its deal."""
    if not plans:
        return 0
    by_id = {product.pk: product for product in products}
    seller = organization_requisites(organization)
    clients = Client.objects.in_bulk({plan.deal.client_id for plan in plans})
    proposals: list[Proposal] = []
    all_lines: list[list[ProposalLine]] = []
    numbers: dict[int, int] = {}
    for year, last in NumberSequence.objects.filter(
        kind=NUMBER_KIND, organization_id=organization.pk
    ).values_list("year", "last_number"):
        numbers[year] = last
    for plan in plans:
        deal = plan.deal
        assert plan.proposal_at is not None
        date = (plan.proposal_at - dt.timedelta(minutes=30)).date()
        inputs = []
        lines: list[ProposalLine] = []
        for order, interest in enumerate(plan.lines):
            product = by_id[interest.product_id or 0]
            rate = rate_for(product.vat_kind, date)
            inputs.append(LineInput(interest.quantity, interest.price, Decimal("0"), rate))
            lines.append(
                ProposalLine(
                    order=order + 1,
                    product_id=product.pk,
                    name=interest.name,
                    unit_name=interest.unit_name,
                    okei_code=product.unit.okei_code,
                    quantity=interest.quantity,
                    price=interest.price,
                    vat_rate=rate.code,
                )
            )
        totals = compute_document(inputs, prices_include_vat=True)
        for proposal_line, amounts in zip(lines, totals.lines, strict=True):
            proposal_line.amount_without_vat = amounts.amount_without_vat
            proposal_line.vat_amount = amounts.vat_amount
            proposal_line.total = amounts.total
        numbers[date.year] = numbers.get(date.year, 0) + 1
        proposals.append(
            Proposal(
                deal_id=deal.pk,
                client_id=deal.client_id,
                organization_id=organization.pk,
                manager_id=deal.manager_id,
                department_id=deal.department_id,
                number=format_number(date.year, numbers[date.year]),
                date=date,
                valid_until=date + dt.timedelta(days=VALIDITY_DAYS),
                status=ProposalStatus.SENT,
                currency="RUB",
                amount_without_vat=totals.amount_without_vat,
                vat_amount=totals.vat_amount,
                total=totals.total,
                seller=seller,
                buyer=buyer_requisites(clients[deal.client_id]),
                issued_at=plan.proposal_at - dt.timedelta(minutes=30),
                issued_by_id=deal.manager_id,
                sent_at=plan.proposal_at,
                contact_id=deal.contact_id,
            )
        )
        all_lines.append(lines)
    for proposal in proposals:
        assert proposal.sent_at is not None
        proposal.created_at = proposal.updated_at = proposal.sent_at
    with keeping_timestamps(Proposal):
        Proposal.objects.bulk_create(proposals, batch_size=2000)
    if proposals[0].pk is None:
        saved = dict(
            Proposal.objects.filter(
                organization=organization, number__in=[p.number for p in proposals]
            ).values_list("number", "pk")
        )
        for proposal in proposals:
            proposal.pk = saved[proposal.number]
    rows: list[ProposalLine] = []
    for proposal, proposal_lines in zip(proposals, all_lines, strict=True):
        for proposal_line in proposal_lines:
            proposal_line.proposal_id = proposal.pk
            rows.append(proposal_line)
    ProposalLine.objects.bulk_create(rows, batch_size=5000)
    if with_emails:
        _sent_emails(proposals)
    for year, last in numbers.items():
        NumberSequence.objects.update_or_create(
            kind=NUMBER_KIND,
            organization_id=organization.pk,
            year=year,
            defaults={"last_number": last},
        )
    return len(proposals)


def _sent_emails(proposals: list[Proposal]) -> None:
    """The outgoing e-mail that carried each proposal, done, linked to the proposal's deal."""
    kind = ActivityKind.objects.get(code="email")
    outcome = ActivityOutcome.objects.filter(kind=kind, code="sent").first()
    sent = {proposal.pk: proposal.sent_at or timezone.now() for proposal in proposals}
    activities = [
        Activity(
            kind=kind,
            direction=Direction.OUTGOING,
            subject=f"Коммерческое предложение № {proposal.number}",
            description="Направляем коммерческое предложение. Предложение — во вложении (PDF).",
            start_at=sent[proposal.pk],
            status=ActivityStatus.DONE,
            done_at=sent[proposal.pk],
            outcome=outcome,
            result="Отправлено",
            client_id=proposal.client_id,
            contact_id=proposal.contact_id,
            responsible_id=proposal.manager_id,
            department_id=proposal.department_id,
            created_by_id=proposal.manager_id,
        )
        for proposal in proposals
    ]
    created = Activity.objects.bulk_create(activities, batch_size=2000)
    if created and created[0].pk is None:  # backends without RETURNING ids
        created = list(Activity.objects.order_by("-id")[: len(activities)])[::-1]
    DealActivity.objects.bulk_create(
        [
            DealActivity(activity_id=activity.pk, deal_id=proposal.deal_id)
            for activity, proposal in zip(created, proposals, strict=True)
        ],
        batch_size=2000,
    )


def _organization() -> Organization:
    inn_prefix = "772501234"
    inn = inn_prefix + inn_control_digits(inn_prefix)
    ogrn_prefix = "112774612345"
    ogrn = ogrn_prefix + ogrn_control_digit(ogrn_prefix)
    organization, _ = Organization.objects.get_or_create(
        inn=inn,
        defaults={
            "name": "ООО «Климат-Свод»",
            "full_name": "Общество с ограниченной ответственностью «Климат-Свод»",
            "kpp": "772501001",
            "ogrn": ogrn,
            "legal_address": "115280, г. Москва, ул. Ленинская Слобода, д. 19, офис 305",
            "postal_address": "115280, г. Москва, ул. Ленинская Слобода, д. 19, офис 305",
            "phone": "+74951234567",
            "email": "sales@klimat-svod.ru",
            "director": "Кузнецов Павел Андреевич",
            "director_position": "Генеральный директор",
            "chief_accountant": "Белова Ирина Николаевна",
            "is_vat_payer": True,
            "is_default": True,
        },
    )
    bik = "044525225"
    raw = "40702810" + "0" + "38000012345"
    account = raw[:8] + account_control_key(bik, raw) + raw[9:]
    OrganizationBankAccount.objects.get_or_create(
        organization=organization,
        account=account,
        defaults={
            "bik": bik,
            "bank_name": "ПАО Сбербанк",
            "correspondent_account": "30101810400000000225",
            "is_main": True,
        },
    )
    return organization


def _catalog() -> list[Product]:
    units = {unit.okei_code: unit for unit in Unit.objects.all()}
    groups: dict[str, ProductGroup] = {}
    products = []
    for group, name, kind, okei, price, article in CATALOG:
        if group not in groups:
            groups[group] = ProductGroup.objects.get_or_create(
                name=group, defaults={"order": (len(groups) + 1) * 10}
            )[0]
        product, _ = Product.objects.get_or_create(
            article=article,
            defaults={
                "name": name,
                "kind": ProductKind.SERVICE if kind == "service" else ProductKind.GOODS,
                "unit": units[okei],
                "price": Decimal(price),
                "vat_kind": VatKind.GENERAL,
                "group": groups[group],
            },
        )
        products.append(product)
    return products

"""Demo activities: a year of calls, meetings, letters, e-mails, requests, complaints, service
visits and tasks for every manager's clients — done ones with an outcome and a result, a few
overdue, planned ones for the coming two weeks with reminders. About ten per client, so the
large demo (100 000 clients) holds about 1 000 000 activities. Inserted in bulk: activities,
their reminders and co-executors in batches, no query per row."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from crm.accounts.models import User
from crm.activities.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    ActivityStatus,
    Direction,
    Reminder,
    ReminderStatus,
)
from crm.clients.models import Client, ClientContact

PER_CLIENT = (7, 13)  # activities per client, about ten on average
PAST_DAYS = 365
FUTURE_DAYS = 14
RECENT_OVERDUE_DAYS = 7  # planned ones left undone in the last week are the overdue ones
CLIENT_CHUNK = 2000

KIND_WEIGHTS = [
    ("call", 45),
    ("email", 18),
    ("meeting", 10),
    ("task", 9),
    ("request", 6),
    ("letter", 4),
    ("service_visit", 3),
    ("complaint", 3),
    ("other", 2),
]
SUBJECTS = {
    "call": [
        "Уточнить потребность на квартал",
        "Звонок по коммерческому предложению",
        "Напомнить об оплате счёта",
        "Обсудить условия поставки",
        "Согласовать дату отгрузки",
        "Знакомство: презентовать компанию",
        "Уточнить объём заказа на следующий месяц",
        "Узнать решение по КП",
        "Поздравить с подписанием договора",
    ],
    "meeting": [
        "Презентация продукции",
        "Переговоры по договору поставки",
        "Встреча с отделом закупок",
        "Обсуждение годового контракта",
        "Встреча на выставке",
    ],
    "letter": [
        "Отправить оригиналы документов",
        "Отправить акт сверки",
        "Отправить договор на подпись",
    ],
    "email": [
        "Отправить коммерческое предложение",
        "Прайс-лист на следующий квартал",
        "Ответ на запрос цены",
        "Выслать счёт на оплату",
        "Отправить спецификацию",
    ],
    "request": [
        "Вопрос по отгрузке",
        "Запрос закрывающих документов",
        "Изменение реквизитов",
        "Запрос сертификатов качества",
    ],
    "complaint": [
        "Недопоставка по накладной",
        "Претензия по качеству товара",
        "Задержка доставки",
    ],
    "service_visit": [
        "Пусконаладка оборудования",
        "Гарантийный ремонт",
        "Плановое обслуживание",
    ],
    "task": [
        "Подготовить коммерческое предложение",
        "Подготовить договор",
        "Проверить поступление оплаты",
        "Дозаполнить карточку клиента",
    ],
    "other": ["Поздравить с праздником", "Отправить подарок к юбилею компании"],
}
GOALS = {
    "call": ["Получить решение по КП", "Договориться о встрече", "Выяснить потребность", ""],
    "meeting": [
        "Подписать договор",
        "Согласовать спецификацию",
        "Получить заявку на пробную партию",
    ],
    "email": ["Получить ответ до конца недели", ""],
    "task": [""],
}
RESULTS = {
    "reached": [
        "Договорились о встрече на следующей неделе",
        "Клиент подтвердил заказ",
        "Обсудили условия, ждут обновлённое КП",
        "Оплату обещают до конца недели",
        "Потребность есть, готовят заявку",
    ],
    "not_reached": ["Не берут трубку", "Секретарь не соединила", "Телефон вне зоны доступа"],
    "call_back": ["Просили перезвонить после обеда", "Просили перезвонить в понедельник"],
    "held": [
        "Презентовали продукцию, интерес есть",
        "Согласовали спецификацию",
        "Договорились о пробной партии",
    ],
    "moved": ["Клиент попросил перенести встречу"],
    "cancelled_by_client": ["Клиент отменил встречу"],
    "sent": ["Отправлено, ждём ответа", "Отправлено почтой России, трек-номер в комментарии"],
    "answered": ["Клиент ответил, вопросы сняты", "Получили подписанный экземпляр"],
    "bounced": ["Письмо не доставлено, уточнить адрес"],
    "resolved": ["Вопрос решён по телефону", "Документы отправлены"],
    "passed_on": ["Передано в отдел логистики", "Передано бухгалтерии"],
    "satisfied": ["Претензия признана, сделана допоставка"],
    "rejected": ["Претензия отклонена: нарушены условия хранения"],
    "task:done": ["Сделано", "Подготовлено и отправлено клиенту"],
    "service_visit:done": ["Работы выполнены, акт подписан", "Оборудование запущено"],
    "repeat_needed": ["Нужна запчасть, назначен повторный выезд"],
    "": ["Сделано", "Поздравили, клиент благодарит"],
}
CANCEL_REASONS = ["Неактуально", "Клиент перенёс на следующий квартал", "Дублирует другое событие"]
DIRECTIONS = {
    "call": (Direction.OUTGOING, Direction.OUTGOING, Direction.INCOMING),
    "email": (Direction.OUTGOING, Direction.INCOMING),
    "letter": (Direction.OUTGOING, Direction.INCOMING),
    "request": (Direction.INCOMING,),
    "complaint": (Direction.INCOMING,),
}


@dataclass(frozen=True)
class ClientRow:
    pk: int
    name: str
    owner_id: int
    department_id: int | None
    contact_id: int | None


def _client_rows(chunk: int) -> Iterator[list[ClientRow]]:
    contacts = dict(
        ClientContact.objects.filter(is_main=True).values_list("client_id", "contact_id")
    )
    batch: list[ClientRow] = []
    rows = Client.objects.order_by("pk").values_list("pk", "name", "owner_id", "department_id")
    for pk, name, owner_id, department_id in rows.iterator(chunk_size=chunk):
        batch.append(ClientRow(pk, name, owner_id, department_id, contacts.get(pk)))
        if len(batch) >= chunk:
            yield batch
            batch = []
    if batch:
        yield batch


class ActivityGenerator:
    def __init__(self, seed_value: int, now: dt.datetime, managers: list[User]) -> None:
        self.random = random.Random(seed_value * 7 + 4)  # noqa: S311 - demo data
        self.now = now
        self.zone = timezone.get_default_timezone()
        self.kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
        self.code_of = {kind.pk: code for code, kind in self.kinds.items()}
        outcomes: dict[int, list[ActivityOutcome]] = {}
        for outcome in ActivityOutcome.objects.order_by("kind_id", "order"):
            outcomes.setdefault(outcome.kind_id, []).append(outcome)
        self.outcomes = outcomes
        codes = [code for code, _ in KIND_WEIGHTS if code in self.kinds]
        self.kind_codes = codes
        self.kind_weights = [weight for code, weight in KIND_WEIGHTS if code in self.kinds]
        self.colleagues: dict[int | None, list[int]] = {}
        for user in managers:
            self.colleagues.setdefault(user.department_id, []).append(user.pk)

    def working_time(self, day_offset: int) -> dt.datetime:
        rnd = self.random
        local_now = self.now.astimezone(self.zone)
        day = local_now.date() + dt.timedelta(days=day_offset)
        if day.weekday() == 5:
            day -= dt.timedelta(days=1)
        elif day.weekday() == 6:
            day += dt.timedelta(days=1)
        hour = rnd.choice((9, 10, 10, 11, 11, 12, 14, 14, 15, 15, 16, 17))
        minute = rnd.choice((0, 0, 15, 30, 30, 45))
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.zone)

    def activity(self, client: ClientRow, start: dt.datetime, *, planned: bool = False) -> Activity:
        rnd = self.random
        code = rnd.choices(self.kind_codes, self.kind_weights)[0]
        kind = self.kinds[code]
        minutes = kind.default_duration_minutes
        status = ActivityStatus.PLANNED
        if start < self.now and not planned:
            recent = start > self.now - dt.timedelta(days=RECENT_OVERDUE_DAYS)
            roll = rnd.random()
            if recent and roll < 0.3:
                status = ActivityStatus.PLANNED
            elif roll < 0.94:
                status = ActivityStatus.DONE
            else:
                status = ActivityStatus.CANCELLED
        activity = Activity(
            kind=kind,
            direction=rnd.choice(DIRECTIONS.get(code, (Direction.OUTGOING,)))
            if code not in ("task", "other")
            else Direction.NONE,
            subject=rnd.choice(SUBJECTS.get(code, SUBJECTS["other"])),
            goal=rnd.choice(GOALS.get(code, [""])),
            start_at=start,
            end_at=start + dt.timedelta(minutes=minutes),
            status=status,
            client_id=client.pk,
            contact_id=client.contact_id if rnd.random() < 0.8 else None,
            responsible_id=client.owner_id,
            department_id=client.department_id,
            created_by_id=client.owner_id,
        )
        if status == ActivityStatus.DONE:
            options = self.outcomes.get(kind.pk, [])
            outcome = None
            if options:
                successes = [o for o in options if o.is_success]
                pool = successes if successes and rnd.random() < 0.7 else options
                outcome = rnd.choice(pool)
            activity.outcome = outcome
            key = outcome.code if outcome else ""
            texts = RESULTS.get(f"{code}:{key}") or RESULTS.get(key) or RESULTS[""]
            activity.result = rnd.choice(texts)
            activity.duration_minutes = max(5, minutes + rnd.randint(-minutes // 2, minutes))
            activity.done_at = start + dt.timedelta(minutes=activity.duration_minutes)
        elif status == ActivityStatus.CANCELLED:
            activity.result = rnd.choice(CANCEL_REASONS)
        return activity

    def reminders(self, activity: Activity) -> list[Reminder]:
        """Reminders of a planned activity: calls 15 minutes before, meetings an hour and a
        day before; those whose time has passed are already sent."""
        if activity.status != ActivityStatus.PLANNED:
            return []
        code = self.code_of[activity.kind_id]
        offsets = [60, 1440] if code in ("meeting", "service_visit") else [15]
        if code in ("task", "other", "email", "letter") and self.random.random() < 0.5:
            return []
        rows = []
        for offset in offsets:
            remind_at = activity.start_at - dt.timedelta(minutes=offset)
            sent = remind_at <= self.now
            rows.append(
                Reminder(
                    activity_id=activity.pk,
                    user_id=activity.responsible_id,
                    remind_at=remind_at,
                    offset_minutes=offset,
                    status=ReminderStatus.SENT if sent else ReminderStatus.PENDING,
                    sent_at=remind_at if sent else None,
                    seen_at=remind_at + dt.timedelta(minutes=3) if sent else None,
                )
            )
        return rows

    def co_executor(self, activity: Activity) -> int | None:
        code = self.code_of[activity.kind_id]
        if code not in ("meeting", "service_visit") or self.random.random() > 0.04:
            return None
        others = [
            pk
            for pk in self.colleagues.get(activity.department_id, [])
            if pk != activity.responsible_id
        ]
        return self.random.choice(others) if others else None


def _insert(generator: ActivityGenerator, activities: list[Activity]) -> tuple[int, int]:
    created = Activity.objects.bulk_create(activities, batch_size=2000)
    if created and created[0].pk is None:  # backends without RETURNING ids
        created = list(Activity.objects.order_by("-id")[: len(activities)])[::-1]
    reminders: list[Reminder] = []
    helpers = []
    through = Activity.co_executors.through
    for activity in created:
        reminders.extend(generator.reminders(activity))
        helper = generator.co_executor(activity)
        if helper is not None:
            helpers.append(through(activity_id=activity.pk, user_id=helper))
    Reminder.objects.bulk_create(reminders, batch_size=2000)
    through.objects.bulk_create(helpers, batch_size=2000)
    return len(created), len(reminders)


def seed_activities(
    *, managers: list[User], seed_value: int = 2026, now: dt.datetime | None = None
) -> dict[str, int]:
    """Activities for every client in the base (run inside the seed's transaction)."""
    now = now or timezone.now()
    generator = ActivityGenerator(seed_value, now, managers)
    rnd = generator.random
    total = reminders = 0
    by_owner: dict[int, list[ClientRow]] = {}
    for chunk in _client_rows(CLIENT_CHUNK):
        batch: list[Activity] = []
        for client in chunk:
            if len(by_owner.setdefault(client.owner_id, [])) < 6:
                by_owner[client.owner_id].append(client)
            for _ in range(rnd.randint(*PER_CLIENT)):
                day = rnd.randint(-PAST_DAYS, FUTURE_DAYS)
                batch.append(generator.activity(client, generator.working_time(day)))
        made, reminded = _insert(generator, batch)
        total += made
        reminders += reminded
    # Every manager's lists are alive whatever the size: a few overdue ones and today's plan.
    batch = []
    local_now = now.astimezone(generator.zone)
    today = local_now.date()
    for clients in by_owner.values():
        for index, client in enumerate(clients):
            if index < 3:
                start = generator.working_time(-(index + 1))
                batch.append(generator.activity(client, start, planned=True))
            else:
                hour = (11, 14, 16)[index - 3]
                start = dt.datetime.combine(today, dt.time(hour, 30), tzinfo=generator.zone)
                batch.append(generator.activity(client, start, planned=True))
    made, reminded = _insert(generator, batch)
    return {"activities": total + made, "reminders": reminders + reminded}

"""The seed's «Продажа» pipeline (table 3.2) with its stages, the lost-reason catalog, common
units of the ОКЕИ classifier and the three automatic steps the issue names. Values are written
here on purpose: a data migration does not import app code."""

from django.db import migrations

UNITS = [
    ("796", "шт", "Штука"),
    ("166", "кг", "Килограмм"),
    ("168", "т", "Тонна"),
    ("006", "м", "Метр"),
    ("055", "м2", "Квадратный метр"),
    ("113", "м3", "Кубический метр"),
    ("112", "л", "Литр"),
    ("356", "ч", "Час"),
    ("359", "сут", "Сутки"),
    ("362", "мес", "Месяц"),
    ("778", "упак", "Упаковка"),
    ("839", "компл", "Комплект"),
    ("715", "пар", "Пара"),
    ("642", "ед", "Единица"),
    ("384", "тыс. руб", "Тысяча рублей"),
]

# code, name, kind, probability, limit (working days), may_skip, required to leave, color
STAGES = [
    ("interest", "Интерес зарегистрирован", "open", 10, 2, False, ["lines"], "#64748b"),
    ("proposal_sent", "КП отправлено", "open", 30, 3, True, [], "#2f6fed"),
    ("decision", "Ожидание решения", "open", 50, 5, True, [], "#7c3aed"),
    ("invoice", "Счёт выставлен", "open", 70, 5, False, ["amount"], "#ea580c"),
    ("paid", "Оплачено, доставка согласована", "open", 90, 10, False, [], "#0891b2"),
    ("won", "Отгружено, закрыто", "won", 100, None, False, [], "#16a34a"),
    ("lost", "Проиграна", "lost", 0, None, True, [], "#dc2626"),
]

LOST_REASONS = [
    "Дорого",
    "Выбрали другого поставщика",
    "Нет нужного товара или услуги",
    "Не устроили сроки",
    "Потребность отпала",
    "Не удалось связаться",
    "Другое",
]


def forwards(apps, schema_editor):
    Unit = apps.get_model("sales", "Unit")
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    Requirement = apps.get_model("sales", "StageRequirement")
    LostReason = apps.get_model("sales", "LostReason")
    Rule = apps.get_model("sales", "AutomationRule")
    Kind = apps.get_model("activities", "ActivityKind")

    for code, name, full_name in UNITS:
        Unit.objects.get_or_create(okei_code=code, defaults={"name": name, "full_name": full_name})
    for order, name in enumerate(LOST_REASONS):
        LostReason.objects.get_or_create(name=name, defaults={"order": (order + 1) * 10})

    pipeline, _ = Pipeline.objects.get_or_create(
        code="sale", defaults={"name": "Продажа", "order": 10, "is_default": True}
    )
    stages = {}
    for order, (code, name, kind, probability, limit, may_skip, fields, color) in enumerate(
        STAGES
    ):
        stages[code], _ = Stage.objects.get_or_create(
            pipeline=pipeline,
            code=code,
            defaults={
                "name": name,
                "order": (order + 1) * 10,
                "kind": kind,
                "probability": probability,
                "time_limit_days": limit,
                "may_skip": may_skip,
                "required_fields": fields,
                "color": color,
            },
        )
    email = Kind.objects.get(code="email")
    call = Kind.objects.get(code="call")
    task = Kind.objects.get(code="task")
    Requirement.objects.get_or_create(
        stage=stages["proposal_sent"], kind="document", document="proposal_issued"
    )
    Requirement.objects.get_or_create(
        stage=stages["proposal_sent"], kind="activity", activity_kind=email
    )
    Rule.objects.get_or_create(
        trigger="proposal_sent",
        action="create_activity",
        defaults={
            "name": "Звонок через 3 рабочих дня после отправки КП",
            "pipeline": pipeline,
            "activity_kind": call,
            "subject": "Позвонить и узнать решение клиента по коммерческому предложению",
            "assignee": "manager",
            "delay_working_days": 3,
            "order": 10,
        },
    )
    Rule.objects.get_or_create(
        trigger="stage_overdue",
        action="notify",
        defaults={
            "name": "Срок этапа истёк — уведомить ответственного и руководителя",
            "subject": "Сделка задержалась на этапе дольше срока",
            "assignee": "manager_and_head",
            "order": 20,
        },
    )
    Rule.objects.get_or_create(
        trigger="deal_won",
        action="create_activity",
        defaults={
            "name": "Сделка выиграна — задача бухгалтеру оформить отгрузку",
            "pipeline": pipeline,
            "activity_kind": task,
            "subject": "Оформить документы отгрузки (реализацию)",
            "assignee": "accountant",
            "delay_working_days": 1,
            "order": 30,
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("sales", "AutomationRule").objects.all().delete()
    apps.get_model("sales", "Pipeline").objects.filter(code="sale").delete()
    apps.get_model("sales", "LostReason").objects.all().delete()
    apps.get_model("sales", "Unit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("activities", "0002_default_kinds_and_outcomes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

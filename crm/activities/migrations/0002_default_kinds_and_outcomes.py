"""The built-in kinds of activities and their result codes; the administrator may add more."""

from django.db import migrations

KINDS = [
    # code, name, icon, color, minutes, outcomes [(code, name, success)]
    ("call", "Звонок", "telephone", "#2f6fed", 15, [
        ("reached", "Дозвонился", True),
        ("not_reached", "Не дозвонился", False),
        ("call_back", "Просили перезвонить", False),
    ]),
    ("meeting", "Встреча", "people", "#7c3aed", 60, [
        ("held", "Состоялась", True),
        ("moved", "Перенесена", False),
        ("cancelled_by_client", "Отменена клиентом", False),
    ]),
    ("letter", "Письмо", "envelope-paper", "#0891b2", 15, [
        ("sent", "Отправлено", True),
        ("answered", "Получен ответ", True),
    ]),
    ("email", "Электронное письмо", "envelope-at", "#0ea5e9", 10, [
        ("sent", "Отправлено", True),
        ("answered", "Получен ответ", True),
        ("bounced", "Не доставлено", False),
    ]),
    ("request", "Обращение", "chat-left-text", "#16a34a", 15, [
        ("resolved", "Решено", True),
        ("passed_on", "Передано специалисту", True),
    ]),
    ("complaint", "Претензия", "exclamation-triangle", "#dc2626", 30, [
        ("satisfied", "Удовлетворена", True),
        ("rejected", "Отклонена", False),
    ]),
    ("service_visit", "Сервисный выезд", "truck", "#ea580c", 120, [
        ("done", "Работы выполнены", True),
        ("repeat_needed", "Нужен повторный выезд", False),
    ]),
    ("task", "Задача", "check2-square", "#475569", 30, [
        ("done", "Выполнена", True),
    ]),
    ("other", "Другое", "three-dots", "#64748b", 30, []),
]


def add_kinds(apps, schema_editor):
    Kind = apps.get_model("activities", "ActivityKind")
    Outcome = apps.get_model("activities", "ActivityOutcome")
    for order, (code, name, icon, color, minutes, outcomes) in enumerate(KINDS):
        kind, _ = Kind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "icon": icon,
                "color": color,
                "order": order * 10,
                "default_duration_minutes": minutes,
            },
        )
        for position, (outcome_code, outcome_name, success) in enumerate(outcomes):
            Outcome.objects.get_or_create(
                kind=kind,
                code=outcome_code,
                defaults={"name": outcome_name, "is_success": success, "order": position},
            )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]

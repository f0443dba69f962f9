"""Sensible defaults an administrator can change: lead sources, completeness weights (they
favour ИНН, a decision maker reachable by phone or e-mail, an address, the source and the
industry) and entry rules (requisites before the first invoice)."""

from django.db import migrations

LEAD_SOURCES = [
    "Сайт",
    "Реклама в интернете",
    "Рекомендация",
    "Выставка",
    "Холодный звонок",
    "Повторное обращение",
    "Социальные сети",
    "Тендер",
]

# code → weight; the codes are evaluated by crm.clients.domain.completeness (sum = 100).
COMPLETENESS_WEIGHTS = {
    "inn": 20,
    "decision_maker": 20,
    "address": 10,
    "source": 10,
    "industry": 10,
    "phone": 10,
    "email": 5,
    "registration": 5,
    "bank_account": 5,
    "region": 5,
}

ENTRY_RULES = [
    ("company", "creation", "source"),
    ("entrepreneur", "creation", "source"),
    ("person", "creation", "source"),
    ("company", "first_deal", "phone_or_email"),
    ("entrepreneur", "first_deal", "phone_or_email"),
    ("person", "first_deal", "phone_or_email"),
    ("company", "first_invoice", "inn"),
    ("company", "first_invoice", "kpp"),
    ("company", "first_invoice", "legal_address"),
    ("entrepreneur", "first_invoice", "inn"),
    ("entrepreneur", "first_invoice", "legal_address"),
]


def add_defaults(apps, schema_editor):
    LeadSource = apps.get_model("clients", "LeadSource")
    for order, name in enumerate(LEAD_SOURCES):
        LeadSource.objects.get_or_create(name=name, defaults={"order": order * 10})
    Criterion = apps.get_model("clients", "CompletenessCriterion")
    for code, weight in COMPLETENESS_WEIGHTS.items():
        Criterion.objects.get_or_create(code=code, defaults={"weight": weight})
    EntryRule = apps.get_model("clients", "EntryRule")
    for kind, point, field in ENTRY_RULES:
        EntryRule.objects.get_or_create(client_kind=kind, point=point, field=field)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]

"""The settings tab «Воронки продаж»: administrators only; forms show Russian messages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from crm.activities.models import ActivityKind
from crm.core.models import AuditEntry
from crm.sales.models import AutomationRule, LostReason, Pipeline, Stage
from crm.sales.tests.factories import pipeline, stage

pytestmark = pytest.mark.django_db


def _pages() -> list[tuple[str, str]]:
    """(method, url) of every page of the tab."""
    sale = pipeline()
    decision = stage("decision")
    reason = LostReason.objects.first()
    rule = AutomationRule.objects.first()
    assert reason is not None and rule is not None
    return [
        ("get", reverse("sales:setup_pipelines")),
        ("get", reverse("sales:setup_pipeline_create")),
        ("get", reverse("sales:setup_pipeline_edit", args=[sale.pk])),
        ("get", reverse("sales:setup_stage_create", args=[sale.pk])),
        ("get", reverse("sales:setup_stage_edit", args=[decision.pk])),
        ("post", reverse("sales:setup_stage_move", args=[decision.pk])),
        ("post", reverse("sales:setup_stage_delete", args=[decision.pk])),
        ("get", reverse("sales:setup_lost_reasons")),
        ("get", reverse("sales:setup_lost_reason_create")),
        ("get", reverse("sales:setup_lost_reason_edit", args=[reason.pk])),
        ("get", reverse("sales:setup_rules")),
        ("get", reverse("sales:setup_rule_create")),
        ("get", reverse("sales:setup_rule_edit", args=[rule.pk])),
        ("post", reverse("sales:setup_rule_delete", args=[rule.pk])),
    ]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_forbidden_to_non_administrators(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in _pages():
        response = getattr(client, method)(url, {"direction": "up"} if method == "post" else {})
        assert response.status_code == 403, url
    assert Stage.objects.filter(pipeline=pipeline()).count() == 7
    assert AutomationRule.objects.count() == 3
    assert not AuditEntry.objects.exists()


def test_login_needed(client):
    for method, url in _pages():
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_administrator_opens_every_page(client, administrator):
    client.force_login(administrator)
    for method, url in _pages():
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_unknown_objects_answer_404(client, administrator):
    client.force_login(administrator)
    for name in (
        "sales:setup_pipeline_edit",
        "sales:setup_stage_create",
        "sales:setup_stage_edit",
        "sales:setup_lost_reason_edit",
        "sales:setup_rule_edit",
    ):
        assert client.get(reverse(name, args=[999999])).status_code == 404


def test_the_list_shows_the_stages_in_order(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("sales:setup_pipelines"))
    html = response.content.decode()
    text = _text(html)
    assert ">Воронки продаж</a>" in html
    assert "Продажа sale по умолчанию" in text
    names = [
        "Интерес зарегистрирован",
        "КП отправлено",
        "Ожидание решения",
        "Счёт выставлен",
        "Оплачено, доставка согласована",
        "Отгружено, закрыто",
        "Проиграна",
    ]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    assert (
        "КП отправлено proposal_sent В работе 30 % 3 раб. дн. Подтвердить: "
        "Коммерческое предложение выставлено, Электронное письмо Ожидание решения"
    ) in text
    assert (
        "Интерес зарегистрирован interest В работе 10 % 2 раб. дн. Нельзя пройти неявно "
        "Заполнить: Товары и услуги"
    ) in text
    assert "Ожидание решения decision В работе 50 % 5 раб. дн. — " in text


def test_list_queries_do_not_grow_with_pipelines(client, administrator):
    client.force_login(administrator)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("sales:setup_pipelines"))
    for code in ("a", "b"):
        client.post(reverse("sales:setup_pipeline_create"), {"name": code, "code": code})
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("sales:setup_pipelines"))
    assert len(response.context["rows"]) == 3
    assert len(three) == len(one)


def test_create_a_pipeline_and_a_stage_then_move_it(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("sales:setup_pipeline_create"),
        {"name": "Сервис", "code": "service", "order": "20", "is_active": "on"},
    )
    assert response.status_code == 302
    service = Pipeline.objects.get(code="service")
    assert (service.name, service.order, service.is_active, service.is_default) == (
        "Сервис",
        20,
        True,
        False,
    )
    call = ActivityKind.objects.get(code="call")
    response = client.post(
        reverse("sales:setup_stage_create", args=[service.pk]),
        {
            "name": "Диагностика",
            "code": "diag",
            "kind": "open",
            "probability": "40",
            "time_limit_days": "",
            "may_skip": "on",
            "required_fields": ["amount", "contact"],
            "color": "#aa00cc",
            "documents": ["proposal_sent"],
            "activity_kinds": [str(call.pk)],
        },
    )
    assert response.status_code == 302
    diag = service.stages.get(code="diag")
    assert (diag.probability, diag.time_limit_days, diag.may_skip, diag.color) == (
        40,
        None,
        True,
        "#aa00cc",
    )
    assert diag.required_fields == ["amount", "contact"]
    assert diag.requirements.count() == 2
    assert list(service.stages.order_by("order").values_list("code", flat=True)) == [
        "new",
        "diag",
        "won",
        "lost",
    ]
    response = client.post(reverse("sales:setup_stage_move", args=[diag.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == f"/deals/settings/#pipeline-{service.pk}"
    assert list(service.stages.order_by("order").values_list("code", flat=True)) == [
        "diag",
        "new",
        "won",
        "lost",
    ]
    response = client.get(reverse("sales:setup_stage_edit", args=[diag.pk]))
    form = response.context["form"]
    assert form.initial["documents"] == ["proposal_sent"]
    assert form.initial["activity_kinds"] == [call.pk]
    response = client.post(reverse("sales:setup_stage_delete", args=[diag.pk]), follow=True)
    assert "Этап «Диагностика» удалён." in response.content.decode()
    assert not service.stages.filter(code="diag").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "code": "x"}, "name", "Заполните поле «название»"),
        ({"name": "x", "code": "Код"}, "code", "Код — латинские строчные буквы, цифры, «-» и «_»"),
        ({"name": "x", "code": "sale"}, "code", "Воронка с кодом «sale» уже есть"),
        (
            {"name": "x", "code": "x", "order": "первый"},
            "order",
            "Порядок — целое число от 0 до 32767",
        ),
        (
            {"name": "x", "code": "x", "is_default": "on"},
            "is_active",
            "Воронка по умолчанию должна использоваться",
        ),
    ],
)
def test_bad_pipeline_input(client, administrator, data, field, message):
    client.force_login(administrator)
    response = client.post(reverse("sales:setup_pipeline_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert Pipeline.objects.count() == 1


STAGE = {"name": "Этап", "code": "step", "kind": "open", "probability": "20", "color": "#2f6fed"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"probability": "120"}, "probability", "Вероятность — целое число от 0 до 100"),
        ({"probability": "abc"}, "probability", "Вероятность — целое число от 0 до 100"),
        ({"kind": "won"}, "kind", "В воронке должен быть ровно один этап «Успех» (сейчас: 2)"),
        ({"kind": "lost"}, "kind", "В воронке должен быть ровно один этап «Проигрыш» (сейчас: 2)"),
        ({"kind": "closed"}, "kind", "Выберите тип этапа"),
        ({"code": "decision"}, "code", "Этап с кодом «decision» в этой воронке уже есть"),
        ({"code": ""}, "code", "Заполните поле «Код»"),
        ({"required_fields": ["phone"]}, "required_fields", "Выберите значение из списка"),
        ({"documents": ["act_signed"]}, "documents", "Выберите значение из списка"),
        (
            {"time_limit_days": "0"},
            "time_limit_days",
            "Срок — целое число рабочих дней от 1 до 365 или пусто",
        ),
        ({"color": "синий"}, "color", "Цвет — в виде #RRGGBB"),
    ],
)
def test_bad_stage_input(client, administrator, data, field, message):
    client.force_login(administrator)
    response = client.post(
        reverse("sales:setup_stage_create", args=[pipeline().pk]), {**STAGE, **data}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Stage.objects.filter(pipeline=pipeline()).count() == 7
    assert not AuditEntry.objects.exists()


def test_closing_the_last_open_stage_is_refused(client, administrator):
    client.force_login(administrator)
    client.post(
        reverse("sales:setup_pipeline_create"),
        {"name": "Сервис", "code": "service", "is_active": "on"},
    )
    first = Stage.objects.get(pipeline__code="service", code="new")
    response = client.post(
        reverse("sales:setup_stage_edit", args=[first.pk]),
        {"name": "Новая", "code": "new", "kind": "lost", "probability": "0"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [
        "В воронке должен быть ровно один этап «Проигрыш» (сейчас: 2)",
        "В воронке должен остаться хотя бы один этап «В работе»",
    ]
    first.refresh_from_db()
    assert first.kind == "open"


def test_deleting_the_won_stage_is_refused_with_a_message(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("sales:setup_stage_delete", args=[stage("won").pk]), follow=True)
    assert "В воронке должен быть ровно один этап «Успех» (сейчас: 0)" in response.content.decode()
    assert Stage.objects.filter(pipeline=pipeline()).count() == 7


def test_lost_reasons_pages(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("sales:setup_lost_reason_create"),
        {"name": "Сорвались сроки", "order": "5", "is_active": "on"},
    )
    assert response.status_code == 302
    reason = LostReason.objects.get(name="Сорвались сроки")
    assert (reason.order, reason.is_active) == (5, True)
    response = client.post(
        reverse("sales:setup_lost_reason_edit", args=[reason.pk]), {"name": "", "order": "5"}
    )
    assert response.context["form"].errors == {"name": ["Заполните поле «причина»"]}
    client.post(
        reverse("sales:setup_lost_reason_edit", args=[reason.pk]),
        {"name": "Сорвались сроки", "order": "5"},
    )
    reason.refresh_from_db()
    assert reason.is_active is False
    html = client.get(reverse("sales:setup_lost_reasons")).content.decode()
    assert "Сорвались сроки" in _text(html)


def test_rule_pages(client, administrator):
    client.force_login(administrator)
    call = ActivityKind.objects.get(code="call")
    data = {
        "name": "Звонок на решении",
        "trigger": "stage_entered",
        "stage": str(stage("decision").pk),
        "action": "create_activity",
        "activity_kind": str(call.pk),
        "subject": "Позвонить",
        "assignee": "manager",
        "delay_working_days": "2",
        "is_active": "on",
        "order": "50",
    }
    response = client.post(reverse("sales:setup_rule_create"), data)
    assert response.status_code == 302
    rule = AutomationRule.objects.get(name="Звонок на решении")
    assert (rule.pipeline, rule.stage, rule.activity_kind, rule.delay_working_days) == (
        pipeline(),
        stage("decision"),
        call,
        2,
    )
    text = _text(client.get(reverse("sales:setup_rules")).content.decode())
    assert (
        "Звонок на решении Продажа Сделка перешла на этап: «Ожидание решения» Создать событие: "
        "Звонок Позвонить Ответственный по сделке 2 раб. дн. включён"
    ) in text
    response = client.post(
        reverse("sales:setup_rule_create"),
        {**data, "stage": "", "activity_kind": "", "assignee": "user", "delay_working_days": "-1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "activity_kind": ["Чтобы создать событие, выберите его вид"],
        "user": ["Выберите сотрудника"],
        "delay_working_days": ["Задержка — целое число рабочих дней от 0 до 365"],
    }
    response = client.post(reverse("sales:setup_rule_delete", args=[rule.pk]))
    assert response.status_code == 302
    assert not AutomationRule.objects.filter(pk=rule.pk).exists()


def test_the_tab_is_registered():
    from crm.core.registry import settings_tabs

    tab = next(tab for tab in settings_tabs() if tab.url_name == "sales:setup_pipelines")
    assert str(tab.title) == "Воронки продаж"
    assert "sales:setup_rule_edit" in tab.url_names


def test_the_seeded_any_stage_rule_saves_unchanged(client, administrator):
    rule = AutomationRule.objects.get(trigger="stage_overdue")
    client.force_login(administrator)
    form = client.get(reverse("sales:setup_rule_edit", args=[rule.pk])).context["form"]
    data = {
        name: (
            "on" if value is True else "" if value in (None, False) else getattr(value, "pk", value)
        )
        for name, value in form.initial.items()
    }
    response = client.post(reverse("sales:setup_rule_edit", args=[rule.pk]), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.stage, rule.pipeline, rule.assignee, rule.is_active) == (
        None,
        None,
        "manager_and_head",
        True,
    )
    assert not AuditEntry.objects.exists()  # nothing changed, nothing recorded
    text = _text(client.get(reverse("sales:setup_rules")).content.decode())
    assert "Ответственный и руководитель сразу включён" in text


def test_required_fields_are_named_in_the_users_language(client, administrator):
    language = translation.get_language()
    administrator.language = "en"
    administrator.save(update_fields=["language"])
    client.force_login(administrator)
    try:
        listing = client.get(reverse("sales:setup_pipelines")).content.decode()
        form = client.get(
            reverse("sales:setup_stage_edit", args=[stage("invoice").pk])
        ).content.decode()
    finally:
        translation.activate(language)
    assert "Goods and services" in listing
    assert "Товары и услуги" not in listing
    assert "Expected amount" in form
    assert "Ожидаемая сумма" not in form

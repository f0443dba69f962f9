"""Automatic steps of the sale process: "when X happens, do Y after Z working days".

`fire(trigger, deal=…)` runs the active rules of the trigger that match the deal's pipeline
(or all pipelines) and the stage (or any stage):
- create_activity: an activity of the rule's kind for each assignee, due `delay_working_days`
  working days after today at 10:00 company time, linked to the deal (DealActivity), made by
  the activities service;
- notify: a bell notification (and e-mail) with a link to the deal.

Each run is an AutomationRun row with a unique key — rule, deal, trigger and the moment the
deal entered its current stage — so a rule acts once per stay in a stage however often it is
fired (a worker retrying, two people clicking). Each rule runs in its own savepoint: a broken
rule is logged and skipped, the move that fired it stays. Every run is audited on the deal with
the comment «Автоматический шаг: <rule name>».

`check_overdue_stages` is the periodic job's work: deals whose stage deadline has passed fire
`stage_overdue` (once per stay, by the key)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.activities.models import Activity
from crm.activities.services.activities import activity_create
from crm.core.audit import audit_record
from crm.core.models import AuditAction
from crm.core.services import notification_create
from crm.core.workdays import add_working_days
from crm.sales.models import (
    ActionKind,
    Assignee,
    AutomationRule,
    AutomationRun,
    Deal,
    DealActivity,
    DealStatus,
    Stage,
    Trigger,
)

logger = logging.getLogger(__name__)

DUE_TIME = dt.time(10, 0)
AUDIT_COMMENT = gettext_lazy("Автоматический шаг: %(rule)s")
RESULT_ACTIVITY = gettext_lazy("Создано событие «%(subject)s» на %(due)s: %(users)s")
RESULT_NOTIFIED = gettext_lazy("Отправлено уведомление: %(users)s")
RESULT_NOBODY = gettext_lazy("Некому поручить: нет подходящего сотрудника")
NOTIFY_BODY = gettext_lazy("Сделка %(deal)s, клиент %(client)s, этап «%(stage)s»")
NOTIFY_DEADLINE = gettext_lazy("Срок этапа: %(date)s")
NOTIFY_ACTIVITY_TITLE = gettext_lazy("Автоматически поручено: %(subject)s")


def deal_url(deal: Deal) -> str:
    try:
        return reverse("sales:deal_detail", args=[deal.pk])
    except NoReverseMatch:
        return f"/deals/{deal.pk}/"


def run_key(rule: AutomationRule, deal: Deal, trigger: str, occasion: str = "") -> str:
    """Once per rule, deal, trigger and stay in the stage (and `occasion`, when given)."""
    entered = int(deal.stage_entered_at.timestamp())
    key = f"{rule.pk}:{deal.pk}:{trigger}:{entered}"
    return f"{key}:{occasion}"[:120] if occasion else key


def due_at(delay_working_days: int, *, now: dt.datetime | None = None) -> dt.datetime:
    """10:00 company time, `delay_working_days` working days after today (0: today, or the
    next working day when today is a day off)."""
    today = timezone.localdate(now or timezone.now())
    day = add_working_days(today, delay_working_days)
    return timezone.make_aware(dt.datetime.combine(day, DUE_TIME))


def department_heads(deal: Deal) -> list[User]:
    """The heads of the deal's department: the department's head, then every active user with
    the head-of-sales role in the department."""
    heads: list[User] = []
    if deal.department_id is None:
        return heads
    department = deal.department
    if department is not None and department.head is not None and department.head.is_active:
        heads.append(department.head)
    group = Group.objects.filter(name=Role.HEAD_OF_SALES.value).first()
    if group is not None:
        for user in User.objects.filter(
            groups=group, department_id=deal.department_id, is_active=True
        ).order_by("id"):
            if all(user.pk != head.pk for head in heads):
                heads.append(user)
    return heads


def first_accountant() -> User | None:
    return (
        User.objects.filter(groups__name=Role.ACCOUNTANT.value, is_active=True)
        .order_by("id")
        .first()
    )


def assignees(rule: AutomationRule, deal: Deal) -> list[User]:
    users: list[User] = []
    if rule.assignee in (Assignee.MANAGER, Assignee.MANAGER_AND_HEAD):
        users.append(deal.manager)
    if rule.assignee in (Assignee.HEAD, Assignee.MANAGER_AND_HEAD):
        users.extend(department_heads(deal))
    if rule.assignee == Assignee.ACCOUNTANT:
        accountant = first_accountant()
        if accountant is not None:
            users.append(accountant)
    if rule.assignee == Assignee.USER and rule.user is not None:
        users.append(rule.user)
    unique: dict[int, User] = {}
    for user in users:
        if user.is_active:
            unique.setdefault(user.pk, user)
    return list(unique.values())


def matching_rules(trigger: str, *, deal: Deal, stage: Stage | None) -> models.QuerySet:
    rules = AutomationRule.objects.filter(is_active=True, trigger=trigger).filter(
        models.Q(pipeline__isnull=True) | models.Q(pipeline_id=deal.pipeline_id)
    )
    if stage is not None:
        rules = rules.filter(models.Q(stage__isnull=True) | models.Q(stage_id=stage.pk))
    else:
        rules = rules.filter(stage__isnull=True)
    return rules.select_related("activity_kind", "user").order_by("order", "id")


def _create_activity(rule: AutomationRule, deal: Deal, users: list[User], run_key: str) -> Any:
    due = due_at(rule.delay_working_days)
    made: list[Activity] = []
    for user in users:
        fields: dict[str, Any] = {
            "kind": rule.activity_kind,
            "subject": rule.subject,
            "start_at": due,
            "client": deal.client,
            "responsible": user,
            "goal": str(deal),
        }
        try:
            with transaction.atomic():
                activity = activity_create(by=user, **fields)
        except ValidationError:
            # The assignee may not see the client (another department): the task still goes.
            fields["client"] = None
            activity = activity_create(by=user, **fields)
        DealActivity.objects.create(activity=activity, deal=deal)
        notification_create(
            user=user,
            title=str(NOTIFY_ACTIVITY_TITLE % {"subject": rule.subject})[:255],
            body=_("Сделка %(deal)s") % {"deal": deal},
            url=reverse("activities:detail", args=[activity.pk]),
            key=f"automation:{run_key}:{user.pk}",
        )
        made.append(activity)
    local_due = timezone.localtime(due)
    result = str(
        RESULT_ACTIVITY
        % {
            "subject": rule.subject,
            "due": f"{local_due:%d.%m.%Y %H:%M}",
            "users": ", ".join(user.short_name for user in users),
        }
    )
    return (made[0] if made else None), result


def _notify(rule: AutomationRule, deal: Deal, users: list[User], run_key: str) -> Any:
    lines = [
        str(NOTIFY_BODY % {"deal": deal, "client": deal.client, "stage": deal.stage.name}),
    ]
    if deal.stage_deadline:
        lines.append(str(NOTIFY_DEADLINE % {"date": f"{deal.stage_deadline:%d.%m.%Y}"}))
    lines.append(deal_url(deal))
    for user in users:
        notification_create(
            user=user,
            title=rule.subject[:255],
            body="\n".join(lines),
            url=deal_url(deal),
            key=f"automation:{run_key}:{user.pk}",
        )
    return None, str(RESULT_NOTIFIED % {"users": ", ".join(user.short_name for user in users)})


def _run(
    rule: AutomationRule, *, deal: Deal, trigger: str, by: Any, occasion: str
) -> AutomationRun | None:
    key = run_key(rule, deal, trigger, occasion)
    if AutomationRun.objects.filter(key=key).exists():
        return None
    users = assignees(rule, deal)
    with transaction.atomic():
        try:
            run = AutomationRun.objects.create(
                rule=rule, deal=deal, key=key, at=timezone.now(), result=""
            )
        except IntegrityError:
            return None  # another process ran it just now
        if not users:
            activity, result = None, str(RESULT_NOBODY)
        elif rule.action == ActionKind.CREATE_ACTIVITY:
            activity, result = _create_activity(rule, deal, users, key)
        else:
            activity, result = _notify(rule, deal, users, key)
        run.activity = activity
        run.result = result[:500]
        run.save(update_fields=["activity", "result"])
        audit_record(
            actor=by,
            action=AuditAction.OTHER,
            instance=deal,
            comment=str(AUDIT_COMMENT % {"rule": rule.name}),
        )
    return run


def fire(
    trigger: str,
    *,
    deal: Deal,
    by: Any = None,
    stage: Stage | None = None,
    occasion: str = "",
) -> list[AutomationRun]:
    """Run the matching active rules of `trigger` for the deal; returns the runs made now
    (rules that already ran for this stay are skipped). `stage` narrows stage-bound rules;
    `occasion` makes a separate run key (e.g. each proposal sent)."""
    if trigger not in Trigger.values:
        raise ValueError(f"Unknown trigger {trigger!r}")
    deal = Deal.objects.select_related(
        "client", "stage", "pipeline", "manager", "department__head"
    ).get(pk=deal.pk)
    if stage is None and trigger in (Trigger.STAGE_ENTERED, Trigger.STAGE_OVERDUE):
        stage = deal.stage
    runs: list[AutomationRun] = []
    for rule in matching_rules(trigger, deal=deal, stage=stage):
        try:
            with transaction.atomic():
                run = _run(rule, deal=deal, trigger=trigger, by=by, occasion=occasion)
        except Exception:
            logger.exception("Automation rule %s failed for deal %s", rule.pk, deal.pk)
            continue
        if run is not None:
            runs.append(run)
    return runs


def overdue_deals(now: dt.datetime | None = None) -> models.QuerySet[Deal]:
    """Open deals whose stage deadline (the last allowed day) is before today."""
    today = timezone.localdate(now or timezone.now())
    return Deal.objects.filter(status=DealStatus.OPEN, stage_deadline__lt=today)


def check_overdue_stages(now: dt.datetime | None = None) -> int:
    """Fire `stage_overdue` for every deal past its stage's deadline; returns how many runs
    were made (a deal is reported once per stay in a stage)."""
    if not AutomationRule.objects.filter(is_active=True, trigger=Trigger.STAGE_OVERDUE).exists():
        return 0
    count = 0
    for deal in overdue_deals(now).order_by("id").iterator(chunk_size=200):
        count += len(fire(Trigger.STAGE_OVERDUE, deal=deal, stage=deal.stage))
    return count

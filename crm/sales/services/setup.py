"""The administrator's settings of the sale process: pipelines and their ordered stages (with
the documents and activities that confirm a stage), lost reasons and automatic steps.

Every pipeline always has at least one open stage, exactly one won and exactly one lost stage:
a new pipeline gets three starting stages, and a change that would break the rule is refused.
Codes are Latin slugs, unique (stages: within their pipeline). One active pipeline is the
default. Every change is audited; bad input raises ValidationError with Russian messages per
field and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import can_administer
from crm.activities.models import ActivityKind
from crm.core.audit import audit_record, audit_saved, snapshot, stored_snapshot
from crm.core.models import AuditAction
from crm.sales.documents import document_choices, document_title
from crm.sales.domain.rules import DEAL_FIELDS
from crm.sales.models import (
    ActionKind,
    Assignee,
    AutomationRule,
    Deal,
    DealStageChange,
    LostReason,
    Pipeline,
    RequirementKind,
    Stage,
    StageKind,
    StageRequirement,
    Trigger,
)

PIPELINE_FIELDS = ("name", "code", "order", "is_default", "is_active")
STAGE_FIELDS = (
    "name",
    "code",
    "order",
    "kind",
    "probability",
    "time_limit_days",
    "may_skip",
    "required_fields",
    "color",
)
LOST_REASON_FIELDS = ("name", "order", "is_active")
RULE_FIELDS = (
    "name",
    "pipeline",
    "trigger",
    "stage",
    "action",
    "activity_kind",
    "subject",
    "assignee",
    "user",
    "delay_working_days",
    "is_active",
    "order",
)

CODE_PATTERN = re.compile(r"^[a-z0-9_-]+$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")

ERROR_NOT_ADMINISTRATOR = _("Воронки продаж настраивает администратор")
ERROR_REQUIRED = _("Заполните поле «%(field)s»")
ERROR_TOO_LONG = _("Поле «%(field)s» — не длиннее %(max)s символов")
ERROR_CODE = _("Код — латинские строчные буквы, цифры, «-» и «_»")
ERROR_PIPELINE_CODE_TAKEN = _("Воронка с кодом «%(code)s» уже есть")
ERROR_STAGE_CODE_TAKEN = _("Этап с кодом «%(code)s» в этой воронке уже есть")
ERROR_ORDER = _("Порядок — целое число от 0 до 32767")
ERROR_DEFAULT_INACTIVE = _("Воронка по умолчанию должна использоваться")
ERROR_DEFAULT_NEEDED = _(
    "Это воронка по умолчанию: чтобы снять отметку, отметьте по умолчанию другую воронку"
)
ERROR_KIND = _("Выберите тип этапа")
ERROR_PROBABILITY = _("Вероятность — целое число от 0 до 100")
ERROR_TIME_LIMIT = _("Срок — целое число рабочих дней от 1 до 365 или пусто")
ERROR_COLOR = _("Цвет — в виде #RRGGBB")
ERROR_FIELD_UNKNOWN = _("Неизвестное поле сделки «%(code)s»")
ERROR_DOCUMENT_UNKNOWN = _("Неизвестный документ «%(code)s»")
ERROR_ACTIVITY_KIND_UNKNOWN = _("Неизвестный вид события")
ERROR_ONE_WON = _("В воронке должен быть ровно один этап «Успех» (сейчас: %(count)s)")
ERROR_ONE_LOST = _("В воронке должен быть ровно один этап «Проигрыш» (сейчас: %(count)s)")
ERROR_ONE_OPEN = _("В воронке должен остаться хотя бы один этап «В работе»")
ERROR_STAGE_USED = _("На этапе «%(name)s» есть сделки или их история — удалить его нельзя")
ERROR_STAGE_KIND_USED = _(
    "На этапе «%(name)s» есть сделки — тип этапа с ними менять нельзя, создайте новый этап"
)
ERROR_TRIGGER = _("Выберите, когда срабатывает шаг")
ERROR_ACTION = _("Выберите, что сделать")
ERROR_ASSIGNEE = _("Выберите, кому")
ERROR_STAGE_OTHER_PIPELINE = _("Этап «%(stage)s» не из воронки «%(pipeline)s»")
ERROR_RULE_KIND_NEEDED = _("Чтобы создать событие, выберите его вид")
ERROR_RULE_USER_NEEDED = _("Выберите сотрудника")
ERROR_RULE_USED = _(
    "Шаг «%(name)s» уже выполнялся — выключите его вместо удаления, чтобы сохранить историю"
)
ERROR_DELAY = _("Задержка — целое число рабочих дней от 0 до 365")

STARTING_STAGES = (
    ("new", _("Новая"), StageKind.OPEN, 10),
    ("won", _("Успех"), StageKind.WON, 100),
    ("lost", _("Проигрыш"), StageKind.LOST, 0),
)


def _require_administrator(by: Any) -> None:
    if not can_administer(by):
        raise PermissionDenied(ERROR_NOT_ADMINISTRATOR)


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _text(
    errors: dict[str, list[Any]],
    model: type[models.Model],
    data: dict[str, Any],
    name: str,
    *,
    required: bool = True,
) -> str:
    value = " ".join(str(data.get(name) or "").split())
    max_length = getattr(model._meta.get_field(name), "max_length", None) or 255
    if required and not value:
        errors.setdefault(name, []).append(ERROR_REQUIRED % {"field": _label(model, name)})
    elif len(value) > max_length:
        errors.setdefault(name, []).append(
            ERROR_TOO_LONG % {"field": _label(model, name), "max": max_length}
        )
    return value


def _int(
    errors: dict[str, list[Any]],
    data: dict[str, Any],
    name: str,
    *,
    low: int,
    high: int,
    message: Any,
    default: int | None,
    blank: bool = False,
) -> int | None:
    value = data.get(name, default)
    if value in (None, "") and blank:
        return None
    if value in (None, ""):
        value = default
    if isinstance(value, bool):
        errors.setdefault(name, []).append(message)
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.setdefault(name, []).append(message)
        return default
    if not low <= number <= high:
        errors.setdefault(name, []).append(message)
        return default
    return number


def _code(errors: dict[str, list[Any]], data: dict[str, Any]) -> str:
    code = str(data.get("code") or "").strip()
    if not code:
        errors.setdefault("code", []).append(ERROR_REQUIRED % {"field": _("Код")})
    elif len(code) > 40 or not CODE_PATTERN.match(code):
        errors.setdefault("code", []).append(ERROR_CODE)
    return code


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Pipelines ------------------------------------------------------------------------------


def _renumber(pipeline: Pipeline, stages: list[Stage]) -> None:
    for index, stage in enumerate(stages, start=1):
        if stage.order != index * 10:
            stage.order = index * 10
            stage.save(update_fields=["order"])


@transaction.atomic
def pipeline_save(*, by: Any, pipeline: Pipeline | None, data: dict[str, Any]) -> Pipeline:
    """Create (with the starting stages «Новая», «Успех», «Проигрыш») or change a pipeline.
    data: name, code, order, is_default, is_active. Marking one default unmarks the others."""
    _require_administrator(by)
    errors: dict[str, list[Any]] = {}
    name = _text(errors, Pipeline, data, "name")
    code = _code(errors, data)
    order = _int(errors, data, "order", low=0, high=32767, message=ERROR_ORDER, default=100)
    is_default = bool(data.get("is_default", pipeline.is_default if pipeline else False))
    is_active = bool(data.get("is_active", pipeline.is_active if pipeline else True))
    if code and "code" not in errors:
        same = Pipeline.objects.filter(code=code)
        if pipeline is not None:
            same = same.exclude(pk=pipeline.pk)
        if same.exists():
            errors["code"] = [ERROR_PIPELINE_CODE_TAKEN % {"code": code}]
    if is_default and not is_active:
        errors.setdefault("is_active", []).append(ERROR_DEFAULT_INACTIVE)
    if pipeline is not None and pipeline.is_default and not is_default:
        errors.setdefault("is_default", []).append(ERROR_DEFAULT_NEEDED)
    _raise(errors)
    if pipeline is None and not Pipeline.objects.filter(is_default=True).exists():
        is_default, is_active = True, True
    before = stored_snapshot(pipeline, PIPELINE_FIELDS) if pipeline is not None else None
    target = pipeline or Pipeline()
    target.name, target.code, target.order = name, code, order or 0
    target.is_default, target.is_active = is_default, is_active
    target.save()
    if is_default:
        for other in Pipeline.objects.filter(is_default=True).exclude(pk=target.pk):
            other_before = snapshot(other, PIPELINE_FIELDS)
            other.is_default = False
            other.save(update_fields=["is_default"])
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                instance=other,
                before=other_before,
                after=snapshot(other, PIPELINE_FIELDS),
            )
    audit_saved(actor=by, instance=target, before=before, after=snapshot(target, PIPELINE_FIELDS))
    if before is None:
        for index, (stage_code, stage_name, kind, probability) in enumerate(STARTING_STAGES):
            stage = Stage.objects.create(
                pipeline=target,
                code=stage_code,
                name=str(stage_name),
                kind=kind,
                probability=probability,
                order=(index + 1) * 10,
                may_skip=kind != StageKind.WON,
                color={"won": "#16a34a", "lost": "#dc2626"}.get(kind, "#2f6fed"),
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                instance=stage,
                after=_stage_snapshot(stage),
            )
    return target


# --- Stages ---------------------------------------------------------------------------------


def _requirement_names(stage: Stage) -> list[str]:
    names = []
    for requirement in stage.requirements.select_related("activity_kind"):
        if requirement.kind == RequirementKind.DOCUMENT:
            names.append(f"{_('Документ')}: {document_title(requirement.document)}")
        else:
            names.append(f"{_('Событие')}: {requirement.activity_kind}")
    return sorted(names)


def _stage_snapshot(stage: Stage) -> dict[str, Any]:
    return {**snapshot(stage, STAGE_FIELDS), "requirements": _requirement_names(stage)}


def _check_kinds(kinds: Iterable[str]) -> list[Any]:
    kinds = list(kinds)
    problems: list[Any] = []
    if kinds.count(StageKind.WON) != 1:
        problems.append(ERROR_ONE_WON % {"count": kinds.count(StageKind.WON)})
    if kinds.count(StageKind.LOST) != 1:
        problems.append(ERROR_ONE_LOST % {"count": kinds.count(StageKind.LOST)})
    if kinds.count(StageKind.OPEN) < 1:
        problems.append(ERROR_ONE_OPEN)
    return problems


def _stage_in_use(stage: Stage) -> bool:
    return (
        Deal.objects.filter(stage=stage).exists()
        or DealStageChange.objects.filter(
            models.Q(from_stage=stage) | models.Q(to_stage=stage)
        ).exists()
    )


@transaction.atomic
def stage_save(*, by: Any, pipeline: Pipeline, stage: Stage | None, data: dict[str, Any]) -> Stage:
    """Create or change a stage of `pipeline`. data: name, code, kind, probability (0–100),
    time_limit_days (working days or None), may_skip, required_fields (codes of DEAL_FIELDS),
    color, documents (codes of the document registry), activity_kinds (ActivityKind rows or
    ids) — the two last replace the stage's requirements. A new open stage goes after the
    last open one; a new won/lost stage goes last."""
    _require_administrator(by)
    errors: dict[str, list[Any]] = {}
    name = _text(errors, Stage, data, "name")
    code = _code(errors, data)
    kind = str(data.get("kind") or (stage.kind if stage else ""))
    if kind not in StageKind.values:
        errors["kind"] = [ERROR_KIND]
    probability = _int(
        errors, data, "probability", low=0, high=100, message=ERROR_PROBABILITY, default=0
    )
    time_limit = _int(
        errors,
        data,
        "time_limit_days",
        low=1,
        high=365,
        message=ERROR_TIME_LIMIT,
        default=None,
        blank=True,
    )
    may_skip = bool(data.get("may_skip", stage.may_skip if stage else True))
    required_fields = list(data.get("required_fields") or [])
    for field_code in required_fields:
        if field_code not in DEAL_FIELDS:
            errors.setdefault("required_fields", []).append(
                ERROR_FIELD_UNKNOWN % {"code": field_code}
            )
    color = str(data.get("color") or "#2f6fed").strip()
    if not COLOR_PATTERN.match(color):
        errors["color"] = [ERROR_COLOR]
    known_documents = {code for code, _title in document_choices()}
    documents = list(dict.fromkeys(data.get("documents") or []))
    for document in documents:
        if document not in known_documents:
            errors.setdefault("documents", []).append(ERROR_DOCUMENT_UNKNOWN % {"code": document})
    activity_kinds: list[ActivityKind] = []
    for item in data.get("activity_kinds") or []:
        found = item if isinstance(item, ActivityKind) else None
        if found is None:
            try:
                found = ActivityKind.objects.filter(pk=int(item)).first()
            except (TypeError, ValueError):
                found = None
        if found is None:
            errors.setdefault("activity_kinds", []).append(ERROR_ACTIVITY_KIND_UNKNOWN)
        elif found not in activity_kinds:
            activity_kinds.append(found)
    if code and "code" not in errors:
        same = Stage.objects.filter(pipeline=pipeline, code=code)
        if stage is not None:
            same = same.exclude(pk=stage.pk)
        if same.exists():
            errors["code"] = [ERROR_STAGE_CODE_TAKEN % {"code": code}]
    _raise(errors)
    stages = list(Stage.objects.select_for_update().filter(pipeline=pipeline))
    others = [other.kind for other in stages if stage is None or other.pk != stage.pk]
    problems = _check_kinds([*others, kind])
    if problems:
        raise ValidationError({"kind": problems})
    if stage is not None and stage.kind != kind and Deal.objects.filter(stage=stage).exists():
        raise ValidationError({"kind": [ERROR_STAGE_KIND_USED % {"name": stage.name}]})
    before = _stage_snapshot(stage) if stage is not None else None
    if stage is not None:
        stage.refresh_from_db()
    target = stage or Stage(pipeline=pipeline, order=0)
    target.name, target.code, target.kind = name, code, kind
    target.probability, target.time_limit_days = probability or 0, time_limit
    target.may_skip, target.required_fields, target.color = may_skip, required_fields, color
    target.save()
    target.requirements.all().delete()
    for document in documents:
        StageRequirement.objects.create(
            stage=target, kind=RequirementKind.DOCUMENT, document=document
        )
    for activity_kind in activity_kinds:
        StageRequirement.objects.create(
            stage=target, kind=RequirementKind.ACTIVITY, activity_kind=activity_kind
        )
    if stage is None:
        ordered = sorted(stages, key=lambda s: (s.order, s.pk))
        if kind == StageKind.OPEN:
            position = max(
                (i + 1 for i, s in enumerate(ordered) if s.kind == StageKind.OPEN), default=0
            )
            ordered.insert(position, target)
        else:
            ordered.append(target)
        _renumber(pipeline, ordered)
    audit_saved(actor=by, instance=target, before=before, after=_stage_snapshot(target))
    return target


@transaction.atomic
def stage_move(*, by: Any, stage: Stage, direction: str) -> None:
    """Swap the stage with its neighbour above ("up") or below ("down"); the orders of the
    pipeline's stages become 10, 20, 30…"""
    _require_administrator(by)
    ordered = list(
        Stage.objects.select_for_update().filter(pipeline=stage.pipeline).order_by("order", "id")
    )
    index = next(i for i, s in enumerate(ordered) if s.pk == stage.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return
    before = {s.pk: s.order for s in ordered}
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(stage.pipeline, ordered)
    for moved in ordered:
        if before[moved.pk] != moved.order:
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                instance=moved,
                before={"order": before[moved.pk]},
                after={"order": moved.order},
            )


@transaction.atomic
def stage_delete(*, by: Any, stage: Stage) -> None:
    """Delete a stage no deal stands on or has passed; the pipeline must keep its open, won
    and lost stages."""
    _require_administrator(by)
    if _stage_in_use(stage):
        raise ValidationError(ERROR_STAGE_USED % {"name": stage.name})
    remaining = Stage.objects.select_for_update().filter(pipeline=stage.pipeline)
    problems = _check_kinds(s.kind for s in remaining if s.pk != stage.pk)
    if problems:
        raise ValidationError(problems)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=stage,
        before=_stage_snapshot(stage),
        after={},
    )
    pipeline = stage.pipeline
    try:
        stage.delete()
    except ProtectedError:  # pragma: no cover - _stage_in_use covers the references we know
        raise ValidationError(ERROR_STAGE_USED % {"name": stage.name}) from None
    _renumber(pipeline, list(Stage.objects.filter(pipeline=pipeline).order_by("order", "id")))


# --- Lost reasons ---------------------------------------------------------------------------


@transaction.atomic
def lost_reason_save(*, by: Any, reason: LostReason | None, data: dict[str, Any]) -> LostReason:
    """Create or change a lost reason (name, order, is_active); a reason in use is switched
    off rather than deleted, so it stays on the deals that name it."""
    _require_administrator(by)
    errors: dict[str, list[Any]] = {}
    name = _text(errors, LostReason, data, "name")
    order = _int(errors, data, "order", low=0, high=32767, message=ERROR_ORDER, default=100)
    _raise(errors)
    before = stored_snapshot(reason, LOST_REASON_FIELDS) if reason is not None else None
    target = reason or LostReason()
    target.name, target.order = name, order or 0
    target.is_active = bool(data.get("is_active", target.is_active if reason else True))
    target.save()
    audit_saved(
        actor=by, instance=target, before=before, after=snapshot(target, LOST_REASON_FIELDS)
    )
    return target


# --- Automatic steps ------------------------------------------------------------------------


@transaction.atomic
def automation_rule_save(
    *, by: Any, rule: AutomationRule | None, data: dict[str, Any]
) -> AutomationRule:
    """Create or change an automatic step. data: name, pipeline (None: every pipeline),
    trigger, stage (None: any stage; must belong to the pipeline), action, activity_kind
    (needed to create an activity), subject, assignee, user (needed for «выбранный
    сотрудник»), delay_working_days, is_active, order."""
    _require_administrator(by)
    errors: dict[str, list[Any]] = {}
    name = _text(errors, AutomationRule, data, "name")
    subject = _text(errors, AutomationRule, data, "subject")
    trigger = str(data.get("trigger") or "")
    if trigger not in Trigger.values:
        errors["trigger"] = [ERROR_TRIGGER]
    action = str(data.get("action") or "")
    if action not in ActionKind.values:
        errors["action"] = [ERROR_ACTION]
    assignee = str(data.get("assignee") or Assignee.MANAGER)
    if assignee not in Assignee.values:
        errors["assignee"] = [ERROR_ASSIGNEE]
    pipeline = data.get("pipeline")
    stage = data.get("stage")
    activity_kind = data.get("activity_kind")
    user = data.get("user")
    if stage is not None and pipeline is not None and stage.pipeline_id != pipeline.pk:
        errors.setdefault("stage", []).append(
            ERROR_STAGE_OTHER_PIPELINE % {"stage": stage.name, "pipeline": pipeline.name}
        )
    if action == ActionKind.CREATE_ACTIVITY and activity_kind is None:
        errors.setdefault("activity_kind", []).append(ERROR_RULE_KIND_NEEDED)
    if assignee == Assignee.USER and user is None:
        errors.setdefault("user", []).append(ERROR_RULE_USER_NEEDED)
    delay = _int(
        errors, data, "delay_working_days", low=0, high=365, message=ERROR_DELAY, default=0
    )
    order = _int(errors, data, "order", low=0, high=32767, message=ERROR_ORDER, default=100)
    _raise(errors)
    if stage is not None and pipeline is None:
        pipeline = stage.pipeline
    before = stored_snapshot(rule, RULE_FIELDS) if rule is not None else None
    target = rule or AutomationRule()
    target.name, target.subject, target.trigger, target.action = name, subject, trigger, action
    target.pipeline, target.stage, target.activity_kind = pipeline, stage, activity_kind
    target.assignee = assignee
    target.user = user if assignee == Assignee.USER else None
    target.delay_working_days, target.order = delay or 0, order or 0
    target.is_active = bool(data.get("is_active", target.is_active if rule else True))
    target.save()
    audit_saved(actor=by, instance=target, before=before, after=snapshot(target, RULE_FIELDS))
    return target


@transaction.atomic
def automation_rule_delete(*, by: Any, rule: AutomationRule) -> None:
    """Delete a step that has never run; one that has is switched off instead (its runs are
    the deals' history)."""
    _require_administrator(by)
    if rule.runs.exists():
        raise ValidationError(ERROR_RULE_USED % {"name": rule.name})
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=rule,
        before=snapshot(rule, RULE_FIELDS),
        after={},
    )
    rule.delete()

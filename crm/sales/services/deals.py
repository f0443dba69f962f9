"""Writes on deals: create, edit, lines, move between stages, close as lost, reopen, link an
activity, advance after a document.

Rules kept here for the page, the API and the proposals alike:
- the client must be one the author may see; the contact must be a contact of that client;
- the manager must be active and one the author may give work to (the author himself for a
  manager, the department for a head); the department is copied from the manager;
- a move is checked by `crm.sales.domain.rules.check_move` (skips, fields to leave the current
  stage, the target's documents and activities, a reason to lose); refused moves raise
  StageMoveError with every problem and change nothing;
- every move is a DealStageChange row (seconds and working days spent in the old stage, the
  stages passed over); the deal keeps `stage_entered_at` and `stage_deadline` (entered date +
  the stage's limit in working days);
- every change is audited; the automatic steps of the new stage run after the move in the
  same transaction (each in its own savepoint: a broken rule never stops a move)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.accounts.selectors import colleagues_visible_to
from crm.activities.models import Activity, ActivityStatus
from crm.clients.models import Client, ClientContact, ContactPerson, LeadSource
from crm.core.audit import audit_record, snapshot, stored_snapshot
from crm.core.domain.messages import Message
from crm.core.domain.money import CURRENCIES as CURRENCIES
from crm.core.domain.money import KOPECK, MoneyError, parse_decimal, round_money
from crm.core.i18n import translated
from crm.core.models import AuditAction
from crm.core.numbering import next_number
from crm.core.workdays import add_working_days, working_days_between
from crm.sales.documents import document_title, documents_present
from crm.sales.domain import rules
from crm.sales.domain.rules import Problem
from crm.sales.models import (
    Deal,
    DealActivity,
    DealLine,
    DealStageChange,
    DealStatus,
    FirstStep,
    LostReason,
    Pipeline,
    Product,
    RequirementKind,
    Stage,
    StageKind,
)

logger = logging.getLogger(__name__)

DEAL_AUDIT_FIELDS = (
    "title",
    "client",
    "contact",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "expected_close_date",
    "source",
    "manager",
    "department",
    "co_executors",
    "description",
    "first_step",
    "lost_reason",
    "lost_comment",
    "closed_at",
)
# What deal_update and the data of a move may set; manager, stage and status have their own
# paths (a manager cannot hand a deal over by editing it).
DEAL_EDITABLE_FIELDS = (
    "title",
    "contact",
    "amount",
    "currency",
    "expected_close_date",
    "source",
    "description",
    "first_step",
    "manager",
    "co_executors",
)
MOVE_DATA_FIELDS = (
    "amount",
    "expected_close_date",
    "contact",
    "description",
    "source",
    "lost_reason",
    "lost_comment",
)
MAX_LINES = 200

ERROR_TITLE_REQUIRED = gettext_lazy("Укажите название сделки")
ERROR_CLIENT_REQUIRED = gettext_lazy("Выберите клиента")
ERROR_CLIENT_NOT_FOUND = gettext_lazy("Клиент не найден")
ERROR_CONTACT_NOT_OF_CLIENT = gettext_lazy(
    "Это контактное лицо не относится к клиенту «%(client)s»"
)
ERROR_PIPELINE_INACTIVE = gettext_lazy("Воронка не найдена или не используется")
ERROR_NO_DEFAULT_PIPELINE = gettext_lazy("Нет воронки по умолчанию — выберите воронку")
ERROR_STAGE_OF_OTHER_PIPELINE = gettext_lazy("Этап не относится к воронке «%(pipeline)s»")
ERROR_STAGE_NOT_OPEN = gettext_lazy("Новая сделка начинается с этапа «в работе»")
ERROR_AMOUNT = gettext_lazy("Сумма — неотрицательное число с точностью до копеек")
ERROR_CURRENCY = gettext_lazy("Неизвестная валюта: %(currency)s")
ERROR_DATE = gettext_lazy("Дата должна быть в формате ДД.ММ.ГГГГ")
ERROR_SOURCE_INACTIVE = gettext_lazy("Источник не найден или не используется")
ERROR_MANAGER_INACTIVE = gettext_lazy("Сотрудник отключён — выберите работающего")
ERROR_MANAGER_NOT_ALLOWED = gettext_lazy("Назначить ответственным этого сотрудника вы не можете")
ERROR_CO_EXECUTOR_INACTIVE = gettext_lazy("Соисполнитель «%(name)s» отключён")
ERROR_FIRST_STEP = gettext_lazy("Неизвестный первый шаг")
ERROR_LOST_REASON = gettext_lazy("Причина проигрыша не найдена или не используется")
ERROR_FIELD_UNKNOWN = gettext_lazy("Это поле нельзя изменить здесь: %(field)s")
ERROR_LINE_NAME = gettext_lazy("Строка %(line)s: укажите наименование")
ERROR_LINE_QUANTITY = gettext_lazy("Строка %(line)s: количество — положительное число")
ERROR_LINE_PRICE = gettext_lazy("Строка %(line)s: цена — неотрицательное число")
ERROR_LINE_PRODUCT = gettext_lazy("Строка %(line)s: номенклатура не найдена или не используется")
ERROR_TOO_MANY_LINES = gettext_lazy("В сделке может быть не больше 200 строк")
ERROR_NOT_CLOSED = gettext_lazy("Сделка и так в работе")
ERROR_NO_OPEN_STAGE = gettext_lazy("В воронке нет этапа «в работе»")
ERROR_NO_LOST_STAGE = gettext_lazy("В воронке сделки нет этапа проигрыша")
ERROR_ACTIVITY_OF_OTHER_CLIENT = gettext_lazy("Событие относится к другому клиенту")
ERROR_ACTIVITY_NOT_FOUND = gettext_lazy("Событие не найдено")
ERROR_DEAL_CLOSED = gettext_lazy("Сделка закрыта — сначала откройте её заново")

COMMENT_LINES = gettext_lazy("Изменены товары и услуги")
COMMENT_REOPEN = gettext_lazy("Сделка открыта заново")
COMMENT_LINKED = gettext_lazy("Связано событие: %(activity)s")
COMMENT_MOVED = gettext_lazy("Этап: %(from)s → %(to)s")
COMMENT_AUTOMATIC = gettext_lazy("Автоматически после документа: %(document)s")

FIELD_PROBLEM = "invalid"


class StageMoveError(ValidationError):
    """A refused move: `problems` says every reason (code, Russian message, field)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(problem.field or NON_FIELD_ERRORS, []).append(str(problem.message))
        super().__init__(errors)


# ---------------------------------------------------------------------------------------------
# Cleaning


def _add(errors: dict[str, list[Any]], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ValidationError(errors)


def _decimal(value: Any) -> Decimal | None:
    """A number from the page or the API ('1 234,5', 1234.5, Decimal); None when empty or not a
    number (Decimal("0") is a value, not "empty")."""
    text = "" if value is None else str(value)
    if not text.strip():
        return None
    try:
        return parse_decimal(text)
    except MoneyError:
        return None


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return Decimal("0.00")
    number = _decimal(value)
    if number is None or number < 0 or number != round_money(number):
        return None
    return number.quantize(KOPECK)


def _date(value: Any) -> dt.date | bool | None:
    """A date, None for empty, False when unreadable."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return False


def _instance(model: type[Any], value: Any) -> Any:
    """A model instance from an instance or a primary key; None when missing."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        return model._default_manager.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def _manager_allowed(by: User, manager: User) -> bool:
    return manager.pk == by.pk or colleagues_visible_to(by).filter(pk=manager.pk).exists()


def _clean_fields(
    *, by: User, data: Mapping[str, Any], client: Client, errors: dict[str, list[Any]]
) -> dict[str, Any]:
    """Normalize the editable fields present in `data`; errors go into `errors`."""
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if name == "title":
            title = str(value or "").strip()
            if not title:
                _add(errors, "title", ERROR_TITLE_REQUIRED)
            cleaned["title"] = title[:255]
        elif name == "contact":
            contact = _instance(ContactPerson, value)
            if value not in (None, "") and (
                contact is None
                or not ClientContact.objects.filter(client=client, contact=contact).exists()
            ):
                _add(errors, "contact", ERROR_CONTACT_NOT_OF_CLIENT % {"client": client.name})
            cleaned["contact"] = contact
        elif name == "amount":
            amount = _money(value)
            if amount is None:
                _add(errors, "amount", ERROR_AMOUNT)
            cleaned["amount"] = amount
        elif name == "currency":
            currency = str(value or "RUB").strip().upper()
            if currency not in CURRENCIES:
                _add(errors, "currency", ERROR_CURRENCY % {"currency": value})
            cleaned["currency"] = currency
        elif name == "expected_close_date":
            day = _date(value)
            if day is False:
                _add(errors, "expected_close_date", ERROR_DATE)
            cleaned["expected_close_date"] = day or None
        elif name == "source":
            source = _instance(LeadSource, value)
            if value not in (None, "") and (source is None or not source.is_active):
                _add(errors, "source", ERROR_SOURCE_INACTIVE)
            cleaned["source"] = source
        elif name == "description":
            cleaned["description"] = str(value or "").strip()
        elif name == "first_step":
            if value not in FirstStep.values:
                _add(errors, "first_step", ERROR_FIRST_STEP)
            cleaned["first_step"] = value
        elif name == "manager":
            manager = _instance(User, value)
            if manager is None or not manager.is_active:
                _add(errors, "manager", ERROR_MANAGER_INACTIVE)
            elif not _manager_allowed(by, manager):
                _add(errors, "manager", ERROR_MANAGER_NOT_ALLOWED)
            cleaned["manager"] = manager
        elif name == "co_executors":
            users = []
            for item in value or ():
                user = _instance(User, item)
                if user is None or not user.is_active:
                    _add(
                        errors,
                        "co_executors",
                        ERROR_CO_EXECUTOR_INACTIVE % {"name": getattr(user, "full_name", item)},
                    )
                    continue
                users.append(user)
            cleaned["co_executors"] = users
        elif name == "lost_reason":
            reason = _instance(LostReason, value)
            if value not in (None, "") and (reason is None or not reason.is_active):
                _add(errors, "lost_reason", ERROR_LOST_REASON)
            cleaned["lost_reason"] = reason
        elif name == "lost_comment":
            cleaned["lost_comment"] = str(value or "").strip()[:500]
        else:
            _add(errors, name, ERROR_FIELD_UNKNOWN % {"field": name})
    return cleaned


def _assign(deal: Deal, cleaned: Mapping[str, Any]) -> list[User] | None:
    """Put the cleaned values on the deal; returns the co-executors to set, if given."""
    co_executors = None
    for name, value in cleaned.items():
        if name == "co_executors":
            manager = cleaned.get("manager")
            manager_id = manager.pk if manager is not None else deal.manager_id
            co_executors = [user for user in value if user.pk != manager_id]
            continue
        setattr(deal, name, value)
        if name == "manager":
            deal.department_id = value.department_id
    return co_executors


def _clean_lines(lines: Iterable[Mapping[str, Any]]) -> list[DealLine]:
    errors: dict[str, list[Any]] = {}
    result: list[DealLine] = []
    items = list(lines)
    if len(items) > MAX_LINES:
        _add(errors, "lines", ERROR_TOO_MANY_LINES)
        _raise(errors)
    for number, item in enumerate(items, start=1):
        product = _instance(Product, item.get("product"))
        if item.get("product") not in (None, "") and (product is None or not product.is_active):
            _add(errors, "lines", ERROR_LINE_PRODUCT % {"line": number})
            continue
        name = str(item.get("name") or (product.name if product else "")).strip()
        if not name:
            _add(errors, "lines", ERROR_LINE_NAME % {"line": number})
        quantity = _decimal(item.get("quantity", "1"))
        if quantity is None or quantity <= 0 or quantity != quantity.quantize(Decimal("0.001")):
            _add(errors, "lines", ERROR_LINE_QUANTITY % {"line": number})
            quantity = Decimal("0")
        raw_price = item.get("price")
        if raw_price in (None, "") and product is not None:
            raw_price = product.price
        price = _money(raw_price)
        if price is None:
            _add(errors, "lines", ERROR_LINE_PRICE % {"line": number})
            price = Decimal("0")
        unit_name = str(item.get("unit_name") or (product.unit.name if product else "")).strip()
        result.append(
            DealLine(
                product=product,
                name=name[:500],
                quantity=quantity,
                unit_name=unit_name[:20],
                price=price,
                order=number,
            )
        )
    _raise(errors)
    return result


def _lines_amount(lines: Iterable[DealLine]) -> Decimal:
    total = sum(
        (round_money(line.quantity * line.price) for line in lines),
        Decimal("0.00"),
    )
    return total.quantize(KOPECK)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def stage_deadline_for(stage: Stage, entered_at: dt.datetime) -> dt.date | None:
    """The last day of the stay: the entered (local) date + the stage's limit in working days."""
    if stage.time_limit_days is None or stage.kind != StageKind.OPEN:
        return None
    return add_working_days(_local_date(entered_at), stage.time_limit_days)


def _state(deal: Deal) -> dict[str, Any]:
    return snapshot(deal, DEAL_AUDIT_FIELDS)


# ---------------------------------------------------------------------------------------------
# Create and edit


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.filter(is_active=True).order_by("-is_default", "order", "id").first()


def first_open_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.filter(kind=StageKind.OPEN).order_by("order", "id").first()


@transaction.atomic
def deal_create(
    *,
    by: User,
    client: Client | None,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> Deal:
    """A new open deal; number «С-00001» from the gap-free "deal" sequence."""
    errors: dict[str, list[Any]] = {}
    data = dict(data)
    if client is None:
        _add(errors, "client", ERROR_CLIENT_REQUIRED)
        _raise(errors)
    assert client is not None
    if not visible_to(by, Client.objects.filter(pk=client.pk)).exists():
        _add(errors, "client", ERROR_CLIENT_NOT_FOUND)
        _raise(errors)

    pipeline = _instance(Pipeline, data.pop("pipeline", None))
    stage = _instance(Stage, data.pop("stage", None))
    if pipeline is None and stage is not None:
        pipeline = stage.pipeline
    if pipeline is None:
        pipeline = default_pipeline()
        if pipeline is None:
            _add(errors, "pipeline", ERROR_NO_DEFAULT_PIPELINE)
    elif not pipeline.is_active:
        _add(errors, "pipeline", ERROR_PIPELINE_INACTIVE)
    if pipeline is not None and stage is None:
        stage = first_open_stage(pipeline)
        if stage is None:
            _add(errors, "stage", ERROR_NO_OPEN_STAGE)
    elif pipeline is not None and stage is not None:
        if stage.pipeline_id != pipeline.pk:
            _add(errors, "stage", ERROR_STAGE_OF_OTHER_PIPELINE % {"pipeline": pipeline.name})
        elif stage.kind != StageKind.OPEN:
            _add(errors, "stage", ERROR_STAGE_NOT_OPEN)

    data.setdefault("title", "")
    data.setdefault("manager", by)
    if "source" not in data or data["source"] in (None, ""):
        data["source"] = client.source if client.source and client.source.is_active else None
    cleaned = _clean_fields(by=by, data=data, client=client, errors=errors)
    line_rows: list[DealLine] = []
    if lines:
        try:
            line_rows = _clean_lines(lines)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    _add(errors, field, message)
    _raise(errors)
    assert pipeline is not None and stage is not None

    now = timezone.now()
    deal = Deal(
        client=client,
        pipeline=pipeline,
        stage=stage,
        status=DealStatus.OPEN,
        stage_entered_at=now,
        stage_deadline=stage_deadline_for(stage, now),
        created_by=by,
    )
    co_executors = _assign(deal, cleaned)
    if line_rows:
        deal.amount = _lines_amount(line_rows)
    deal.number = f"С-{next_number('deal', year=0):05d}"
    deal.save()
    if co_executors:
        deal.co_executors.set(co_executors)
    for line in line_rows:
        line.deal = deal
    DealLine.objects.bulk_create(line_rows)
    DealStageChange.objects.create(
        deal=deal, from_stage=None, to_stage=stage, changed_at=now, changed_by=by
    )
    audit_record(actor=by, action=AuditAction.CREATE, instance=deal, after=_state(deal))
    _after_enter(deal=deal, by=by, stage=stage)
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, by: User, data: Mapping[str, Any]) -> Deal:
    """Change the fields given (of DEAL_EDITABLE_FIELDS); stage and status move only through
    deal_move_to_stage / deal_close_lost / deal_reopen."""
    errors: dict[str, list[Any]] = {}
    for name in data:
        if name not in DEAL_EDITABLE_FIELDS:
            _add(errors, name, ERROR_FIELD_UNKNOWN % {"field": name})
    _raise(errors)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    before = stored_snapshot(deal, DEAL_AUDIT_FIELDS)
    cleaned = _clean_fields(by=by, data=data, client=deal.client, errors=errors)
    manager = cleaned.get("manager")
    if manager is not None and manager.pk == deal.manager_id:
        errors.pop("manager", None)  # keeping the present manager is always allowed
    _raise(errors)
    co_executors = _assign(deal, cleaned)
    deal.version += 1
    deal.save()
    if co_executors is not None:
        deal.co_executors.set(co_executors)
    audit_record(
        actor=by, action=AuditAction.UPDATE, instance=deal, before=before, after=_state(deal)
    )
    return deal


@transaction.atomic
def deal_set_lines(*, deal: Deal, by: User, lines: Sequence[Mapping[str, Any]]) -> None:
    """Replace the lines; the expected amount becomes the sum of quantity × price (rounded to
    kopecks per line) when there are lines, and stays as it was when they are all removed."""
    rows = _clean_lines(lines)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    before = stored_snapshot(deal, DEAL_AUDIT_FIELDS)
    old_lines = [
        f"{line.name} × {line.quantity.normalize():f} по {line.price}" for line in deal.lines.all()
    ]
    deal.lines.all().delete()
    for line in rows:
        line.deal = deal
    DealLine.objects.bulk_create(rows)
    if rows:
        deal.amount = _lines_amount(rows)
    deal.version += 1
    deal.save(update_fields=["amount", "version", "updated_at"])
    new_lines = [f"{line.name} × {line.quantity.normalize():f} по {line.price}" for line in rows]
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=deal,
        before={**before, "lines": old_lines},
        after={**_state(deal), "lines": new_lines},
        comment=str(COMMENT_LINES),
    )


# ---------------------------------------------------------------------------------------------
# Moves


def _stage_info(stage: Stage) -> rules.StageInfo:
    documents: list[str] = []
    activity_kinds: list[tuple[str, str]] = []
    for requirement in stage.requirements.all():
        if requirement.kind == RequirementKind.DOCUMENT:
            documents.append(requirement.document)
        elif requirement.activity_kind is not None:
            activity_kinds.append((requirement.activity_kind.code, requirement.activity_kind.name))
    return rules.StageInfo(
        id=stage.pk,
        name=stage.name,
        order=stage.order,
        kind=stage.kind,
        may_skip=stage.may_skip,
        required_fields=tuple(stage.required_fields or ()),
        documents=tuple(documents),
        activity_kinds=tuple(activity_kinds),
    )


def pipeline_stages(pipeline: Pipeline) -> list[Stage]:
    return list(
        pipeline.stages.prefetch_related("requirements__activity_kind").order_by("order", "id")
    )


def _facts(deal: Deal, target: rules.StageInfo | None) -> rules.MoveFacts:
    values = {
        "amount": deal.amount,
        "expected_close_date": deal.expected_close_date,
        "contact": deal.contact_id,
        "lines": deal.pk is not None and deal.lines.exists(),
        "description": deal.description,
        "source": deal.source_id,
    }
    documents: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    titles: dict[str, str] = {}
    if target is not None and target.documents:
        documents = documents_present(deal, target.documents)
        titles = {code: document_title(code) for code in target.documents}
    if target is not None and target.activity_kinds:
        kinds = frozenset(
            Activity.objects.filter(deal_link__deal=deal, status=ActivityStatus.DONE).values_list(
                "kind__code", flat=True
            )
        )
    return rules.MoveFacts(
        filled_fields=rules.filled_fields(values),
        documents=documents,
        activity_kinds=kinds,
        has_lost_reason=deal.lost_reason_id is not None,
        document_titles=titles,
    )


def _localized(problem: Problem) -> Problem:
    """The problem's message in the active language; a field's label is translated too."""
    message = problem.message
    if isinstance(message, Message) and "field" in message.params:
        params = {**message.params, "field": gettext(str(message.params["field"]))}
        return Problem(problem.code, gettext(message.template) % params, problem.field)
    return Problem(problem.code, translated(message), problem.field)


def _check(deal: Deal, target: Stage, stages: list[Stage]) -> list[Problem]:
    infos = {stage.pk: _stage_info(stage) for stage in stages}
    current = infos.get(deal.stage_id) or _stage_info(deal.stage)
    target_info = infos.get(target.pk) or _stage_info(target)
    problems = rules.check_move(
        stages=list(infos.values()),
        current=current,
        target=target_info,
        facts=_facts(deal, target_info),
        closed=deal.status != DealStatus.OPEN,
    )
    return [_localized(problem) for problem in problems]


def deal_move_check(*, deal: Deal, stage: Stage) -> list[Problem]:
    """The problems a move to `stage` would meet now (empty: the move is allowed)."""
    return _check(deal, stage, pipeline_stages(deal.pipeline))


def _field_problems(errors: Mapping[str, list[Any]]) -> list[Problem]:
    return [
        Problem(FIELD_PROBLEM, str(message), field)
        for field, messages in errors.items()
        for message in messages
    ]


def _record_move(
    *,
    deal: Deal,
    target: Stage,
    by: User | None,
    stages: list[Stage],
    comment: str,
    automatic: bool,
    now: dt.datetime,
) -> DealStageChange:
    by_id = {stage.pk: stage for stage in stages}
    current = by_id.get(deal.stage_id, deal.stage)
    skipped = [
        info.name
        for info in rules.skipped_stages(
            [_stage_info(stage) for stage in stages], _stage_info(current), _stage_info(target)
        )
    ]
    seconds = max(int((now - deal.stage_entered_at).total_seconds()), 0)
    working = working_days_between(_local_date(deal.stage_entered_at), _local_date(now))
    return DealStageChange.objects.create(
        deal=deal,
        from_stage=current,
        to_stage=target,
        changed_at=now,
        changed_by=by if getattr(by, "pk", None) else None,
        seconds_in_stage=seconds,
        working_days_in_stage=working,
        skipped=skipped,
        automatic=automatic,
        comment=comment[:500],
    )


def _enter(deal: Deal, target: Stage, now: dt.datetime) -> None:
    deal.stage = target
    deal.stage_entered_at = now
    deal.stage_deadline = stage_deadline_for(target, now)
    if target.kind == StageKind.WON:
        deal.status = DealStatus.WON
        deal.closed_at = now
    elif target.kind == StageKind.LOST:
        deal.status = DealStatus.LOST
        deal.closed_at = now
    else:
        deal.status = DealStatus.OPEN
        deal.closed_at = None


def _after_enter(*, deal: Deal, by: User | None, stage: Stage) -> None:
    from crm.sales.services import automation

    automation.fire("stage_entered", deal=deal, by=by, stage=stage)
    if stage.kind == StageKind.WON:
        automation.fire("deal_won", deal=deal, by=by, stage=stage)
    elif stage.kind == StageKind.LOST:
        automation.fire("deal_lost", deal=deal, by=by, stage=stage)


@transaction.atomic
def deal_move_to_stage(
    *,
    deal: Deal,
    stage: Stage,
    by: User | None,
    data: Mapping[str, Any] | None = None,
    comment: str = "",
    automatic: bool = False,
) -> Deal:
    """Move the deal to `stage`. `data` may fill fields (amount, expected_close_date, contact,
    description, source, lost_reason, lost_comment) before the checks; a refused move raises
    StageMoveError and changes nothing."""
    locked = Deal.objects.select_for_update().select_related("stage", "pipeline", "client")
    deal = locked.get(pk=deal.pk)
    before = stored_snapshot(deal, DEAL_AUDIT_FIELDS)
    errors: dict[str, list[Any]] = {}
    data = dict(data or {})
    for name in list(data):
        if name not in MOVE_DATA_FIELDS:
            _add(errors, name, ERROR_FIELD_UNKNOWN % {"field": name})
            data.pop(name)
    cleaned = _clean_fields(by=by, data=data, client=deal.client, errors=errors)  # type: ignore[arg-type]
    if errors:
        raise StageMoveError(_field_problems(errors))
    _assign(deal, cleaned)
    stages = pipeline_stages(deal.pipeline)
    problems = _check(deal, stage, stages)
    if problems:
        raise StageMoveError(problems)

    now = timezone.now()
    old_stage = deal.stage
    _record_move(
        deal=deal,
        target=stage,
        by=by,
        stages=stages,
        comment=comment,
        automatic=automatic,
        now=now,
    )
    _enter(deal, stage, now)
    if stage.kind != StageKind.LOST:
        deal.lost_reason = None
        deal.lost_comment = ""
    deal.version += 1
    deal.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=deal,
        before=before,
        after=_state(deal),
        comment=comment or str(COMMENT_MOVED % {"from": old_stage.name, "to": stage.name}),
    )
    _after_enter(deal=deal, by=by, stage=stage)
    return deal


def lost_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.filter(kind=StageKind.LOST).order_by("order", "id").first()


def deal_close_lost(*, deal: Deal, by: User, reason: LostReason | None, comment: str = "") -> Deal:
    """Close the deal as lost: to the pipeline's lost stage with the reason (required)."""
    target = lost_stage(deal.pipeline)
    if target is None:
        raise StageMoveError([Problem(FIELD_PROBLEM, str(ERROR_NO_LOST_STAGE), "stage")])
    return deal_move_to_stage(
        deal=deal,
        stage=target,
        by=by,
        data={"lost_reason": reason, "lost_comment": comment},
        comment=comment,
    )


@transaction.atomic
def deal_reopen(*, deal: Deal, by: User) -> Deal:
    """Back to work: to the open stage the deal was in before closing (the first open stage
    when unknown); the lost reason is cleared."""
    deal = Deal.objects.select_for_update().select_related("stage", "pipeline").get(pk=deal.pk)
    if deal.status == DealStatus.OPEN:
        raise StageMoveError([Problem("not_closed", str(ERROR_NOT_CLOSED), None)])
    before = stored_snapshot(deal, DEAL_AUDIT_FIELDS)
    last = (
        DealStageChange.objects.filter(
            deal=deal, from_stage__isnull=False, from_stage__kind=StageKind.OPEN
        )
        .select_related("from_stage")
        .order_by("-changed_at", "-id")
        .first()
    )
    target = last.from_stage if last is not None else first_open_stage(deal.pipeline)
    if target is None:
        raise StageMoveError([Problem("no_open_stage", str(ERROR_NO_OPEN_STAGE), "stage")])
    now = timezone.now()
    _record_move(
        deal=deal,
        target=target,
        by=by,
        stages=pipeline_stages(deal.pipeline),
        comment=str(COMMENT_REOPEN),
        automatic=False,
        now=now,
    )
    _enter(deal, target, now)
    deal.lost_reason = None
    deal.lost_comment = ""
    deal.version += 1
    deal.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=deal,
        before=before,
        after=_state(deal),
        comment=str(COMMENT_REOPEN),
    )
    _after_enter(deal=deal, by=by, stage=target)
    return deal


# ---------------------------------------------------------------------------------------------
# Activities and documents


@transaction.atomic
def deal_link_activity(*, deal: Deal, activity: Activity, by: User | None) -> None:
    """Link the activity to the deal (an activity belongs to one deal at most: a new link
    replaces the old one). The activity must be of the deal's client or of no client."""
    if activity.client_id is not None and activity.client_id != deal.client_id:
        raise ValidationError({"activity": [ERROR_ACTIVITY_OF_OTHER_CLIENT]})
    link = DealActivity.objects.filter(activity=activity).first()
    if link is not None and link.deal_id == deal.pk:
        return
    if link is not None:
        link.deal = deal
        link.save(update_fields=["deal"])
    else:
        DealActivity.objects.create(activity=activity, deal=deal)
    audit_record(
        actor=by,
        action=AuditAction.OTHER,
        instance=deal,
        comment=str(COMMENT_LINKED % {"activity": activity.subject}),
    )


def deal_advance_after_document(*, deal: Deal, document: str, by: User | None) -> Deal | None:
    """Move an open deal forward to the next stage whose requirements include `document`, when
    every check of that move passes now; None when there is no such stage or it is not met."""
    deal = Deal.objects.select_related("stage", "pipeline").get(pk=deal.pk)
    if deal.status != DealStatus.OPEN:
        return None
    stages = pipeline_stages(deal.pipeline)
    ids = [stage.pk for stage in stages]
    if deal.stage_id not in ids:
        return None
    later = stages[ids.index(deal.stage_id) + 1 :]
    target = next(
        (
            stage
            for stage in later
            if any(
                requirement.kind == RequirementKind.DOCUMENT and requirement.document == document
                for requirement in stage.requirements.all()
            )
        ),
        None,
    )
    if target is None or _check(deal, target, stages):
        return None
    return deal_move_to_stage(
        deal=deal,
        stage=target,
        by=by,
        automatic=True,
        comment=str(COMMENT_AUTOMATIC % {"document": document_title(document)}),
    )


def problems_payload(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """The problems as the API and the pages answer them."""
    return [
        {"code": problem.code, "message": str(problem.message), "field": problem.field}
        for problem in problems
    ]


__all__ = [
    "StageMoveError",
    "deal_advance_after_document",
    "deal_close_lost",
    "deal_create",
    "deal_link_activity",
    "deal_move_check",
    "deal_move_to_stage",
    "deal_reopen",
    "deal_set_lines",
    "deal_update",
    "problems_payload",
]

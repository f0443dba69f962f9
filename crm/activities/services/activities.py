"""Writes on activities: create, edit, complete (optionally planning the next one in the same
step), cancel, reschedule, bulk complete and bulk reschedule, delete.

Rules kept here for the page, the API and the calendar alike:
- the client must be one the author may see; the contact must be a contact of that client;
- the responsible must be active and one of the colleagues the author may assign work to
  (crm.accounts.selectors.colleagues_visible_to); co-executors may come from any department;
- the department is copied from the responsible (it scopes what heads see);
- reminders belong to the responsible: absolute ones stay where they are, relative ones
  ("15 minutes before") follow the activity when it moves;
- everyone given work by someone else is notified (bell + e-mail) with the goal, the task and a
  link; every change is audited before → after."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.accounts.selectors import colleagues_visible_to
from crm.activities.domain.schedule import (
    minutes_between,
    moved_to_day,
    reminder_time,
    shifted_by_days,
)
from crm.activities.models import (
    Activity,
    ActivityAttachment,
    ActivityKind,
    ActivityOutcome,
    ActivityStatus,
    Direction,
    Reminder,
    ReminderStatus,
)
from crm.clients.models import Client, ClientContact, ContactPerson
from crm.core.audit import audit_record, audit_records_bulk, snapshot, stored_snapshot
from crm.core.models import AuditAction
from crm.core.services import notification_create

ACTIVITY_AUDIT_FIELDS = (
    "kind",
    "direction",
    "subject",
    "goal",
    "description",
    "start_at",
    "end_at",
    "all_day",
    "status",
    "done_at",
    "duration_minutes",
    "outcome",
    "result",
    "client",
    "contact",
    "responsible",
    "department",
    "co_executors",
    "previous",
)
ACTIVITY_EDITABLE_FIELDS = (
    "kind",
    "direction",
    "subject",
    "goal",
    "description",
    "start_at",
    "end_at",
    "all_day",
    "client",
    "contact",
    "responsible",
    "previous",
)
# What the bulk operations change: plain columns, so their snapshots need no query per row.
BULK_COMPLETE_FIELDS = ("status", "done_at", "duration_minutes", "result")
BULK_RESCHEDULE_FIELDS = ("start_at", "end_at")

MAX_REMINDER_OFFSET_MINUTES = 60 * 24 * 30  # a month before the start at most
MAX_BULK = 500
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

ERROR_SUBJECT_REQUIRED = gettext_lazy("Укажите тему события")
ERROR_KIND_REQUIRED = gettext_lazy("Выберите вид события")
ERROR_KIND_INACTIVE = gettext_lazy("Этот вид событий больше не используется")
ERROR_START_REQUIRED = gettext_lazy("Укажите дату и время начала")
ERROR_END_BEFORE_START = gettext_lazy("Окончание раньше начала")
ERROR_DIRECTION = gettext_lazy("Неизвестное направление")
ERROR_CLIENT_NOT_FOUND = gettext_lazy("Клиент не найден")
ERROR_CONTACT_WITHOUT_CLIENT = gettext_lazy("Контактное лицо выбирается после клиента")
ERROR_CONTACT_NOT_OF_CLIENT = gettext_lazy(
    "Это контактное лицо не относится к клиенту «%(client)s»"
)
ERROR_RESPONSIBLE_INACTIVE = gettext_lazy("Сотрудник отключён — выберите работающего")
ERROR_RESPONSIBLE_NOT_ALLOWED = gettext_lazy("Поручать события этому сотруднику вы не можете")
ERROR_CO_EXECUTOR_INACTIVE = gettext_lazy("Соисполнитель «%(name)s» отключён")
ERROR_REMINDER_BAD = gettext_lazy(
    "Напоминание: укажите время или за сколько минут до начала напомнить"
)
ERROR_REMINDER_OFFSET = gettext_lazy("Напомнить можно не раньше чем за 30 дней до начала")
ERROR_NOT_PLANNED = gettext_lazy("Событие уже выполнено или отменено")
ERROR_RESULT_REQUIRED = gettext_lazy("Опишите итог")
ERROR_OUTCOME_OF_ANOTHER_KIND = gettext_lazy(
    "Результат «%(outcome)s» не относится к виду «%(kind)s»"
)
ERROR_DURATION = gettext_lazy("Длительность — целое число минут от 0 до 1440")
ERROR_DONE_IN_FUTURE = gettext_lazy("Время выполнения ещё не наступило")
ERROR_NOTHING_SELECTED = gettext_lazy("Отметьте хотя бы одно событие")
ERROR_TOO_MANY = gettext_lazy("За один раз можно обработать не больше 500 событий")
ERROR_SHIFT_OR_DATE = gettext_lazy("Укажите, на сколько дней перенести, или новую дату")
ERROR_SHIFT_ZERO = gettext_lazy("Сдвиг на 0 дней ничего не меняет")
ERROR_FILE_TOO_LARGE = gettext_lazy("Файл больше 10 МБ — загрузите файл поменьше")
ERROR_FILE_EMPTY = gettext_lazy("Файл пустой")
ERROR_DONE_NOT_DELETABLE = gettext_lazy(
    "Выполненное событие — часть истории работы с клиентом, удалить его нельзя"
)

NOTIFY_RESPONSIBLE_TITLE = gettext_lazy("Вам поручено событие: %(subject)s")
NOTIFY_CO_EXECUTOR_TITLE = gettext_lazy("Вы соисполнитель события: %(subject)s")

ReminderSpec = Mapping[str, Any]  # {"offset_minutes": 15} or {"at": aware datetime}


class Completion(NamedTuple):
    activity: Activity
    next_activity: Activity | None


# ---------------------------------------------------------------------------------------------
# Labels


def offset_label(minutes: int) -> str:
    """«за 15 минут», «за 1 час», «за 1 день» — how a relative reminder reads."""
    if minutes == 0:
        return _("в момент начала")
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("за %(n)d день", "за %(n)d дня", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("за %(n)d час", "за %(n)d часа", hours) % {"n": hours}
    return ngettext("за %(n)d минуту", "за %(n)d минут", minutes) % {"n": minutes}


def reminder_label(reminder: Reminder) -> str:
    if reminder.offset_minutes is not None:
        return offset_label(reminder.offset_minutes)
    return timezone.localtime(reminder.remind_at).strftime("%d.%m.%Y %H:%M")


# ---------------------------------------------------------------------------------------------
# Validation


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Aware datetimes kept in UTC, as the database returns them, so a history row compares
    like with like (10:00+03:00 and 07:00+00:00 are the same moment, not a change)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


def _add(errors: dict[str, list[Any]], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(message)


def _client_visible(by: User, client: Client) -> bool:
    return visible_to(by, Client.objects.filter(pk=client.pk)).exists()


def _clean(
    *, by: User, data: dict[str, Any], instance: Activity | None, errors: dict[str, list[Any]]
) -> dict[str, Any]:
    """Normalize and check the fields of a new activity (`instance` None) or the changed fields
    of an existing one; errors go into `errors`, keyed by field."""
    data = dict(data)
    for name in ("subject", "goal", "description"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    for name in ("start_at", "end_at"):
        if isinstance(data.get(name), dt.datetime):
            data[name] = _utc(data[name])

    def current(name: str) -> Any:
        if name in data:
            return data[name]
        return getattr(instance, name) if instance is not None else None

    if (instance is None or "subject" in data) and not data.get("subject"):
        _add(errors, "subject", ERROR_SUBJECT_REQUIRED)
    if instance is None or "kind" in data:
        kind = data.get("kind")
        if kind is None:
            _add(errors, "kind", ERROR_KIND_REQUIRED)
        elif not kind.is_active and (instance is None or kind.pk != instance.kind_id):
            _add(errors, "kind", ERROR_KIND_INACTIVE)
    if "direction" in data and data["direction"] not in Direction.values:
        _add(errors, "direction", ERROR_DIRECTION)
    if (instance is None or "start_at" in data) and data.get("start_at") is None:
        _add(errors, "start_at", ERROR_START_REQUIRED)
    start_at, end_at = current("start_at"), current("end_at")
    if start_at is not None and end_at is not None and end_at < start_at:
        _add(errors, "end_at", ERROR_END_BEFORE_START)

    client = current("client")
    if "client" in data and client is not None:
        changed = instance is None or client.pk != instance.client_id
        if changed and not _client_visible(by, client):
            _add(errors, "client", ERROR_CLIENT_NOT_FOUND)
    contact = current("contact")
    if ("contact" in data or "client" in data) and contact is not None:
        if client is None:
            _add(errors, "contact", ERROR_CONTACT_WITHOUT_CLIENT)
        elif not ClientContact.objects.filter(client=client, contact=contact).exists():
            _add(errors, "contact", ERROR_CONTACT_NOT_OF_CLIENT % {"client": client.name})

    if instance is None:
        data.setdefault("responsible", by)
    responsible = data.get("responsible")
    if responsible is not None and (instance is None or responsible.pk != instance.responsible_id):
        if not responsible.is_active:
            _add(errors, "responsible", ERROR_RESPONSIBLE_INACTIVE)
        elif (
            responsible.pk != by.pk
            and not colleagues_visible_to(by).filter(pk=responsible.pk).exists()
        ):
            _add(errors, "responsible", ERROR_RESPONSIBLE_NOT_ALLOWED)
    if "responsible" in data and responsible is None:
        _add(errors, "responsible", ERROR_RESPONSIBLE_INACTIVE)
    return data


def _clean_co_executors(
    users: Iterable[User] | None, errors: dict[str, list[Any]]
) -> list[User] | None:
    if users is None:
        return None
    chosen: dict[int, User] = {}
    for user in users:
        if not user.is_active:
            _add(errors, "co_executors", ERROR_CO_EXECUTOR_INACTIVE % {"name": user.full_name})
        chosen[user.pk] = user
    return list(chosen.values())


def _clean_reminders(
    specs: Iterable[ReminderSpec] | None, errors: dict[str, list[Any]]
) -> list[tuple[int | None, dt.datetime | None]] | None:
    """[(offset_minutes, None) | (None, at)], duplicates dropped."""
    if specs is None:
        return None
    cleaned: list[tuple[int | None, dt.datetime | None]] = []
    for spec in specs:
        offset, at = spec.get("offset_minutes"), spec.get("at")
        if offset is not None and at is None:
            try:
                minutes = int(offset)
            except (TypeError, ValueError):
                _add(errors, "reminders", ERROR_REMINDER_BAD)
                continue
            if not 0 <= minutes <= MAX_REMINDER_OFFSET_MINUTES:
                _add(errors, "reminders", ERROR_REMINDER_OFFSET)
                continue
            item: tuple[int | None, dt.datetime | None] = (minutes, None)
        elif at is not None and offset is None and isinstance(at, dt.datetime):
            item = (None, at if timezone.is_aware(at) else timezone.make_aware(at))
        else:
            _add(errors, "reminders", ERROR_REMINDER_BAD)
            continue
        if item not in cleaned:
            cleaned.append(item)
    return cleaned


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Reminders and notifications


def _pending_reminders(activity: Activity) -> list[Reminder]:
    return list(activity.reminders.filter(status=ReminderStatus.PENDING))


def _reminder_texts(activity: Activity) -> list[str]:
    return sorted(reminder_label(reminder) for reminder in _pending_reminders(activity))


def _audit_state(activity: Activity, *, stored: bool = False) -> dict[str, Any]:
    state = (
        stored_snapshot(activity, ACTIVITY_AUDIT_FIELDS)
        if stored
        else snapshot(activity, ACTIVITY_AUDIT_FIELDS)
    )
    state["reminders"] = _reminder_texts(activity)
    return state


def _create_reminders(
    activity: Activity, items: Sequence[tuple[int | None, dt.datetime | None]]
) -> None:
    Reminder.objects.bulk_create(
        [
            Reminder(
                activity=activity,
                user_id=activity.responsible_id,
                remind_at=reminder_time(activity.start_at, offset)
                if offset is not None
                else cast(dt.datetime, at),
                offset_minutes=offset,
            )
            for offset, at in items
        ]
    )


def _follow_start(activity: Activity) -> None:
    """Relative pending reminders move with the start; absolute ones stay."""
    moved = []
    for reminder in activity.reminders.filter(
        status=ReminderStatus.PENDING, offset_minutes__isnull=False
    ):
        reminder.remind_at = reminder_time(activity.start_at, reminder.offset_minutes or 0)
        moved.append(reminder)
    Reminder.objects.bulk_update(moved, ["remind_at"])


def _cancel_pending_reminders(activities: Iterable[Activity]) -> int:
    return Reminder.objects.filter(
        activity__in=[a.pk for a in activities], status=ReminderStatus.PENDING
    ).update(status=ReminderStatus.CANCELLED)


def activity_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def _notification_body(activity: Activity, *, by: User, recipient: User) -> str:
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(recipient.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    when = activity.start_at.astimezone(zone)
    lines = [
        _("Поручил: %(name)s") % {"name": by.full_name},
        _("%(kind)s, %(when)s") % {"kind": activity.kind.name, "when": f"{when:%d.%m.%Y %H:%M}"},
    ]
    if activity.client_id:
        lines.append(_("Клиент: %(client)s") % {"client": activity.client})
    if activity.goal:
        lines.append(_("Цель: %(goal)s") % {"goal": activity.goal})
    if activity.description:
        lines.append(_("Задача: %(task)s") % {"task": activity.description})
    lines.append(_("Открыть: %(url)s") % {"url": activity_url(activity)})
    return "\n".join(lines)


def _notify(activity: Activity, *, by: User, users: Iterable[User], title: Any) -> None:
    for user in users:
        if user.pk == by.pk or not user.is_active:
            continue
        notification_create(
            user=user,
            title=str(title % {"subject": activity.subject})[:255],
            body=_notification_body(activity, by=by, recipient=user),
            url=activity_url(activity),
        )


# ---------------------------------------------------------------------------------------------
# Create and edit


@transaction.atomic
def activity_create(
    *,
    by: User,
    kind: ActivityKind,
    subject: str,
    start_at: dt.datetime,
    end_at: dt.datetime | None = None,
    all_day: bool = False,
    direction: str = Direction.OUTGOING,
    goal: str = "",
    description: str = "",
    client: Client | None = None,
    contact: ContactPerson | None = None,
    responsible: User | None = None,
    co_executors: Iterable[User] = (),
    previous: Activity | None = None,
    reminders: Iterable[ReminderSpec] = (),
) -> Activity:
    """A planned activity. The responsible defaults to the author; reminders are created for the
    responsible; the responsible (when not the author) and the co-executors are notified."""
    errors: dict[str, list[Any]] = {}
    fields: dict[str, Any] = {
        "kind": kind,
        "subject": subject,
        "start_at": start_at,
        "end_at": end_at,
        "all_day": all_day,
        "direction": direction,
        "goal": goal,
        "description": description,
        "client": client,
        "contact": contact,
        "previous": previous,
    }
    if responsible is not None:
        fields["responsible"] = responsible
    data = _clean(by=by, data=fields, instance=None, errors=errors)
    helpers = _clean_co_executors(co_executors, errors) or []
    reminder_items = _clean_reminders(reminders, errors) or []
    _raise(errors)
    return _create(by=by, data=data, co_executors=helpers, reminder_items=reminder_items)


def _create(
    *,
    by: User,
    data: dict[str, Any],
    co_executors: list[User],
    reminder_items: Sequence[tuple[int | None, dt.datetime | None]],
) -> Activity:
    responsible: User = data["responsible"]
    activity = Activity(
        **data,
        department_id=responsible.department_id,
        status=ActivityStatus.PLANNED,
        created_by=by,
    )
    activity.save()
    helpers = [user for user in co_executors if user.pk != responsible.pk]
    activity.co_executors.set(helpers)
    _create_reminders(activity, reminder_items)
    audit_record(
        actor=by, action=AuditAction.CREATE, instance=activity, after=_audit_state(activity)
    )
    _notify(activity, by=by, users=[responsible], title=NOTIFY_RESPONSIBLE_TITLE)
    _notify(activity, by=by, users=helpers, title=NOTIFY_CO_EXECUTOR_TITLE)
    return activity


@transaction.atomic
def activity_update(
    *,
    by: User,
    activity: Activity,
    co_executors: Iterable[User] | None = None,
    reminders: Iterable[ReminderSpec] | None = None,
    **fields: Any,
) -> Activity:
    """Change the fields given. `co_executors` and `reminders`, when given, replace the current
    ones (only pending reminders are replaced: sent ones are history). A new responsible takes
    over the pending reminders and is notified; new co-executors are notified."""
    unknown = set(fields) - set(ACTIVITY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable activity fields: {sorted(unknown)}")
    before = _audit_state(activity, stored=True)
    stored = Activity.objects.select_related("responsible").get(pk=activity.pk)
    errors: dict[str, list[Any]] = {}
    data = _clean(by=by, data=fields, instance=stored, errors=errors)
    helpers = _clean_co_executors(co_executors, errors)
    reminder_items = _clean_reminders(reminders, errors)
    kind = data.get("kind")
    if kind is not None and stored.outcome_id and kind.pk != stored.kind_id:
        outcome = ActivityOutcome.objects.get(pk=stored.outcome_id)
        _add(
            errors,
            "kind",
            ERROR_OUTCOME_OF_ANOTHER_KIND % {"outcome": outcome.name, "kind": kind.name},
        )
    _raise(errors)

    old_helper_ids = set(stored.co_executors.values_list("pk", flat=True))
    for name, value in data.items():
        setattr(activity, name, value)
    new_responsible = activity.responsible_id != stored.responsible_id
    if new_responsible:
        activity.department_id = activity.responsible.department_id
    activity.save()
    if helpers is not None:
        helpers = [user for user in helpers if user.pk != activity.responsible_id]
        activity.co_executors.set(helpers)
    elif new_responsible:
        activity.co_executors.remove(activity.responsible_id)  # responsible, no longer a helper
    if new_responsible:
        activity.reminders.filter(status=ReminderStatus.PENDING).update(
            user_id=activity.responsible_id
        )
    if reminder_items is not None:
        activity.reminders.filter(status=ReminderStatus.PENDING).delete()
        _create_reminders(activity, reminder_items)
    elif activity.start_at != stored.start_at:
        _follow_start(activity)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=activity,
        before=before,
        after=_audit_state(activity),
    )
    if new_responsible:
        _notify(activity, by=by, users=[activity.responsible], title=NOTIFY_RESPONSIBLE_TITLE)
    if helpers is not None:
        added = [user for user in helpers if user.pk not in old_helper_ids]
        _notify(activity, by=by, users=added, title=NOTIFY_CO_EXECUTOR_TITLE)
    return activity


# ---------------------------------------------------------------------------------------------
# Complete, cancel, reschedule, delete


def _ensure_planned(activity: Activity) -> None:
    if activity.status != ActivityStatus.PLANNED:
        raise ValidationError({"status": [ERROR_NOT_PLANNED]})


def _clean_completion(
    *,
    activity: Activity,
    result: str,
    outcome: ActivityOutcome | None,
    done_at: dt.datetime,
    duration_minutes: Any,
    errors: dict[str, list[Any]],
    prefix: str = "",
) -> int | None:
    if not (result or "").strip():
        _add(errors, f"{prefix}result", ERROR_RESULT_REQUIRED)
    if outcome is not None and outcome.kind_id != activity.kind_id:
        _add(
            errors,
            f"{prefix}outcome",
            ERROR_OUTCOME_OF_ANOTHER_KIND % {"outcome": outcome.name, "kind": activity.kind.name},
        )
    if done_at > timezone.now() + dt.timedelta(minutes=5):
        _add(errors, f"{prefix}done_at", ERROR_DONE_IN_FUTURE)
    if duration_minutes in (None, ""):
        return minutes_between(activity.start_at, activity.end_at) if activity.end_at else None
    try:
        minutes = int(duration_minutes)
    except (TypeError, ValueError):
        minutes = -1
    if not 0 <= minutes <= 1440:
        _add(errors, f"{prefix}duration_minutes", ERROR_DURATION)
        return None
    return minutes


@transaction.atomic
def activity_complete(
    *,
    by: User,
    activity: Activity,
    result: str,
    outcome: ActivityOutcome | None = None,
    done_at: dt.datetime | None = None,
    duration_minutes: int | None = None,
    next: Mapping[str, Any] | None = None,
) -> Completion:
    """Mark a planned activity done with its result; its pending reminders are cancelled.

    With `next` ({kind, subject, start_at, goal, …} as for activity_create) the follow-up is
    planned in the same transaction, linked by `previous`; the client and contact carry over
    unless given. Errors of the follow-up are keyed `next_<field>`; nothing is saved then."""
    _ensure_planned(activity)
    done_at = _utc(done_at) or timezone.now()
    errors: dict[str, list[Any]] = {}
    minutes = _clean_completion(
        activity=activity,
        result=result,
        outcome=outcome,
        done_at=done_at,
        duration_minutes=duration_minutes,
        errors=errors,
    )
    next_data: dict[str, Any] | None = None
    next_helpers: list[User] = []
    next_reminders: list[tuple[int | None, dt.datetime | None]] = []
    if next is not None:
        spec = dict(next)
        helpers_spec = spec.pop("co_executors", ())
        reminders_spec = spec.pop("reminders", ())
        spec.setdefault("client", activity.client)
        spec.setdefault("contact", activity.contact if spec["client"] == activity.client else None)
        spec.setdefault("subject", activity.subject)
        spec.setdefault("direction", Direction.OUTGOING)
        if "responsible" not in spec or spec["responsible"] is None:
            spec["responsible"] = activity.responsible if activity.responsible_id else by
            if spec["responsible"].pk != by.pk and not (
                colleagues_visible_to(by).filter(pk=spec["responsible"].pk).exists()
            ):
                spec["responsible"] = by
        spec["previous"] = activity
        next_errors: dict[str, list[Any]] = {}
        next_data = _clean(by=by, data=spec, instance=None, errors=next_errors)
        next_helpers = _clean_co_executors(helpers_spec, next_errors) or []
        next_reminders = _clean_reminders(reminders_spec, next_errors) or []
        for field, messages in next_errors.items():
            errors.setdefault(f"next_{field}", []).extend(messages)
    _raise(errors)

    before = _audit_state(activity, stored=True)
    activity.status = ActivityStatus.DONE
    activity.done_at = done_at
    activity.duration_minutes = minutes
    activity.outcome = outcome
    activity.result = result.strip()
    activity.save(
        update_fields=["status", "done_at", "duration_minutes", "outcome", "result", "updated_at"]
    )
    _cancel_pending_reminders([activity])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=activity,
        before=before,
        after=_audit_state(activity),
        comment=_("Событие выполнено"),
    )
    next_activity = None
    if next_data is not None:
        next_activity = _create(
            by=by, data=next_data, co_executors=next_helpers, reminder_items=next_reminders
        )
    return Completion(activity, next_activity)


@transaction.atomic
def activity_cancel(*, by: User, activity: Activity, reason: str = "") -> Activity:
    """Cancel a planned activity; the reason is kept as its result and in the history."""
    _ensure_planned(activity)
    before = _audit_state(activity, stored=True)
    activity.status = ActivityStatus.CANCELLED
    activity.result = reason.strip()
    activity.save(update_fields=["status", "result", "updated_at"])
    _cancel_pending_reminders([activity])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=activity,
        before=before,
        after=_audit_state(activity),
        comment=_("Событие отменено"),
    )
    return activity


@transaction.atomic
def activity_reschedule(
    *,
    by: User,
    activity: Activity,
    start_at: dt.datetime,
    end_at: dt.datetime | None = None,
    keep_duration: bool = True,
) -> Activity:
    """Move a planned activity (the calendar's drag and resize call this too). Without `end_at`
    the planned duration is kept (`keep_duration`), else the end is cleared. Relative reminders
    follow the new start."""
    _ensure_planned(activity)
    if start_at is None:
        raise ValidationError({"start_at": [ERROR_START_REQUIRED]})
    start_at, end_at = cast(dt.datetime, _utc(start_at)), _utc(end_at)
    if end_at is None and keep_duration and activity.end_at is not None:
        end_at = start_at + (activity.end_at - activity.start_at)
    if end_at is not None and end_at < start_at:
        raise ValidationError({"end_at": [ERROR_END_BEFORE_START]})
    before = _audit_state(activity, stored=True)
    activity.start_at = start_at
    activity.end_at = end_at
    activity.save(update_fields=["start_at", "end_at", "updated_at"])
    _follow_start(activity)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=activity,
        before=before,
        after=_audit_state(activity),
        comment=_("Событие перенесено"),
    )
    return activity


@transaction.atomic
def activity_delete(*, by: User, activity: Activity) -> None:
    """Delete a planned or cancelled activity (done ones are the client's history)."""
    if activity.status == ActivityStatus.DONE:
        raise ValidationError({"status": [ERROR_DONE_NOT_DELETABLE]})
    before = _audit_state(activity, stored=True)
    audit_record(actor=by, action=AuditAction.DELETE, instance=activity, before=before)
    activity.delete()


# ---------------------------------------------------------------------------------------------
# Bulk


def _selection(by: User, ids: Iterable[Any]) -> list[Activity]:
    """The planned activities among `ids` that `by` may see; others are silently left out."""
    try:
        pks = sorted({int(pk) for pk in ids})
    except (TypeError, ValueError):
        pks = []
    if not pks:
        raise ValidationError({"ids": [ERROR_NOTHING_SELECTED]})
    if len(pks) > MAX_BULK:
        raise ValidationError({"ids": [ERROR_TOO_MANY]})
    planned = Activity.objects.filter(pk__in=pks, status=ActivityStatus.PLANNED)
    return list(visible_to(by, planned).order_by("pk"))


@transaction.atomic
def activity_bulk_complete(
    *, by: User, ids: Iterable[Any], result: str, done_at: dt.datetime | None = None
) -> int:
    """Complete the chosen planned activities with one result text; returns how many."""
    if not (result or "").strip():
        raise ValidationError({"result": [ERROR_RESULT_REQUIRED]})
    activities = _selection(by, ids)
    done_at = done_at or timezone.now()
    rows = []
    for activity in activities:
        before = snapshot(activity, BULK_COMPLETE_FIELDS)
        activity.status = ActivityStatus.DONE
        activity.done_at = done_at
        if activity.end_at is not None:
            activity.duration_minutes = minutes_between(activity.start_at, activity.end_at)
        activity.result = result.strip()
        activity.updated_at = done_at
        rows.append((activity, before, snapshot(activity, BULK_COMPLETE_FIELDS)))
    Activity.objects.bulk_update(activities, [*BULK_COMPLETE_FIELDS, "updated_at"])
    _cancel_pending_reminders(activities)
    audit_records_bulk(
        actor=by, action=AuditAction.UPDATE, rows=rows, comment=_("Групповое завершение")
    )
    return len(activities)


def _user_zone(user: User) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


@transaction.atomic
def activity_bulk_reschedule(
    *,
    by: User,
    ids: Iterable[Any],
    shift_days: int | None = None,
    date: dt.date | None = None,
) -> int:
    """Move the chosen planned activities by `shift_days` days or onto `date`, keeping each
    one's time of day (in the user's time zone) and duration; relative reminders follow."""
    if date is None and shift_days is None:
        raise ValidationError({"shift_days": [ERROR_SHIFT_OR_DATE]})
    if date is None and shift_days == 0:
        raise ValidationError({"shift_days": [ERROR_SHIFT_ZERO]})
    activities = _selection(by, ids)
    zone = _user_zone(by)
    now = timezone.now()
    rows = []
    for activity in activities:
        before = snapshot(activity, BULK_RESCHEDULE_FIELDS)
        start = (
            moved_to_day(activity.start_at, date, zone)
            if date is not None
            else shifted_by_days(activity.start_at, shift_days or 0, zone)
        ).astimezone(dt.UTC)
        if activity.end_at is not None:
            activity.end_at = start + (activity.end_at - activity.start_at)
        activity.start_at = start
        activity.updated_at = now
        rows.append((activity, before, snapshot(activity, BULK_RESCHEDULE_FIELDS)))
    Activity.objects.bulk_update(activities, [*BULK_RESCHEDULE_FIELDS, "updated_at"])
    starts = {activity.pk: activity.start_at for activity in activities}
    moved = list(
        Reminder.objects.filter(
            activity_id__in=starts, status=ReminderStatus.PENDING, offset_minutes__isnull=False
        )
    )
    for reminder in moved:
        start = starts[reminder.activity_id]
        reminder.remind_at = reminder_time(start, reminder.offset_minutes or 0)
    Reminder.objects.bulk_update(moved, ["remind_at"])
    audit_records_bulk(
        actor=by, action=AuditAction.UPDATE, rows=rows, comment=_("Групповой перенос")
    )
    return len(activities)


# ---------------------------------------------------------------------------------------------
# Attachments


@transaction.atomic
def attachment_add(*, by: User, activity: Activity, file: Any) -> ActivityAttachment:
    """Attach a file (at most 10 MB); the activity's history records it."""
    size = getattr(file, "size", 0) or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [ERROR_FILE_TOO_LARGE]})
    if size == 0:
        raise ValidationError({"file": [ERROR_FILE_EMPTY]})
    name = os.path.basename(str(getattr(file, "name", "") or "file"))[:255]
    before = sorted(activity.attachments.values_list("name", flat=True))
    attachment = ActivityAttachment(activity=activity, name=name, size=size, uploaded_by=by)
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=activity,
        before={"attachments": before},
        after={"attachments": sorted([*before, name])},
        comment=_("Добавлено вложение"),
    )
    return attachment

"""Group changes of clients: one field (or the tags) of many cards in one step, and its undo.

A group change runs in one transaction: it applies the user's scope again to the cards it is
given (ids posted by someone else's page are ignored), reads the cards whose value differs,
updates them with bulk UPDATEs of at most CHUNK ids, writes one audit row per changed card in
one INSERT per CHUNK, and keeps a GroupChange with each card's value before, so that the user's
last group change can be undone while the same cards were not changed since.

GroupChange.before is `{"<client id>": {field: value before}, "_after": {field: value set}}`:
ids for relations, the raw value for region/size/status; for a tag action the field is "tags"
and the values are the ids of the action's tags the card had before / the action's tags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Exists, OuterRef, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.access import user_scope, visible_to
from crm.accounts.models import Department, User
from crm.accounts.roles import Area, Scope
from crm.accounts.selectors import colleagues_visible_to
from crm.clients.domain.completeness import score_completeness
from crm.clients.domain.plural import plural_form
from crm.clients.models import (
    Client,
    ClientSize,
    ClientStatus,
    GroupChange,
    Industry,
    LeadSource,
    Tag,
)
from crm.clients.selectors.completeness import FACT_COLUMNS, clients_facts, completeness_weights
from crm.clients.services.assignment import clients_assigned_notify
from crm.core.audit import audit_records_bulk
from crm.core.models import AuditAction

CHUNK = 500
AFTER_KEY = "_after"


class GroupAction(StrEnum):
    OWNER = "owner"
    DEPARTMENT = "department"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    INDUSTRY = "industry"
    REGION = "region"
    SIZE = "size"
    SOURCE = "source"
    ARCHIVE = "archive"
    RESTORE = "restore"


ACTION_LABELS = {
    GroupAction.OWNER: gettext_lazy("Сменить ответственного"),
    GroupAction.DEPARTMENT: gettext_lazy("Сменить отдел"),
    GroupAction.ADD_TAGS: gettext_lazy("Добавить метки"),
    GroupAction.REMOVE_TAGS: gettext_lazy("Снять метки"),
    GroupAction.INDUSTRY: gettext_lazy("Указать отрасль"),
    GroupAction.REGION: gettext_lazy("Указать регион"),
    GroupAction.SIZE: gettext_lazy("Указать размер"),
    GroupAction.SOURCE: gettext_lazy("Указать источник"),
    GroupAction.ARCHIVE: gettext_lazy("Перенести в архив"),
    GroupAction.RESTORE: gettext_lazy("Восстановить из архива"),
}
ACTION_CHOICES = [(action.value, label) for action, label in ACTION_LABELS.items()]
REASSIGN_ACTIONS = (GroupAction.OWNER, GroupAction.DEPARTMENT)
COMPLETENESS_FIELDS = ("industry", "source", "region", "size")  # inputs of the score
TAG_ACTIONS = (GroupAction.ADD_TAGS, GroupAction.REMOVE_TAGS)

# The Client field each action writes; the relations among them are stored by id.
FIELD_OF_ACTION = {
    GroupAction.OWNER: "owner",
    GroupAction.DEPARTMENT: "department",
    GroupAction.INDUSTRY: "industry",
    GroupAction.REGION: "region",
    GroupAction.SIZE: "size",
    GroupAction.SOURCE: "source",
    GroupAction.ARCHIVE: "status",
    GroupAction.RESTORE: "status",
    GroupAction.ADD_TAGS: "tags",
    GroupAction.REMOVE_TAGS: "tags",
}
RELATED_MODELS: dict[str, type[models.Model]] = {
    "owner": User,
    "department": Department,
    "industry": Industry,
    "source": LeadSource,
}

ERROR_UNKNOWN_ACTION = gettext_lazy("Выберите действие")
ERROR_NO_RIGHT_REASSIGN = gettext_lazy(
    "Менять ответственного и отдел группой могут только руководитель отдела и администратор"
)
ERROR_OWNER = gettext_lazy("Выберите работающего сотрудника из доступных вам")
ERROR_DEPARTMENT = gettext_lazy("Выберите действующий отдел")
ERROR_INDUSTRY = gettext_lazy("Такой отрасли нет в справочнике")
ERROR_SOURCE = gettext_lazy("Выберите используемый источник из справочника")
ERROR_SIZE = gettext_lazy("Такого размера нет — выберите из списка")
ERROR_REGION_LONG = gettext_lazy("Регион — не длиннее 100 символов")
ERROR_TAGS = gettext_lazy("Выберите хотя бы одну метку из справочника")
ERROR_NOTHING_TO_CHANGE = gettext_lazy("Ни одна карточка не изменится — менять нечего")
ERROR_NOTHING_TO_UNDO = gettext_lazy("Нет группового изменения, которое можно отменить")


def preview_message(count: int) -> str:
    """«Будет изменено 134 карточки» — what the preview step says before confirming."""
    text = plural_form(
        count,
        _("Будет изменена %(count)s карточка"),
        _("Будет изменено %(count)s карточки"),
        _("Будет изменено %(count)s карточек"),
    )
    return text % {"count": count}


def changed_message(count: int) -> str:
    text = plural_form(
        count,
        _("Изменена %(count)s карточка"),
        _("Изменено %(count)s карточки"),
        _("Изменено %(count)s карточек"),
    )
    return text % {"count": count}


def undo_refused_message(count: int) -> str:
    text = plural_form(
        count,
        _("Отменить нельзя: после группового изменения изменена %(count)s карточка"),
        _("Отменить нельзя: после группового изменения изменено %(count)s карточки"),
        _("Отменить нельзя: после группового изменения изменено %(count)s карточек"),
    )
    return text % {"count": count}


def can_reassign(user: Any) -> bool:
    """Heads (their department) and whoever sees every client may change owner/department."""
    return user_scope(user, Area.SALES) in (Scope.DEPARTMENT, Scope.ALL)


@dataclass(frozen=True)
class ResolvedValue:
    """What an action writes: the raw value stored on the card and its text for people."""

    action: GroupAction
    raw: Any  # an id, a string, or a tuple of tag ids
    text: str


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _one_of(queryset: models.QuerySet[Any], value: Any, error: Any) -> models.Model:
    try:
        found: models.Model | None = queryset.filter(pk=_pk(value)).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise ValidationError({"value": [error]})
    return found


def resolve_value(*, by: User, action: str, value: Any) -> ResolvedValue:
    """Check the action and its value for `by`; ValidationError (or PermissionDenied for
    owner/department without the right) names what is wrong."""
    try:
        group_action = GroupAction(action)
    except ValueError:
        raise ValidationError({"action": [ERROR_UNKNOWN_ACTION]}) from None
    if group_action in REASSIGN_ACTIONS and not can_reassign(by):
        raise PermissionDenied(ERROR_NO_RIGHT_REASSIGN)
    empty = value in (None, "", [], ())
    match group_action:
        case GroupAction.OWNER:
            owner = _one_of(colleagues_visible_to(by), None if empty else value, ERROR_OWNER)
            return ResolvedValue(group_action, owner.pk, str(owner))
        case GroupAction.DEPARTMENT:
            departments = Department.objects.filter(is_active=True)
            department = _one_of(departments, None if empty else value, ERROR_DEPARTMENT)
            return ResolvedValue(group_action, department.pk, str(department))
        case GroupAction.INDUSTRY:
            if empty:
                return ResolvedValue(group_action, None, "—")
            industry = _one_of(Industry.objects.all(), value, ERROR_INDUSTRY)
            return ResolvedValue(group_action, industry.pk, str(industry))
        case GroupAction.SOURCE:
            if empty:
                return ResolvedValue(group_action, None, "—")
            source = _one_of(LeadSource.objects.filter(is_active=True), value, ERROR_SOURCE)
            return ResolvedValue(group_action, source.pk, str(source))
        case GroupAction.REGION:
            region = "" if empty else str(value).strip()
            if len(region) > 100:
                raise ValidationError({"value": [ERROR_REGION_LONG]})
            return ResolvedValue(group_action, region, region or "—")
        case GroupAction.SIZE:
            size = "" if empty else str(value)
            if size and size not in ClientSize.values:
                raise ValidationError({"value": [ERROR_SIZE]})
            return ResolvedValue(group_action, size, str(ClientSize(size).label) if size else "—")
        case GroupAction.ARCHIVE:
            return ResolvedValue(group_action, ClientStatus.ARCHIVED.value, "")
        case GroupAction.RESTORE:
            return ResolvedValue(group_action, ClientStatus.ACTIVE.value, "")
        case GroupAction.ADD_TAGS | GroupAction.REMOVE_TAGS:
            items = value if isinstance(value, list | tuple | set | models.QuerySet) else [value]
            try:
                ids = {int(_pk(item)) for item in items if item not in (None, "")}
            except (ValueError, TypeError):
                raise ValidationError({"value": [ERROR_TAGS]}) from None
            tags = list(Tag.objects.filter(pk__in=ids))
            if not ids or len(tags) != len(ids):
                raise ValidationError({"value": [ERROR_TAGS]})
            return ResolvedValue(
                group_action, tuple(sorted(ids)), ", ".join(sorted(tag.name for tag in tags))
            )
    raise ValidationError({"action": [ERROR_UNKNOWN_ACTION]})  # pragma: no cover


def describe(resolved: ResolvedValue) -> str:
    label = str(ACTION_LABELS[resolved.action])
    return f"{label}: {resolved.text}" if resolved.text else label


def _has_tag(tag_id: int) -> Exists:
    return Exists(Client.tags.through.objects.filter(client_id=OuterRef("pk"), tag_id=tag_id))


def _target(by: User, clients: models.QuerySet[Client]) -> models.QuerySet[Client]:
    """The cards `by` may touch among `clients`: scoped again, never a merged card."""
    return visible_to(by, clients).exclude(status=ClientStatus.MERGED)


def _changing(clients: models.QuerySet[Client], resolved: ResolvedValue) -> models.QuerySet[Client]:
    """The cards among `clients` whose value differs from what the action writes."""
    action = resolved.action
    if action == GroupAction.ARCHIVE:
        return clients.filter(status=ClientStatus.ACTIVE)
    if action == GroupAction.RESTORE:
        return clients.filter(status=ClientStatus.ARCHIVED)
    if action == GroupAction.ADD_TAGS:
        has_all = models.Q()
        for tag_id in resolved.raw:
            has_all &= models.Q(_has_tag(tag_id))
        return clients.exclude(has_all)
    if action == GroupAction.REMOVE_TAGS:
        has_any = models.Q(pk__in=[])
        for tag_id in resolved.raw:
            has_any |= models.Q(_has_tag(tag_id))
        return clients.filter(has_any)
    field = FIELD_OF_ACTION[action]
    column = f"{field}_id" if field in RELATED_MODELS else field
    return clients.exclude(**{column: resolved.raw})


def group_change_preview(
    *, by: User, clients: models.QuerySet[Client], action: str, value: Any
) -> int:
    """How many of `clients` the change would alter (the user's scope applied)."""
    resolved = resolve_value(by=by, action=action, value=value)
    return _changing(_target(by, clients), resolved).order_by().count()


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _texts(field: str, ids: Iterable[Any]) -> dict[Any, str]:
    """Texts of related rows by id, as the history shows them (one query)."""
    model = RELATED_MODELS[field]
    wanted = {item for item in ids if item is not None}
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=wanted)}


def _field_text(field: str, value: Any, texts: dict[Any, str]) -> Any:
    if field in RELATED_MODELS:
        return texts.get(value) if value is not None else None
    return value


def _tag_names(client_ids: Sequence[int]) -> dict[int, set[str]]:
    """Every tag name of each card (the history shows the whole list), a query per CHUNK."""
    names: dict[int, set[str]] = {pk: set() for pk in client_ids}
    through = Client.tags.through.objects
    for chunk in _chunks(client_ids):
        for client_id, name in through.filter(client_id__in=chunk).values_list(
            "client_id", "tag__name"
        ):
            names[client_id].add(name)
    return names


def _tag_links(client_ids: Sequence[int], tag_ids: Iterable[int]) -> dict[int, set[int]]:
    """Which of `tag_ids` each card has now."""
    links: dict[int, set[int]] = {pk: set() for pk in client_ids}
    through = Client.tags.through.objects
    for chunk in _chunks(client_ids):
        for client_id, tag_id in through.filter(
            client_id__in=chunk, tag_id__in=list(tag_ids)
        ).values_list("client_id", "tag_id"):
            links[client_id].add(tag_id)
    return links


def _set_tags(changes: dict[int, tuple[set[int], set[int]]]) -> None:
    """Add and remove tag links in bulk: {client id: (tag ids to add, tag ids to remove)}."""
    through = Client.tags.through
    new_links = [
        through(client_id=client_id, tag_id=tag_id)
        for client_id, (added, _removed) in changes.items()
        for tag_id in added
    ]
    through.objects.bulk_create(new_links, batch_size=CHUNK, ignore_conflicts=True)
    removals: dict[int, list[int]] = {}
    for client_id, (_added, removed) in changes.items():
        for tag_id in removed:
            removals.setdefault(tag_id, []).append(client_id)
    for tag_id, client_ids in removals.items():
        for chunk in _chunks(client_ids):
            through.objects.filter(tag_id=tag_id, client_id__in=chunk).delete()


def _touch(client_ids: Sequence[int], now: Any) -> None:
    for chunk in _chunks(client_ids):
        Client.objects.filter(pk__in=chunk).update(updated_at=now)


def _refresh_completeness(client_ids: Sequence[int]) -> None:
    """Recompute the stored completeness of the changed cards (industry, source, region and
    size count in it): a few reads per CHUNK and one UPDATE per distinct result, as the
    recompute of the whole base does."""
    weights = completeness_weights()
    stale: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    for chunk in _chunks(client_ids):
        rows = list(
            Client.objects.filter(pk__in=chunk).values(
                *FACT_COLUMNS, "completeness", "completeness_missing"
            )
        )
        facts = clients_facts(rows)
        for row in rows:
            result = score_completeness(facts[row["id"]], weights)
            if (row["completeness"], tuple(row["completeness_missing"] or ())) != (
                result.score,
                result.missing,
            ):
                stale[(result.score, result.missing)].append(row["id"])
    for (score, missing), ids in stale.items():
        for chunk in _chunks(ids):
            Client.objects.filter(pk__in=chunk).update(
                completeness=score, completeness_missing=list(missing)
            )


def _audit_action(status_after: str | None) -> str:
    if status_after == ClientStatus.ARCHIVED:
        return AuditAction.ARCHIVE
    if status_after == ClientStatus.ACTIVE:
        return AuditAction.RESTORE
    return AuditAction.UPDATE


@transaction.atomic
def group_change_apply(
    *, by: User, clients: models.QuerySet[Client], action: str, value: Any
) -> GroupChange:
    """Change every card of `clients` that `by` may see and whose value differs; ValidationError
    when none would change."""
    resolved = resolve_value(by=by, action=action, value=value)
    field = FIELD_OF_ACTION[resolved.action]
    is_relation = field in RELATED_MODELS
    column = f"{field}_id" if is_relation else field
    changing = _changing(_target(by, clients), resolved).order_by("pk")
    columns = ("pk", "name") if field == "tags" else ("pk", "name", column)
    rows: list[tuple[Any, ...]] = list(changing.select_for_update().values_list(*columns))
    if not rows:
        raise ValidationError(ERROR_NOTHING_TO_CHANGE)
    ids = [row[0] for row in rows]
    now = timezone.now()
    before: dict[str, Any] = {}
    audit_rows: list[tuple[Client, dict[str, Any], dict[str, Any]]] = []

    if field == "tags":
        tag_ids = set(resolved.raw)
        had = _tag_links(ids, tag_ids)
        names = _tag_names(ids)
        tag_names = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))
        changes: dict[int, tuple[set[int], set[int]]] = {}
        for pk, name in rows:
            before[str(pk)] = {"tags": sorted(had[pk])}
            if resolved.action == GroupAction.ADD_TAGS:
                changes[pk] = (tag_ids - had[pk], set())
                after_names = names[pk] | {tag_names[t] for t in tag_ids}
            else:
                changes[pk] = (set(), had[pk])
                after_names = names[pk] - {tag_names[t] for t in had[pk]}
            audit_rows.append(
                (
                    Client(pk=pk, name=name),
                    {"tags": sorted(names[pk])},
                    {"tags": sorted(after_names)},
                )
            )
        _set_tags(changes)
        _touch(ids, now)
        after_value: Any = sorted(tag_ids)
    else:
        texts = _texts(field, [row[2] for row in rows] + [resolved.raw]) if is_relation else {}
        after_text = _field_text(field, resolved.raw, texts)
        for pk, name, old in rows:
            before[str(pk)] = {field: old}
            audit_rows.append(
                (
                    Client(pk=pk, name=name),
                    {field: _field_text(field, old, texts)},
                    {field: after_text},
                )
            )
        for chunk in _chunks(ids):
            Client.objects.filter(pk__in=chunk).update(**{column: resolved.raw, "updated_at": now})
        if field in COMPLETENESS_FIELDS:
            _refresh_completeness(ids)
        after_value = resolved.raw
    before[AFTER_KEY] = {field: after_value}

    change = GroupChange.objects.create(
        by=by,
        action=resolved.action.value,
        description=describe(resolved)[:500],
        count=len(rows),
        before=before,
    )
    audit_records_bulk(
        actor=by,
        action=_audit_action(resolved.raw if field == "status" else None),
        rows=audit_rows,
        comment=_("Групповое изменение №%(number)s: %(description)s")
        % {"number": change.pk, "description": change.description},
    )
    if resolved.action == GroupAction.OWNER:
        clients_assigned_notify(
            by=by,
            owner=User.objects.get(pk=resolved.raw),
            clients=[Client(pk=row[0], name=row[1]) for row in rows],
        )
    return change


@transaction.atomic
def group_change_undo(*, by: User) -> GroupChange:
    """Put back the values `by`'s last group change replaced. Refused (ValidationError naming
    how many) when any of its cards has changed that field since, or is gone."""
    change = (
        GroupChange.objects.select_for_update()
        .filter(by=by, undone_at__isnull=True)
        .order_by("-at", "-id")
        .first()
    )
    if change is None:
        raise ValidationError(ERROR_NOTHING_TO_UNDO)
    saved = dict(change.before)
    after = saved.pop(AFTER_KEY)
    field, after_value = next(iter(after.items()))
    is_relation = field in RELATED_MODELS
    column = f"{field}_id" if is_relation else field
    before = {int(pk): values[field] for pk, values in saved.items()}
    ids = sorted(before)
    now = timezone.now()
    current: dict[int, Any] = {}
    names: dict[int, str] = {}
    added = change.action == GroupAction.ADD_TAGS
    tag_ids = set(after_value) if field == "tags" else set()

    if field == "tags":
        for chunk in _chunks(ids):
            for pk, name in Client.objects.filter(pk__in=chunk).values_list("pk", "name"):
                names[pk] = name
        links = _tag_links(list(names), tag_ids)
        changed = [
            pk for pk in ids if pk not in names or links[pk] != (tag_ids if added else set())
        ]
    else:
        for chunk in _chunks(ids):
            for pk, name, value in Client.objects.filter(pk__in=chunk).values_list(
                "pk", "name", column
            ):
                current[pk], names[pk] = value, name
        changed = [pk for pk in ids if pk not in current or current[pk] != after_value]
    if changed:
        raise ValidationError(undo_refused_message(len(changed)))

    audit_rows: list[tuple[Client, dict[str, Any], dict[str, Any]]] = []
    if field == "tags":
        tag_names_now = _tag_names(ids)
        tag_names = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))
        changes: dict[int, tuple[set[int], set[int]]] = {}
        for pk in ids:
            had = set(before[pk])
            if added:  # take off the tags the change put on
                changes[pk] = (set(), tag_ids - had)
                restored = tag_names_now[pk] - {tag_names[t] for t in tag_ids - had}
            else:  # put back the tags it took off
                changes[pk] = (had, set())
                restored = tag_names_now[pk] | {tag_names[t] for t in had}
            audit_rows.append(
                (
                    Client(pk=pk, name=names[pk]),
                    {"tags": sorted(tag_names_now[pk])},
                    {"tags": sorted(restored)},
                )
            )
        _set_tags(changes)
        _touch(ids, now)
    else:
        texts = _texts(field, [*before.values(), after_value]) if is_relation else {}
        for pk in ids:
            audit_rows.append(
                (
                    Client(pk=pk, name=names[pk]),
                    {field: _field_text(field, after_value, texts)},
                    {field: _field_text(field, before[pk], texts)},
                )
            )
        output = models.BigIntegerField() if is_relation else models.CharField()
        for chunk in _chunks(ids):
            Client.objects.filter(pk__in=chunk).update(
                **{
                    column: Case(
                        *[When(pk=pk, then=Cast(Value(before[pk]), output)) for pk in chunk],
                        output_field=output,
                    ),
                    "updated_at": now,
                }
            )
        if field in COMPLETENESS_FIELDS:
            _refresh_completeness(ids)
    change.undone_at = now
    change.save(update_fields=["undone_at"])
    undo_action: str = AuditAction.UPDATE
    if field == "status":
        undo_action = _audit_action(
            ClientStatus.ACTIVE if after_value == ClientStatus.ARCHIVED else ClientStatus.ARCHIVED
        )
    audit_records_bulk(
        actor=by,
        action=undo_action,
        rows=audit_rows,
        comment=_("Отмена группового изменения №%(number)s: %(description)s")
        % {"number": change.pk, "description": change.description},
    )
    return change

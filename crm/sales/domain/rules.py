"""Whether a deal may move from one stage to another, over plain data.

The rules, in the order they are checked:
- a closed deal (its stage is won or lost) moves only after it is reopened;
- the target must be a stage of the deal's pipeline and differ from the current one;
- moving forward passes over the stages in between implicitly; a stage that may not be skipped
  (`may_skip` false) stops the move and is named (open stages only: the closing stages are
  never "passed over");
- the fields the current stage requires to leave it must be filled (each one named);
- the target's requirements (documents of the registry, done activities of a kind linked to
  the deal) must exist;
- a lost target needs a reason.

No Django import: the service turns models into these dataclasses and the problems into
messages; the messages are Russian and defined here once so tests can assert them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from crm.core.domain.messages import Message, _

KIND_OPEN = "open"
KIND_WON = "won"
KIND_LOST = "lost"

# Codes of deal fields a stage may require, with the label a person reads.
DEAL_FIELDS: dict[str, str] = {
    "amount": _("Ожидаемая сумма"),
    "expected_close_date": _("Ожидаемая дата"),
    "contact": _("Контактное лицо"),
    "lines": _("Товары и услуги"),
    "description": _("Пожелания клиента"),
    "source": _("Источник"),
}

CODE_CLOSED = "closed"
CODE_SAME_STAGE = "same_stage"
CODE_UNKNOWN_STAGE = "unknown_stage"
CODE_SKIP_REFUSED = "skip_refused"
CODE_FIELD_REQUIRED = "field_required"
CODE_DOCUMENT_MISSING = "document_missing"
CODE_ACTIVITY_MISSING = "activity_missing"
CODE_REASON_REQUIRED = "lost_reason_required"

MESSAGE_CLOSED = _("Сделка закрыта — сначала откройте её заново")
MESSAGE_SAME_STAGE = _("Сделка уже на этапе «%(stage)s»")
MESSAGE_UNKNOWN_STAGE = _("Этап не найден в воронке сделки")
MESSAGE_SKIP_REFUSED = _("Этап «%(stage)s» нельзя пропустить — сначала переведите сделку на него")
MESSAGE_FIELD_REQUIRED = _("Чтобы уйти с этапа «%(stage)s», заполните поле «%(field)s»")
MESSAGE_DOCUMENT_MISSING = _("Для этапа «%(stage)s» нужен документ: %(document)s")
MESSAGE_ACTIVITY_MISSING = _("Для этапа «%(stage)s» нужно выполненное событие «%(kind)s» по сделке")
MESSAGE_REASON_REQUIRED = _("Укажите причину проигрыша")


@dataclass(frozen=True)
class Problem:
    """Why a move is refused: a stable code, a Russian message, the field it concerns."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class StageInfo:
    id: int
    name: str
    order: int
    kind: str = KIND_OPEN
    may_skip: bool = True
    required_fields: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # document codes required to enter
    activity_kinds: tuple[tuple[str, str], ...] = ()  # (code, name) of required done activities

    @property
    def is_closed(self) -> bool:
        return self.kind in (KIND_WON, KIND_LOST)


@dataclass(frozen=True)
class MoveFacts:
    """What the deal has now (after the data sent with the move is applied)."""

    filled_fields: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()  # document codes present
    activity_kinds: frozenset[str] = frozenset()  # codes of done activities linked to the deal
    has_lost_reason: bool = False
    document_titles: Mapping[str, str] = field(default_factory=dict)


def ordered(stages: Sequence[StageInfo]) -> list[StageInfo]:
    return sorted(stages, key=lambda stage: (stage.order, stage.id))


def skipped_stages(
    stages: Sequence[StageInfo], current: StageInfo, target: StageInfo
) -> list[StageInfo]:
    """The open stages strictly between `current` and a later `target`; none when moving back
    or to a closing stage from another closing one."""
    line = ordered(stages)
    ids = [stage.id for stage in line]
    if current.id not in ids or target.id not in ids:
        return []
    start, end = ids.index(current.id), ids.index(target.id)
    if end <= start or target.kind == KIND_LOST:
        return []
    return [stage for stage in line[start + 1 : end] if not stage.is_closed]


def is_forward(stages: Sequence[StageInfo], current: StageInfo, target: StageInfo) -> bool:
    ids = [stage.id for stage in ordered(stages)]
    return ids.index(target.id) > ids.index(current.id)


def check_move(
    *,
    stages: Sequence[StageInfo],
    current: StageInfo,
    target: StageInfo,
    facts: MoveFacts,
    closed: bool = False,
) -> list[Problem]:
    """Every reason the move from `current` to `target` is refused; empty means allowed.

    `closed` says the deal is won or lost (status), whatever its stage."""
    if closed or (current.is_closed and current.id != target.id):
        return [Problem(CODE_CLOSED, Message(MESSAGE_CLOSED), "stage")]
    if target.id not in {stage.id for stage in stages}:
        return [Problem(CODE_UNKNOWN_STAGE, Message(MESSAGE_UNKNOWN_STAGE), "stage")]
    if target.id == current.id:
        return [
            Problem(
                CODE_SAME_STAGE,
                Message(MESSAGE_SAME_STAGE, stage=current.name),
                "stage",
            )
        ]
    problems: list[Problem] = []
    passed = skipped_stages(stages, current, target)
    for stage in passed:
        if not stage.may_skip:
            problems.append(
                Problem(
                    CODE_SKIP_REFUSED,
                    Message(MESSAGE_SKIP_REFUSED, stage=stage.name),
                    "stage",
                )
            )
    if target.kind != KIND_LOST and is_forward(stages, current, target):
        missing: dict[str, StageInfo] = {}
        for stage in (current, *passed):
            for code in stage.required_fields:
                if code in DEAL_FIELDS and code not in facts.filled_fields:
                    missing.setdefault(code, stage)
        for code, stage in missing.items():
            problems.append(
                Problem(
                    CODE_FIELD_REQUIRED,
                    Message(MESSAGE_FIELD_REQUIRED, stage=stage.name, field=DEAL_FIELDS[code]),
                    code,
                )
            )
    if target.kind != KIND_LOST:
        for document in target.documents:
            if document not in facts.documents:
                title = facts.document_titles.get(document, document)
                problems.append(
                    Problem(
                        CODE_DOCUMENT_MISSING,
                        Message(MESSAGE_DOCUMENT_MISSING, stage=target.name, document=title),
                        None,
                    )
                )
        for code, name in target.activity_kinds:
            if code not in facts.activity_kinds:
                problems.append(
                    Problem(
                        CODE_ACTIVITY_MISSING,
                        Message(MESSAGE_ACTIVITY_MISSING, stage=target.name, kind=name),
                        None,
                    )
                )
    if target.kind == KIND_LOST and not facts.has_lost_reason:
        problems.append(
            Problem(CODE_REASON_REQUIRED, Message(MESSAGE_REASON_REQUIRED), "lost_reason")
        )
    return problems


def filled_fields(values: Mapping[str, object]) -> frozenset[str]:
    """The codes of DEAL_FIELDS whose value counts as filled: not None, not empty, not zero."""
    filled: set[str] = set()
    for code in DEAL_FIELDS:
        value = values.get(code)
        if value is None or value == "" or value == 0:
            continue
        if isinstance(value, Collection) and not isinstance(value, str) and not value:
            continue
        filled.add(code)
    return frozenset(filled)


def unmet_requirements(*, target: StageInfo, facts: MoveFacts) -> list[Problem]:
    """Only the target's requirements (used to advance a deal after a document)."""
    return [
        problem
        for problem in check_move(
            stages=[target, StageInfo(id=-1, name="", order=-1)],
            current=StageInfo(id=-1, name="", order=-1),
            target=target,
            facts=facts,
        )
        if problem.code in (CODE_DOCUMENT_MISSING, CODE_ACTIVITY_MISSING)
    ]

"""Import of clients and contact persons from CSV/XLSX files: upload → mapping of columns to
fields → preview (every row checked, duplicates found) → apply, all or nothing.

Rules decided here (shown to the user on the pages and in the API description):
- Every row is checked with the same rules as the form (services.clean_client_fields /
  clean_contact_fields, then the model's field checks), and the catalogs are matched by name
  without regard to case: an unknown lead source or industry is an error naming the value.
- Apply writes nothing if any row has an error; the rows are written through client_create /
  contact_add in one transaction, audited as coming from an import.
- A row is a duplicate when a card of the base matches it with a score of at least
  DUPLICATE_SCORE (the same ИНН+КПП, phone or e-mail), or when an earlier row of the same
  file does. Duplicates are skipped when the user ticks «пропустить дубли» (ticked by
  default: loading the same file twice does not double the base); unticked, they are created
  like any other row. Weaker likenesses (a branch with another КПП, a similar name, the same
  e-mail domain) are shown but never skipped.
- The responsible manager is the importing user. Only who may reassign clients (head of
  sales, administrator: department or whole-company scope) may map the column «Ответственный»,
  and only to employees they may see; a manager's clients are always their own."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.access import user_scope
from crm.accounts.models import User
from crm.accounts.roles import Area, Scope
from crm.accounts.selectors import colleagues_visible_to
from crm.clients.domain.dedup import Card, score_duplicate
from crm.clients.domain.entry_rules import field_label as entry_rule_field_label
from crm.clients.domain.entry_rules import missing_fields
from crm.clients.domain.normalize import comparable_name
from crm.clients.domain.tabular import Table, TabularError, read_table
from crm.clients.models import (
    Client,
    ClientKind,
    ClientSize,
    ContactPerson,
    EntryPoint,
    EntryRule,
    ImportBatch,
    ImportStatus,
    Industry,
    LeadSource,
)
from crm.clients.selectors.completeness import client_facts
from crm.clients.selectors.imports import (
    APPLY_JOB,
    ContactMatch,
    WantedContact,
    client_ids_visible_to,
    clients_by_inn,
    clients_like,
    contacts_like,
    fold_name,
    import_apply_job_of,
)
from crm.clients.services import clean_client_fields, clean_contact_fields, client_create
from crm.clients.services import contact_add as contact_add_service
from crm.core.audit import audit_source
from crm.core.i18n import translated
from crm.core.jobs import job_enqueue, job_handler
from crm.core.models import AuditSource, Job, JobStatus

MAX_FILE_SIZE = 10 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
DUPLICATE_SCORE = 80
KIND_CLIENTS = "clients"
KIND_CONTACTS = "contacts"
# Not a column: the mapping's option "lead source of rows without one" (a LeadSource id).
OPTION_DEFAULT_SOURCE = "source_default"
# Entry rules on creation that a file of clients cannot meet (they need a bank account or
# contact persons, added later): a card missing only these is created marked "to complete",
# as quick registration does; any other rule on creation is a row error.
RULES_A_FILE_CANNOT_MEET = frozenset({"bank_account", "contact", "decision_maker"})

ERROR_FILE_TOO_LARGE = gettext_lazy("Файл больше 10 МБ — разделите его на части")
ERROR_FILE_TYPE = gettext_lazy("Загрузите файл CSV или XLSX: «%(name)s» — файл другого типа")
ERROR_FILE_EMPTY = gettext_lazy("Файл пуст — в нём нет ни одной строки с данными")
ERROR_ALREADY_APPLIED = gettext_lazy("Этот файл уже загружен в базу")
ERROR_HAS_ERRORS = gettext_lazy(
    "В файле есть ошибки (%(count)s) — ничего не загружено. Исправьте файл и загрузите снова."
)
ERROR_MAPPING_TWICE = gettext_lazy(
    "Колонки %(columns)s указаны для одного поля «%(field)s» — оставьте одну"
)
ERROR_MAPPING_REQUIRED = gettext_lazy("Укажите, в какой колонке «%(field)s»")
ERROR_MAPPING_UNKNOWN = gettext_lazy("Нет поля «%(field)s»")
ERROR_MAPPING_COLUMN = gettext_lazy("В файле нет колонки «%(column)s»")
ERROR_OWNER_NOT_ALLOWED = gettext_lazy(
    "Назначать ответственных может только руководитель или администратор: уберите колонку "
    "«Ответственный» — клиенты будут записаны на вас"
)
ERROR_UNKNOWN_SOURCE = gettext_lazy("Нет источника «%(value)s» в справочнике")
ERROR_UNKNOWN_INDUSTRY = gettext_lazy("Нет отрасли «%(value)s» в справочнике")
ERROR_UNKNOWN_KIND = gettext_lazy(
    "«%(value)s» — непонятный вид клиента: напишите «Организация», «ИП» или «Физическое лицо»"
)
ERROR_UNKNOWN_SIZE = gettext_lazy(
    "«%(value)s» — непонятный размер: напишите «Микро», «Малый», «Средний» или «Крупный»"
)
ERROR_UNKNOWN_OWNER = gettext_lazy(
    "Нет сотрудника «%(value)s» среди тех, кого вы можете назначить ответственным"
)
ERROR_AMBIGUOUS_OWNER = gettext_lazy("Сотрудников «%(value)s» несколько — укажите логин")
ERROR_CLIENT_INN_REQUIRED = gettext_lazy("Укажите ИНН клиента, к которому относится человек")
ERROR_CLIENT_NOT_FOUND = gettext_lazy("Нет клиента с ИНН %(inn)s среди ваших клиентов")
ERROR_CLIENT_AMBIGUOUS = gettext_lazy(
    "Клиентов с ИНН %(inn)s несколько — добавьте колонку «КПП клиента»"
)
ERROR_SOURCE_REQUIRED = gettext_lazy(
    "Правила ввода требуют источник у нового клиента: укажите колонку «Источник» или "
    "источник для строк без него"
)
ERROR_REQUIRED_ON_CREATION = gettext_lazy(
    "нужно заполнить: этого требуют правила ввода при создании клиента"
)
ERROR_BAD_DATE = gettext_lazy("«%(value)s» — не дата: напишите ДД.ММ.ГГГГ")
ERROR_BAD_BOOLEAN = gettext_lazy("«%(value)s» — напишите «да» или «нет»")
ROW_ERROR = gettext_lazy("Строка %(row)s, %(field)s: %(message)s")


@dataclass(frozen=True)
class ImportField:
    code: str
    label: Promise | str
    aliases: tuple[str, ...] = ()
    required: bool = False


CLIENT_FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "name",
        gettext_lazy("Наименование"),
        ("наименование", "название", "клиент", "контрагент", "компания", "организация", "name"),
        required=True,
    ),
    ImportField(
        "full_name",
        gettext_lazy("Полное наименование"),
        ("полное наименование", "полное название", "юридическое наименование"),
    ),
    ImportField("kind", gettext_lazy("Вид"), ("вид", "вид клиента", "тип", "тип клиента")),
    ImportField("inn", gettext_lazy("ИНН"), ("инн", "inn")),
    ImportField("kpp", gettext_lazy("КПП"), ("кпп", "kpp")),
    ImportField("ogrn", gettext_lazy("ОГРН/ОГРНИП"), ("огрн", "огрнип", "огрн/огрнип")),
    ImportField(
        "phone",
        gettext_lazy("Телефон"),
        ("телефон", "тел", "номер телефона", "контактный телефон", "phone"),
    ),
    ImportField(
        "email",
        gettext_lazy("E-mail"),
        ("e-mail", "email", "почта", "эл. почта", "электронная почта", "адрес электронной почты"),
    ),
    ImportField("website", gettext_lazy("Сайт"), ("сайт", "веб-сайт", "website", "url")),
    ImportField(
        "legal_address",
        gettext_lazy("Юридический адрес"),
        ("адрес", "юридический адрес", "юр. адрес", "юр адрес"),
    ),
    ImportField(
        "actual_address",
        gettext_lazy("Фактический адрес"),
        ("фактический адрес", "факт. адрес", "почтовый адрес"),
    ),
    ImportField("region", gettext_lazy("Регион"), ("регион", "город", "область")),
    ImportField("industry", gettext_lazy("Отрасль"), ("отрасль", "сфера", "вид деятельности")),
    ImportField("size", gettext_lazy("Размер"), ("размер", "размер компании")),
    ImportField(
        "source",
        gettext_lazy("Источник"),
        ("источник", "источник информации", "откуда узнали", "канал"),
    ),
    ImportField(
        "owner",
        gettext_lazy("Ответственный"),
        ("ответственный", "менеджер", "ответственный менеджер"),
    ),
    ImportField("comment", gettext_lazy("Комментарий"), ("комментарий", "примечание", "заметки")),
)

CONTACT_FIELDS: tuple[ImportField, ...] = (
    ImportField("last_name", gettext_lazy("Фамилия"), ("фамилия",)),
    ImportField("first_name", gettext_lazy("Имя"), ("имя",)),
    ImportField("middle_name", gettext_lazy("Отчество"), ("отчество",)),
    ImportField(
        "person_name",
        gettext_lazy("ФИО одной строкой"),
        ("фио", "ф.и.о.", "контактное лицо", "контакт", "полное имя"),
    ),
    ImportField("position", gettext_lazy("Должность"), ("должность",)),
    ImportField("phone", gettext_lazy("Телефон"), ("телефон", "рабочий телефон", "тел")),
    ImportField(
        "mobile_phone", gettext_lazy("Мобильный"), ("мобильный", "мобильный телефон", "сотовый")
    ),
    ImportField(
        "email",
        gettext_lazy("E-mail"),
        ("e-mail", "email", "почта", "эл. почта", "электронная почта"),
    ),
    ImportField("birthday", gettext_lazy("День рождения"), ("день рождения", "дата рождения")),
    ImportField(
        "is_decision_maker",
        gettext_lazy("Принимает решения"),
        ("принимает решения", "лпр"),
    ),
    ImportField("comment", gettext_lazy("Комментарий"), ("комментарий", "примечание")),
    ImportField(
        "client_inn",
        gettext_lazy("ИНН клиента"),
        ("инн", "инн клиента", "инн организации", "инн компании"),
        required=True,
    ),
    ImportField("client_kpp", gettext_lazy("КПП клиента"), ("кпп", "кпп клиента")),
)

FIELDS = {KIND_CLIENTS: CLIENT_FIELDS, KIND_CONTACTS: CONTACT_FIELDS}
# Labels of fields the services name in their errors but a file has no column for.
_EXTRA_LABELS = {
    "contact": gettext_lazy("Контактное лицо"),
    "department": gettext_lazy("Отдел"),
    "__all__": gettext_lazy("Строка"),
}


def field_label(kind: str, code: str) -> str:
    for item in FIELDS[kind]:
        if item.code == code:
            return str(item.label)
    if code in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[code])
    model = Client if kind == KIND_CLIENTS else ContactPerson
    names = {f.name: f for f in model._meta.fields}
    return str(names[code].verbose_name).capitalize() if code in names else code


def header_key(text: str) -> str:
    """What a header is compared by: letters and digits only, lower case, ё as е."""
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


def can_assign_owner(user: Any) -> bool:
    """The same rule as the client form: a head of sales or anyone who sees all clients."""
    return user_scope(user, Area.SALES) in (Scope.DEPARTMENT, Scope.ALL)


def importable_fields(kind: str, user: Any) -> tuple[ImportField, ...]:
    fields = FIELDS[kind]
    if kind == KIND_CLIENTS and not can_assign_owner(user):
        fields = tuple(item for item in fields if item.code != "owner")
    return fields


def suggest_mapping(kind: str, header: Sequence[str], user: Any) -> dict[str, str]:
    """{column index: field code} guessed from the header names; each field once, for the
    first column that names it."""
    aliases: dict[str, str] = {}
    for item in importable_fields(kind, user):
        for alias in (item.code, str(item.label), *item.aliases):
            aliases.setdefault(header_key(alias), item.code)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, name in enumerate(header):
        code = aliases.get(header_key(name))
        if code and code not in taken:
            mapping[str(index)] = code
            taken.add(code)
    return mapping


def check_mapping(kind: str, header: Sequence[str], mapping: dict[str, str], user: Any) -> None:
    """Raise ValidationError({"mapping": [...]}) if the mapping cannot be used."""
    allowed = {item.code: item for item in FIELDS[kind]}
    errors: list[str] = []
    columns: dict[str, list[str]] = {}
    for index, code in mapping.items():
        if not code:
            continue
        if index == OPTION_DEFAULT_SOURCE:
            if kind != KIND_CLIENTS or not default_source(mapping):
                errors.append(ERROR_UNKNOWN_SOURCE % {"value": code})
            continue
        if code not in allowed:
            errors.append(ERROR_MAPPING_UNKNOWN % {"field": code})
            continue
        if not index.isdigit() or int(index) >= len(header):
            errors.append(ERROR_MAPPING_COLUMN % {"column": index})
            continue
        columns.setdefault(code, []).append(column_title(header, int(index)))
    for code, titles in columns.items():
        if len(titles) > 1:
            errors.append(
                ERROR_MAPPING_TWICE
                % {"columns": ", ".join(f"«{t}»" for t in titles), "field": allowed[code].label}
            )
    if "owner" in columns and not can_assign_owner(user):
        errors.append(str(ERROR_OWNER_NOT_ALLOWED))
    if kind == KIND_CONTACTS and not {"first_name", "person_name"} & set(columns):
        errors.append(ERROR_MAPPING_REQUIRED % {"field": _("Имя")})
    for item in FIELDS[kind]:
        if item.required and item.code not in columns:
            errors.append(ERROR_MAPPING_REQUIRED % {"field": item.label})
    if (
        kind == KIND_CLIENTS
        and "source" not in columns
        and not mapping.get(OPTION_DEFAULT_SOURCE)
        and EntryRule.objects.filter(point=EntryPoint.CREATION, field="source").exists()
    ):
        errors.append(str(ERROR_SOURCE_REQUIRED))
    if errors:
        raise ValidationError({"mapping": errors})


def mapped_columns(mapping: dict[str, str]) -> dict[int, str]:
    """{column index: field code} of a checked mapping, in the file's column order."""
    return dict(sorted((int(i), code) for i, code in mapping.items() if code and i.isdigit()))


def default_source(mapping: dict[str, str]) -> LeadSource | None:
    """The lead source for rows whose source cell is empty (chosen on the mapping step)."""
    value = mapping.get(OPTION_DEFAULT_SOURCE, "")
    if not value.isdigit():
        return None
    return LeadSource.objects.filter(pk=int(value), is_active=True).first()


def column_title(header: Sequence[str], index: int) -> str:
    title = header[index] if index < len(header) else ""
    return title or _("Колонка %(number)s") % {"number": index + 1}


# --- Upload --------------------------------------------------------------------------------


def check_upload(file_name: str, size: int) -> None:
    if not file_name.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": [ERROR_FILE_TYPE % {"name": file_name}]})
    if size > MAX_FILE_SIZE:
        raise ValidationError({"file": [str(ERROR_FILE_TOO_LARGE)]})


def _read(batch_or_content: ImportBatch | bytes, file_name: str = "") -> Table:
    if isinstance(batch_or_content, ImportBatch):
        content, file_name = bytes(batch_or_content.content), batch_or_content.file_name
    else:
        content = batch_or_content
    try:
        return read_table(content, file_name)
    except TabularError as error:
        raise ValidationError({"file": [translated(error.args[0])]}) from error


def batch_table(batch: ImportBatch) -> Table:
    return _read(batch)


@transaction.atomic
def import_upload(*, by: User, kind: str, file_name: str, content: bytes) -> ImportBatch:
    """Keep an uploaded file for the next steps, with the mapping guessed from its header.
    A file that is not CSV/XLSX, too large or unreadable is refused with the reason."""
    if kind not in FIELDS:
        raise ValidationError({"kind": [_("Выберите, что загружаем: клиентов или контакты")]})
    check_upload(file_name, len(content))
    table = _read(content, file_name)
    if not table.rows:
        raise ValidationError({"file": [str(ERROR_FILE_EMPTY)]})
    return ImportBatch.objects.create(
        kind=kind,
        file_name=file_name[:255],
        content=content,
        mapping=suggest_mapping(kind, table.header, by),
        rows_total=len(table.rows),
        by=by,
    )


@transaction.atomic
def import_set_mapping(*, by: User, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    if batch.status == ImportStatus.APPLIED:
        raise ValidationError({"mapping": [str(ERROR_ALREADY_APPLIED)]})
    mapping = {str(index): code for index, code in mapping.items() if code}
    check_mapping(batch.kind, batch_table(batch).header, mapping, by)
    batch.mapping = mapping
    batch.status = ImportStatus.UPLOADED
    batch.errors = []
    batch.save(update_fields=["mapping", "status", "errors"])
    return batch


# --- Preview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    label: str
    message: str

    @property
    def text(self) -> str:
        return ROW_ERROR % {"row": self.row, "field": self.label, "message": self.message}

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "label": self.label, "message": self.message}


@dataclass(frozen=True)
class Likeness:
    """A card of the base that an imported row may repeat."""

    id: int
    name: str
    score: int
    reasons: tuple[str, ...]
    owner: str = ""
    visible: bool = False  # the user may open it
    client_id: int | None = None  # contacts: the client the person is linked to (to open)


@dataclass
class PreviewRow:
    number: int
    cells: dict[str, str]  # field code → the text in the file
    fields: dict[str, Any] = field(default_factory=dict)  # keyword arguments of the service
    clean: dict[str, Any] = field(default_factory=dict)  # the fields as the service stores them
    errors: list[RowError] = field(default_factory=list)
    likes: list[Likeness] = field(default_factory=list)
    repeats_row: int | None = None  # an earlier row of the file this one repeats
    repeats_reasons: tuple[str, ...] = ()

    @property
    def duplicate_of(self) -> Likeness | None:
        best = self.likes[0] if self.likes else None
        return best if best is not None and best.score >= DUPLICATE_SCORE else None

    @property
    def is_duplicate(self) -> bool:
        return self.repeats_row is not None or self.duplicate_of is not None


@dataclass
class ImportPreview:
    batch: ImportBatch
    header: tuple[str, ...]
    rows: list[PreviewRow]
    created_ids: list[int] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def duplicates(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.is_duplicate]

    @property
    def alike(self) -> list[PreviewRow]:
        """Rows with a likeness too weak to count as a duplicate (shown, never skipped)."""
        return [row for row in self.rows if row.likes and not row.is_duplicate]

    def to_create(self, *, skip_duplicates: bool) -> list[PreviewRow]:
        return [row for row in self.rows if not (skip_duplicates and row.is_duplicate)]

    @property
    def mapped_fields(self) -> list[tuple[str, str]]:
        """(code, label) of the mapped fields, in the file's column order."""
        kind = self.batch.kind
        columns = mapped_columns(self.batch.mapping)
        return [(code, field_label(kind, code)) for code in columns.values()]


def _key(text: str) -> str:
    return fold_name(text)


def _add_errors(
    row: PreviewRow, kind: str, error: ValidationError, skip: set[str] | None = None
) -> None:
    if not hasattr(error, "error_dict"):
        row.errors.extend(
            RowError(row.number, "", str(_EXTRA_LABELS["__all__"]), message)
            for message in error.messages
        )
        return
    for name, messages in error.message_dict.items():
        if skip and name in skip:
            continue
        label = field_label(kind, name)
        row.errors.extend(RowError(row.number, name, label, message) for message in messages)


_KINDS = {
    ClientKind.COMPANY: ("организация", "юл", "юрлицо", "юридическоелицо", "company", "ооо"),
    ClientKind.ENTREPRENEUR: ("ип", "индивидуальныйпредприниматель", "entrepreneur"),
    ClientKind.PERSON: ("фл", "физлицо", "физическоелицо", "частноелицо", "person"),
}
_KIND_BY_KEY = {key: kind for kind, keys in _KINDS.items() for key in keys} | {
    header_key(str(kind.label)): kind for kind in ClientKind
}
_SIZES = {"микро": ClientSize.MICRO, "малый": ClientSize.SMALL, "средний": ClientSize.MEDIUM}
_SIZES |= {"крупный": ClientSize.LARGE} | {size.value: size for size in ClientSize}
_TRUE = {"да", "1", "true", "yes", "y", "д", "+", "x", "х", "истина"}
_FALSE = {"нет", "0", "false", "no", "n", "н", "-", "ложь", ""}


def _pad_digits(value: str, lengths: tuple[int, ...]) -> str:
    """A leading zero Excel dropped from a number typed into a cell (ИНН 0274… → 274…)."""
    if value.isdigit() and len(value) + 1 in lengths:
        return "0" + value
    return value


class _Catalogs:
    """Everything a row is matched against, read once per file."""

    def __init__(self, user: User, mapping: dict[str, str]) -> None:
        mapped = set(mapping.values())
        self.user = user
        self.default_source = default_source(mapping)
        self.creation_rules: dict[str, list[str]] = {kind: [] for kind in ClientKind.values}
        for kind, code in EntryRule.objects.filter(point=EntryPoint.CREATION).values_list(
            "client_kind", "field"
        ):
            self.creation_rules.setdefault(kind, []).append(code)
        self.sources = {_key(s.name): s for s in LeadSource.objects.filter(is_active=True)}
        self.industries = {_key(i.name): i for i in Industry.objects.all()}
        self.owners: dict[str, list[User]] = {}
        if "owner" in mapped and can_assign_owner(user):
            for person in colleagues_visible_to(user):
                keys = {person.username, person.full_name, person.short_name}
                keys.add(f"{person.last_name} {person.first_name}")
                for key in {_key(k) for k in keys if k.strip()}:
                    self.owners.setdefault(key, []).append(person)


def _client_row(row: PreviewRow, catalogs: _Catalogs) -> None:
    cells = row.cells
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for code in ("name", "full_name", "ogrn", "legal_address", "actual_address", "region"):
        if code in cells:
            fields[code] = cells[code]
    for code in ("phone", "email", "comment"):
        if code in cells:
            fields[code] = cells[code]
    if "inn" in cells:
        fields["inn"] = _pad_digits(cells["inn"].replace(" ", ""), (10, 12))
    if "kpp" in cells:
        fields["kpp"] = cells["kpp"].replace(" ", "")
    kind_text = cells.get("kind", "")
    if kind_text:
        kind = _KIND_BY_KEY.get(header_key(kind_text))
        if kind is None:
            errors["kind"] = [ERROR_UNKNOWN_KIND % {"value": kind_text}]
            kind = ClientKind.COMPANY
    elif len(fields.get("inn", "")) == 12 or _key(fields.get("name", "")).startswith("ип "):
        kind = ClientKind.ENTREPRENEUR
    else:
        kind = ClientKind.COMPANY
    fields["kind"] = kind
    if website := cells.get("website", ""):
        fields["website"] = website if "://" in website else f"https://{website}"
    if size_text := cells.get("size", ""):
        words = _key(size_text).split()
        size = _SIZES.get(words[0]) if words else None
        if size is None:
            errors["size"] = [ERROR_UNKNOWN_SIZE % {"value": size_text}]
        else:
            fields["size"] = size
    if source_text := cells.get("source", ""):
        if source := catalogs.sources.get(_key(source_text)):
            fields["source"] = source
        else:
            errors["source"] = [ERROR_UNKNOWN_SOURCE % {"value": source_text}]
    elif catalogs.default_source is not None:
        fields["source"] = catalogs.default_source
    if industry_text := cells.get("industry", ""):
        if industry := catalogs.industries.get(_key(industry_text)):
            fields["industry"] = industry
        else:
            errors["industry"] = [ERROR_UNKNOWN_INDUSTRY % {"value": industry_text}]
    fields["owner"] = catalogs.user
    if owner_text := cells.get("owner", ""):
        owners = catalogs.owners.get(_key(owner_text), [])
        if len(owners) == 1:
            fields["owner"] = owners[0]
        elif owners:
            errors["owner"] = [ERROR_AMBIGUOUS_OWNER % {"value": owner_text}]
        else:
            errors["owner"] = [ERROR_UNKNOWN_OWNER % {"value": owner_text}]
    row.fields = fields
    for name, messages in errors.items():
        label = field_label(KIND_CLIENTS, name)
        row.errors.extend(RowError(row.number, name, label, message) for message in messages)
    try:
        data = clean_client_fields(fields)
    except ValidationError as error:
        _add_errors(row, KIND_CLIENTS, error)
        return
    # The model's own checks (lengths, e-mail and site format) without a query per row: the
    # related objects were found above; the derived search names repeat the name's errors.
    instance = Client(**data)
    try:
        instance.clean_fields(exclude=_NOT_CHECKED_PER_ROW)
    except ValidationError as error:
        _add_errors(row, KIND_CLIENTS, error, skip={e.field for e in row.errors})
    row.clean = data
    _check_creation_rules(row, instance, catalogs)


_NOT_CHECKED_PER_ROW = frozenset(
    {"owner", "department", "source", "industry", "merged_into", "name_search", "name_comparable"}
)


def _check_creation_rules(row: PreviewRow, instance: Client, catalogs: _Catalogs) -> None:
    """The administrator's entry rules on creation, as client_create applies them (read once
    per file, checked on the unsaved card: no query per row)."""
    required = catalogs.creation_rules.get(instance.kind, [])
    if not required:
        return
    for code in missing_fields(client_facts(instance), required):
        if code in RULES_A_FILE_CANNOT_MEET:
            row.fields["allow_incomplete"] = True
            continue
        if any(error.field == code for error in row.errors):
            continue
        label = (
            field_label(KIND_CLIENTS, code)
            if _is_import_field(code)
            else _(entry_rule_field_label(code))
        )
        row.errors.append(RowError(row.number, code, label, str(ERROR_REQUIRED_ON_CREATION)))


def _is_import_field(code: str) -> bool:
    return any(item.code == code for item in CLIENT_FIELDS)


def _client_card(row: PreviewRow) -> Card | None:
    if row.errors:
        return None
    data = row.clean
    return Card(
        id=None,
        name=data.get("name_comparable") or comparable_name(data.get("name", "")),
        inn=data.get("inn", ""),
        kpp=data.get("kpp", ""),
        phones=frozenset({data["phone"]} if data.get("phone") else ()),
        emails=frozenset({data["email"]} if data.get("email") else ()),
    )


def _find_client_duplicates(rows: list[PreviewRow], user: User) -> None:
    cards = [_client_card(row) for row in rows]
    found = clients_like(cards)
    visible = client_ids_visible_to(
        user, {candidate.client.pk for candidates in found for candidate in candidates}
    )
    for row, candidates in zip(rows, found, strict=True):
        row.likes = [
            Likeness(
                id=c.client.pk,
                name=c.client.name,
                score=c.match.score,
                reasons=c.match.reasons,
                owner=c.client.owner.short_name,
                visible=c.client.pk in visible,
                client_id=c.client.pk,
            )
            for c in candidates
        ]
    # Rows of the file that repeat an earlier row.
    seen: dict[tuple[str, str], list[tuple[int, Card]]] = {}
    for row, card in zip(rows, cards, strict=True):
        if card is None:
            continue
        keys = [("name", card.name)] if card.name else []
        keys += [("inn", card.inn)] if card.inn else []
        keys += [("phone", phone) for phone in card.phones]
        keys += [("email", email) for email in card.emails]
        best: tuple[int, int, tuple[str, ...]] | None = None
        for key in keys:
            for number, earlier in seen.get(key, ()):
                match = score_duplicate(card, earlier)
                if match.score >= DUPLICATE_SCORE and (best is None or match.score > best[1]):
                    best = (number, match.score, match.reasons)
        if best is not None:
            row.repeats_row, row.repeats_reasons = best[0], best[2]
        for key in keys:
            seen.setdefault(key, []).append((row.number, card))


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _contact_row(row: PreviewRow, clients: dict[str, list[Client]]) -> WantedContact | None:
    cells = row.cells
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "person_name" in cells:
        parts = cells["person_name"].split()
        if len(parts) == 1:
            fields["first_name"] = parts[0]
        elif parts:
            fields["last_name"], fields["first_name"] = parts[0], parts[1]
            fields["middle_name"] = " ".join(parts[2:])
        else:
            fields["first_name"] = ""
    for code in ("last_name", "first_name", "middle_name"):
        if cells.get(code) or (code not in fields and code in cells):
            fields[code] = cells[code]
    for code in ("phone", "mobile_phone", "email", "comment"):
        if code in cells:
            fields[code] = cells[code]
    if birthday := cells.get("birthday", ""):
        if parsed := _parse_date(birthday):
            fields["birthday"] = parsed
        else:
            errors["birthday"] = [ERROR_BAD_DATE % {"value": birthday}]
    decision = _key(cells.get("is_decision_maker", ""))
    if decision in _TRUE or decision in _FALSE:
        fields["is_decision_maker"] = decision in _TRUE
    else:
        errors["is_decision_maker"] = [ERROR_BAD_BOOLEAN % {"value": cells["is_decision_maker"]}]
    fields["position"] = cells.get("position", "")
    inn = _pad_digits(cells.get("client_inn", "").replace(" ", ""), (10, 12))
    kpp = cells.get("client_kpp", "").replace(" ", "").upper()
    client: Client | None = None
    if not inn:
        errors["client_inn"] = [str(ERROR_CLIENT_INN_REQUIRED)]
    else:
        found = [c for c in clients.get(inn, []) if not kpp or c.kpp == kpp]
        if not found:
            errors["client_inn"] = [ERROR_CLIENT_NOT_FOUND % {"inn": inn}]
        elif len(found) > 1:
            errors["client_inn"] = [ERROR_CLIENT_AMBIGUOUS % {"inn": inn}]
        else:
            client = found[0]
            fields["client"] = client
    row.fields = fields
    for name, messages in errors.items():
        label = field_label(KIND_CONTACTS, name)
        row.errors.extend(RowError(row.number, name, label, message) for message in messages)
    person_fields = {k: v for k, v in fields.items() if k in _CONTACT_MODEL_FIELDS}
    try:
        data = clean_contact_fields(person_fields)
    except ValidationError as error:
        _add_errors(row, KIND_CONTACTS, error)
        return None
    try:
        ContactPerson(**data).clean_fields()
    except ValidationError as error:
        _add_errors(row, KIND_CONTACTS, error, skip={e.field for e in row.errors})
    if row.errors:
        return None
    person = ContactPerson(**data)
    return WantedContact(
        client_id=client.pk if client else None,
        full_name=fold_name(person.full_name),
        phones=frozenset(p for p in (data.get("phone"), data.get("mobile_phone")) if p),
        email=data.get("email", ""),
    )


_CONTACT_MODEL_FIELDS = {
    "last_name",
    "first_name",
    "middle_name",
    "phone",
    "mobile_phone",
    "email",
    "birthday",
    "comment",
}


def _find_contact_duplicates(rows: list[PreviewRow], wanted: list[WantedContact | None]) -> None:
    found: list[list[ContactMatch]] = contacts_like(wanted)
    for row, matches in zip(rows, found, strict=True):
        row.likes = [Likeness(m.contact_id, m.full_name, m.score, m.reasons) for m in matches]
    seen: dict[tuple[str, Any], int] = {}
    for row, item in zip(rows, wanted, strict=True):
        if item is None:
            continue
        keys: list[tuple[tuple[str, Any], str]] = [
            (("name", (item.client_id, item.full_name)), _("Тот же человек у того же клиента"))
        ]
        if item.email:
            keys.append((("email", item.email), _("Совпадает e-mail %s") % item.email))
        keys += [(("phone", p), _("Совпадает телефон %s") % p) for p in sorted(item.phones)]
        reasons = tuple(reason for key, reason in keys if key in seen)
        earlier = [seen[key] for key, _reason in keys if key in seen]
        if earlier:
            row.repeats_row, row.repeats_reasons = min(earlier), reasons
        for key, _reason in keys:
            seen.setdefault(key, row.number)


def build_preview(batch: ImportBatch, user: User) -> ImportPreview:
    """Check every row of the batch's file with its mapping (writes nothing)."""
    table = batch_table(batch)
    check_mapping(batch.kind, table.header, batch.mapping, user)
    mapping = mapped_columns(batch.mapping)
    rows = [
        PreviewRow(number=row.number, cells={code: row.cells[i] for i, code in mapping.items()})
        for row in table.rows
    ]
    if batch.kind == KIND_CLIENTS:
        catalogs = _Catalogs(user, batch.mapping)
        for row in rows:
            _client_row(row, catalogs)
        _find_client_duplicates(rows, user)
    else:
        inns = {
            _pad_digits(row.cells.get("client_inn", "").replace(" ", ""), (10, 12)) for row in rows
        }
        clients = clients_by_inn(user, inns - {""})
        wanted = [_contact_row(row, clients) for row in rows]
        _find_contact_duplicates(rows, wanted)
    return ImportPreview(batch=batch, header=table.header, rows=rows)


@transaction.atomic
def import_preview(*, by: User, batch: ImportBatch) -> ImportPreview:
    """The preview, remembered on the batch: its status (checked, or has errors) and errors."""
    preview = build_preview(batch, by)
    errors = preview.errors
    if batch.status != ImportStatus.APPLIED:
        batch.status = ImportStatus.FAILED if errors else ImportStatus.PREVIEWED
        batch.errors = [error.as_json() for error in errors]
        batch.rows_total = len(preview.rows)
        batch.save(update_fields=["status", "errors", "rows_total"])
    return preview


# --- Apply ---------------------------------------------------------------------------------


class ImportRejected(ValidationError):
    """The file has errors: nothing was written. `preview` holds every row's errors."""

    def __init__(self, preview: ImportPreview, errors: list[RowError]) -> None:
        self.preview = preview
        self.row_errors = errors
        super().__init__(str(ERROR_HAS_ERRORS % {"count": len(errors)}))


def _create(kind: str, by: User, row: PreviewRow) -> int:
    if kind == KIND_CLIENTS:
        return client_create(by=by, **row.fields).pk
    fields = dict(row.fields)
    return contact_add_service(by=by, **fields).pk


def import_apply(*, by: User, batch: ImportBatch, skip_duplicates: bool = True) -> ImportPreview:
    """Write every row of the file, or none: the rows are checked again (the base may have
    changed since the preview), and any error — found by the check or by a service while
    writing — rolls everything back and is kept on the batch with its row number.

    Not decorated with @transaction.atomic on purpose: the rows are written in one
    transaction, and when it rolls back the batch still records the errors."""
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.status == ImportStatus.APPLIED:
                raise ValidationError(str(ERROR_ALREADY_APPLIED))
            preview = build_preview(batch, by)
            if errors := preview.errors:
                raise ImportRejected(preview, errors)
            with audit_source(AuditSource.IMPORT):
                for row in preview.rows:
                    if skip_duplicates and row.is_duplicate:
                        preview.skipped_rows.append(row.number)
                        continue
                    try:
                        preview.created_ids.append(_create(batch.kind, by, row))
                    except ValidationError as error:
                        _add_errors(row, batch.kind, error)
                        raise ImportRejected(preview, row.errors) from error
            batch.status = ImportStatus.APPLIED
            batch.errors = []
            batch.created_ids = preview.created_ids
            batch.rows_total = len(preview.rows)
            batch.applied_at = timezone.now()
            batch.save(
                update_fields=["status", "errors", "created_ids", "rows_total", "applied_at"]
            )
            preview.batch = batch
            return preview
    except ImportRejected as rejected:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, errors=[error.as_json() for error in rejected.row_errors]
        )
        raise


# --- Large files: apply in the background -------------------------------------------------

# Up to this many rows the apply runs while the page waits (a few seconds); a larger file is
# applied by the worker, and the page shows it is under way.
INLINE_APPLY_ROWS = 300


def import_apply_enqueue(*, by: User, batch: ImportBatch, skip_duplicates: bool = True) -> Job:
    """Queue the apply of `batch` for the worker (the same all-or-nothing import_apply). A
    batch already queued or being applied is not queued twice."""
    if batch.status == ImportStatus.APPLIED:
        raise ValidationError(str(ERROR_ALREADY_APPLIED))
    waiting = import_apply_job_of(batch)
    if waiting is not None and waiting.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return waiting
    return job_enqueue(
        kind=APPLY_JOB,
        payload={"batch": batch.pk, "by": by.pk, "skip_duplicates": skip_duplicates},
        max_attempts=1,  # a failed apply wrote nothing; the user sees why and decides
    )


@job_handler(APPLY_JOB)
def import_apply_job(job: Job) -> dict[str, Any]:
    batch = ImportBatch.objects.get(pk=job.payload["batch"])
    user = User.objects.get(pk=job.payload["by"])
    try:
        preview = import_apply(
            by=user, batch=batch, skip_duplicates=job.payload.get("skip_duplicates", True)
        )
    except ImportRejected as rejected:
        return {"errors": len(rejected.row_errors)}  # kept on the batch with the row numbers
    except ValidationError as error:
        return {"error": " ".join(error.messages)}
    return {"created": len(preview.created_ids), "skipped": len(preview.skipped_rows)}

"""Import of the catalog (номенклатура) from a CSV or XLSX file: read → preview → apply.

Rules (shown on the import page):
- Columns are found by their Russian header (Наименование, Вид, Артикул, Единица / Код ОКЕИ,
  Цена, Валюта, НДС, Группа, Активен); a header the importer does not know is ignored and
  named in the preview. «Наименование» is required.
- A line updates the product with the same article (case-insensitive); a line without a
  known article updates the product with exactly the same name (and no other article); any
  other line creates a product. Only the columns the file has are changed; an empty cell keeps
  the current value (a new product gets the default: goods, price 0, RUB, general VAT rate,
  active). A new product needs a unit.
- An unknown group is created (a path «Оборудование / Насосы» creates the chain).
- Every bad line is reported with its number and the column; the same article (or, without
  an article, the same name) twice in the file is an error. Apply writes nothing if any line
  has an error; otherwise everything is written in one transaction, audited as an import.

The file is read by the clients' reader (`crm.clients.domain.tabular`) with its encoding and
separator detection; upload size/type checks are the clients' import ones."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.clients.domain.tabular import Table, TabularError, read_table
from crm.clients.services.imports import ERROR_FILE_EMPTY, header_key
from crm.clients.services.imports import check_upload as check_upload
from crm.core.audit import audit_records_bulk, audit_source, snapshot
from crm.core.domain.money import format_amount
from crm.core.i18n import translated
from crm.core.models import AuditAction, AuditSource
from crm.sales.models import Product, ProductGroup, ProductKind, Unit, VatKind
from crm.sales.services.catalog import (
    PRODUCT_FIELDS,
    NegativePrice,
    clean_currency,
    group_save,
    parse_price,
    require_administrator,
)

# Column code → (label as in messages, header aliases compared by `header_key`).
COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (
        gettext_lazy("Наименование"),
        ("наименование", "название", "номенклатура", "товар", "наименованиетовара"),
    ),
    "kind": (gettext_lazy("Вид"), ("вид", "видноменклатуры", "тип")),
    "article": (gettext_lazy("Артикул"), ("артикул", "арт", "код", "кодтовара")),
    "unit": (
        gettext_lazy("Единица"),
        ("единица", "ед", "едизм", "единицаизмерения", "единицы"),
    ),
    "okei": (gettext_lazy("Код ОКЕИ"), ("кодокеи", "океи")),
    "price": (gettext_lazy("Цена"), ("цена", "ценаруб", "стоимость")),
    "currency": (gettext_lazy("Валюта"), ("валюта",)),
    "vat": (gettext_lazy("НДС"), ("ндс", "ставкандс", "виднДС".lower(), "ставка")),
    "group": (gettext_lazy("Группа"), ("группа", "группаноменклатуры", "папка")),
    "active": (gettext_lazy("Активен"), ("активен", "активна", "используется", "активно")),
}
BATCH = 500
NEW_PRODUCT_DEFAULTS: dict[str, Any] = {
    "kind": ProductKind.GOODS,
    "price": Decimal("0.00"),
    "currency": "RUB",
    "vat_kind": VatKind.GENERAL,
    "is_active": True,
}
GROUP_SEPARATOR = re.compile(r"\s*[/\\]\s*")

_TRUE = {"да", "1", "true", "yes", "y", "д", "+", "x", "х", "истина", "активен", "активна"}
_FALSE = {"нет", "0", "false", "no", "n", "н", "-", "ложь", "неактивен", "отключен", "отключён"}
_KINDS = {
    "товар": ProductKind.GOODS,
    "товары": ProductKind.GOODS,
    "goods": ProductKind.GOODS,
    "услуга": ProductKind.SERVICE,
    "услуги": ProductKind.SERVICE,
    "service": ProductKind.SERVICE,
}
_VAT = {
    "22": VatKind.GENERAL,
    "20": VatKind.GENERAL,
    "18": VatKind.GENERAL,
    "общая": VatKind.GENERAL,
    "общаяставка": VatKind.GENERAL,
    "general": VatKind.GENERAL,
    "10": VatKind.REDUCED,
    "0": VatKind.ZERO,
    "5": VatKind.USN_5,
    "5усн": VatKind.USN_5,
    "7": VatKind.USN_7,
    "7усн": VatKind.USN_7,
    "безндс": VatKind.NONE,
    "нет": VatKind.NONE,
    "none": VatKind.NONE,
}

ERROR_NO_NAME_COLUMN = gettext_lazy(
    "В файле нет колонки «Наименование» — первая строка должна содержать названия колонок"
)
ERROR_COLUMN_TWICE = gettext_lazy("Колонка «%(column)s» встречается в файле дважды")
ERROR_HAS_ERRORS = gettext_lazy(
    "В файле есть ошибки (%(count)s) — ничего не загружено. Исправьте файл и загрузите снова."
)
LINE_ERROR = gettext_lazy("Строка %(row)s: %(column)s «%(value)s» — %(problem)s")
LINE_ERROR_EMPTY = gettext_lazy("Строка %(row)s: %(column)s — %(problem)s")


@dataclass
class PlannedLine:
    number: int
    action: str  # "create", "update" or "same" (an update that changes nothing)
    name: str
    article: str
    product: Product | None
    values: dict[str, Any]
    group_path: tuple[str, ...] | None = None  # a group to find or create, by its path
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


@dataclass
class ImportPlan:
    file_name: str
    lines: list[PlannedLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    new_groups: list[str] = field(default_factory=list)

    @property
    def to_create(self) -> list[PlannedLine]:
        return [line for line in self.lines if line.action == "create"]

    @property
    def to_update(self) -> list[PlannedLine]:
        return [line for line in self.lines if line.action == "update"]

    @property
    def unchanged(self) -> list[PlannedLine]:
        return [line for line in self.lines if line.action == "same"]


class ImportRejected(ValidationError):
    """Apply refused: the plan has errors; nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        super().__init__(str(ERROR_HAS_ERRORS % {"count": len(plan.errors)}))


def _verbose(name: str) -> str:
    return str(cast(models.Field, Product._meta.get_field(name)).verbose_name)


def _label(code: str) -> str:
    return str(COLUMNS[code][0])


def _lower_label(code: str) -> str:
    label = _label(code)
    return label if label.isupper() or label[:3].isupper() else label[:1].lower() + label[1:]


def _line_error(row: int, code: str, value: str, problem: str) -> str:
    if value:
        return str(
            LINE_ERROR
            % {"row": row, "column": _lower_label(code), "value": value, "problem": problem}
        )
    return str(LINE_ERROR_EMPTY % {"row": row, "column": _lower_label(code), "problem": problem})


def _columns(table: Table, plan: ImportPlan) -> dict[str, int]:
    by_alias = {alias: code for code, (_label_, aliases) in COLUMNS.items() for alias in aliases}
    by_alias |= {header_key(str(label)): code for code, (label, _aliases) in COLUMNS.items()}
    found: dict[str, int] = {}
    for index, title in enumerate(table.header):
        key = header_key(title)
        if not key:
            continue
        code = "unit" if key in ("единицакодокеи", "единицаокеи") else by_alias.get(key, "")
        if not code:
            plan.ignored_columns.append(title)
            continue
        if code in found:
            plan.errors.append(str(ERROR_COLUMN_TWICE % {"column": title}))
            continue
        found[code] = index
    if "name" not in found:
        plan.errors.append(str(ERROR_NO_NAME_COLUMN))
    return found


class _Catalog:
    """Everything the lines are matched against, read once per file."""

    def __init__(self) -> None:
        self.units = list(Unit.objects.all())
        self.units_by_code = {unit.okei_code: unit for unit in self.units}
        self.units_by_name: dict[str, list[Unit]] = {}
        for unit in self.units:
            for text in {unit.name, unit.full_name}:
                self.units_by_name.setdefault(self._unit_key(text), []).append(unit)
        self.by_article: dict[str, Product] = {}
        self.by_name: dict[str, list[Product]] = {}
        for product in Product.objects.select_related("unit", "group"):
            if product.article:
                self.by_article.setdefault(product.article.casefold(), product)
            self.by_name.setdefault(product.name, []).append(product)
        groups = list(ProductGroup.objects.all())
        by_id = {group.pk: group for group in groups}
        self.groups_by_path: dict[tuple[str, ...], ProductGroup] = {}
        self.groups_by_name: dict[str, list[ProductGroup]] = {}
        for group in groups:
            path: list[str] = []
            current: ProductGroup | None = group
            seen: set[int] = set()
            while current is not None and current.pk not in seen:
                seen.add(current.pk)
                path.insert(0, current.name.casefold())
                current = by_id.get(current.parent_id) if current.parent_id else None
            self.groups_by_path[tuple(path)] = group
            self.groups_by_name.setdefault(group.name.casefold(), []).append(group)

    @staticmethod
    def _unit_key(text: str) -> str:
        return " ".join(text.casefold().replace(".", " ").split())

    def unit(self, name: str, code: str) -> tuple[Unit | None, str, str]:
        """(unit, column code of the problem, problem) — the problem empty when found."""
        by_code = None
        if code:
            digits = code.zfill(3) if code.isdigit() else code
            by_code = self.units_by_code.get(digits)
            if by_code is None:
                return None, "okei", _("нет такой единицы в справочнике единиц")
        if name:
            candidates = self.units_by_name.get(self._unit_key(name), [])
            if by_code is not None:
                if candidates and by_code not in candidates:
                    return (
                        None,
                        "unit",
                        _("не совпадает с кодом ОКЕИ %(code)s (%(name)s)")
                        % {
                            "code": by_code.okei_code,
                            "name": by_code.name,
                        },
                    )
                return by_code, "", ""
            if not candidates:
                return None, "unit", _("нет такой единицы в справочнике единиц")
            if len({unit.pk for unit in candidates}) > 1:
                return None, "unit", _("таких единиц несколько — укажите код ОКЕИ")
            return candidates[0], "", ""
        return by_code, "", ""

    def group(self, text: str) -> tuple[ProductGroup | None, tuple[str, ...], str]:
        """(existing group, path to create when not found, problem)."""
        parts = tuple(part for part in GROUP_SEPARATOR.split(text.strip()) if part)
        key = tuple(part.casefold() for part in parts)
        if len(parts) > 1:
            return self.groups_by_path.get(key), parts, ""
        same = self.groups_by_name.get(key[0], [])
        if len(same) > 1:
            return None, parts, _("таких групп несколько — укажите путь через «/»")
        return (same[0] if same else None), parts, ""


def _parse_active(value: str) -> bool | None:
    key = value.strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return format_amount(value, separator="")
    return str(value)


def plan_import(table: Table, file_name: str = "") -> ImportPlan:
    """What the file would do (nothing is written)."""
    plan = ImportPlan(file_name=file_name)
    columns = _columns(table, plan)
    if plan.errors:
        return plan
    catalog = _Catalog()
    seen_articles: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    planned_groups: dict[tuple[str, ...], str] = {}
    for row in table.rows:
        cells = {code: row.cells[index].strip() for code, index in columns.items()}
        errors: list[str] = []

        def bad(code: str, problem: str, row: int = row.number, cells: dict = cells) -> None:
            errors.append(_line_error(row, code, cells.get(code, ""), problem))  # noqa: B023

        name = " ".join(cells.get("name", "").split())
        article = " ".join(cells.get("article", "").split())
        if not name:
            bad("name", _("не заполнено"))
        elif len(name) > 500:
            errors.append(
                _line_error(row.number, "name", name[:40] + "…", _("длиннее 500 символов"))
            )
        if len(article) > 100:
            errors.append(
                _line_error(row.number, "article", article[:40] + "…", _("длиннее 100 символов"))
            )
        # Match an existing product.
        product = catalog.by_article.get(article.casefold()) if article else None
        if product is None and name:
            same_name = [
                item
                for item in catalog.by_name.get(name, [])
                if not item.article or item.article.casefold() == article.casefold()
            ]
            if len(same_name) > 1:
                bad("name", _("таких позиций в каталоге несколько — укажите артикул"))
            elif same_name:
                product = same_name[0]
        # The same product twice in the file.
        if article:
            if (first := seen_articles.get(article.casefold())) is not None:
                bad("article", _("уже встречался в строке %(first)s") % {"first": first})
            else:
                seen_articles[article.casefold()] = row.number
        elif name:
            if (first := seen_names.get(name)) is not None:
                bad(
                    "name",
                    _("уже встречалось в строке %(first)s (без артикула)") % {"first": first},
                )
            else:
                seen_names[name] = row.number
        values: dict[str, Any] = {}
        if name:
            values["name"] = name
        if article and not (product and product.article.casefold() == article.casefold()):
            values["article"] = article  # a case-only difference keeps the catalog's spelling
        if cells.get("kind"):
            kind = _KINDS.get(cells["kind"].casefold())
            if kind is None:
                bad("kind", _("напишите «Товар» или «Услуга»"))
            else:
                values["kind"] = kind
        if cells.get("unit") or cells.get("okei"):
            unit, column, problem = catalog.unit(cells.get("unit", ""), cells.get("okei", ""))
            if problem:
                bad(column, problem)
            else:
                values["unit"] = unit
        elif product is None:
            bad("unit", _("укажите единицу или код ОКЕИ"))
        if cells.get("price"):
            try:
                values["price"] = parse_price(cells["price"])
            except NegativePrice:
                bad("price", _("меньше нуля"))
            except ValueError:
                bad("price", _("не число"))
        if cells.get("currency"):
            try:
                values["currency"] = clean_currency(cells["currency"])
            except ValueError:
                bad("currency", _("нужен трёхбуквенный код, например RUB"))
        if cells.get("vat"):
            vat_key = header_key(cells["vat"].replace("%", ""))
            vat_kind = _VAT.get(vat_key) or _VAT.get(vat_key.replace("ндс", ""))
            if vat_kind is None:
                bad("vat", _("напишите ставку: 22 %, 10 %, 0 %, 5 %, 7 % или «Без НДС»"))
            else:
                values["vat_kind"] = vat_kind
        group_path = None
        if cells.get("group"):
            group, path, problem = catalog.group(cells["group"])
            if problem:
                bad("group", problem)
            elif group is not None:
                values["group"] = group
            else:
                group_path = path
                planned_groups.setdefault(tuple(p.casefold() for p in path), " / ".join(path))
        if cells.get("active"):
            active = _parse_active(cells["active"])
            if active is None:
                bad("active", _("напишите «да» или «нет»"))
            else:
                values["is_active"] = active
        if errors:
            plan.errors.extend(errors)
            continue
        line = PlannedLine(
            number=row.number,
            action="create" if product is None else "update",
            name=name,
            article=article or (product.article if product else ""),
            product=product,
            values=values,
            group_path=group_path,
        )
        if product is not None:
            for code, value in values.items():
                old = getattr(product, code)
                if old != value:
                    label = str(_verbose(code))
                    line.changes.append((label, _display(old), _display(value)))
            if group_path is not None:
                line.changes.append(
                    (
                        _verbose("group"),
                        _display(product.group),
                        " / ".join(group_path),
                    )
                )
            if not line.changes:
                line.action = "same"
        plan.lines.append(line)
    plan.new_groups = list(planned_groups.values())
    return plan


def read_file(file_name: str, content: bytes) -> Table:
    """The file as a table; a wrong, too large or unreadable file is a ValidationError on
    `file` with the reason."""
    check_upload(file_name, len(content))
    try:
        table = read_table(content, file_name)
    except TabularError as error:
        raise ValidationError({"file": [translated(error.args[0])]}) from error
    if not table.rows:
        raise ValidationError({"file": [str(ERROR_FILE_EMPTY)]})
    return table


def import_preview(*, by: Any, file_name: str, content: bytes) -> ImportPlan:
    require_administrator(by)
    return plan_import(read_file(file_name, content), file_name)


def _group_for(
    by: Any, path: tuple[str, ...], made: dict[tuple[str, ...], ProductGroup]
) -> ProductGroup:
    parent: ProductGroup | None = None
    for depth in range(1, len(path) + 1):
        key = tuple(part.casefold() for part in path[:depth])
        group = made.get(key)
        if group is None:
            same = ProductGroup.objects.filter(name__iexact=path[depth - 1], parent=parent)
            group = same.first() or group_save(by=by, name=path[depth - 1], parent=parent)
            made[key] = group
        parent = group
    assert parent is not None
    return parent


def import_apply(*, by: Any, file_name: str, content: bytes) -> ImportPlan:
    """Write the file: all lines or nothing. Raises ImportRejected (nothing written) when a
    line has an error, ValidationError on `file` when the file cannot be read.

    The lines were checked by `plan_import` with the same rules as `product_save` (the
    article's uniqueness against the whole catalog included), so they are written in bulk:
    a few queries per 500 lines instead of several per line, each audited as an import."""
    require_administrator(by)
    table = read_file(file_name, content)
    with transaction.atomic(), audit_source(AuditSource.IMPORT):
        plan = plan_import(table, file_name)
        if plan.errors:
            raise ImportRejected(plan)
        made: dict[tuple[str, ...], ProductGroup] = {}
        now = timezone.now()
        created: list[Product] = []
        updated: list[tuple[Product, dict[str, Any]]] = []
        for line in plan.lines:
            if line.action == "same":
                continue
            values = dict(line.values)
            if line.group_path is not None:
                values["group"] = _group_for(by, line.group_path, made)
            if line.product is None:
                product = Product(**NEW_PRODUCT_DEFAULTS)
                for code, value in values.items():
                    setattr(product, code, value)
                created.append(product)
            else:
                product = line.product
                before = snapshot(product, PRODUCT_FIELDS)
                for code, value in values.items():
                    setattr(product, code, value)
                product.updated_at = now
                updated.append((product, before))
        Product.objects.bulk_create(created, batch_size=BATCH)
        Product.objects.bulk_update(
            [product for product, _before in updated],
            [*PRODUCT_FIELDS, "updated_at"],
            batch_size=BATCH,
        )
        audit_records_bulk(
            actor=by,
            action=AuditAction.CREATE,
            rows=[(product, {}, snapshot(product, PRODUCT_FIELDS)) for product in created],
            comment=_("Импорт из файла «%(name)s»") % {"name": file_name},
        )
        audit_records_bulk(
            actor=by,
            action=AuditAction.UPDATE,
            rows=[
                (product, before, snapshot(product, PRODUCT_FIELDS)) for product, before in updated
            ],
            comment=_("Импорт из файла «%(name)s»") % {"name": file_name},
        )
    return plan

"""Changes to the catalog (номенклатура): products, product groups, units of measure.

Everyone reads the catalog; only administrators change it. Each function checks and
normalizes its input, raises ValidationError with Russian messages naming the field, and
writes an audit record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.access import can_administer
from crm.core.audit import audit_record, audit_saved, snapshot, stored_snapshot
from crm.core.domain.money import MoneyError, parse_decimal, round_money
from crm.core.models import AuditAction
from crm.sales.models import Product, ProductGroup, ProductKind, Unit, VatKind

PRODUCT_FIELDS = (
    "name",
    "kind",
    "article",
    "unit",
    "price",
    "currency",
    "vat_kind",
    "group",
    "description",
    "is_active",
)
GROUP_FIELDS = ("name", "parent", "order")
UNIT_FIELDS = ("okei_code", "name", "full_name")
MAX_PRICE = Decimal("9999999999999.99")

ERROR_NOT_ADMINISTRATOR = gettext_lazy("Номенклатуру ведёт администратор")


def require_administrator(by: Any) -> None:
    if not can_administer(by):
        raise PermissionDenied(ERROR_NOT_ADMINISTRATOR)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


class NegativePrice(ValueError):
    """A price below zero (a ValueError: not a valid price either)."""


def parse_price(value: Any) -> Decimal:
    """A price from a form, the API or a spreadsheet: «1 234,50», "1234.5", 1234 → Decimal
    rounded half up to kopecks. ValueError when it is not a number (NegativePrice when it is
    below zero)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        try:
            number = parse_decimal(str(value or ""))
        except MoneyError as error:
            raise ValueError(value) from error
    if not number.is_finite() or number > MAX_PRICE:
        raise ValueError(value)
    if number < 0:
        raise NegativePrice(value)
    return round_money(number)


def clean_currency(value: Any) -> str:
    currency = _text(value).upper() or "RUB"
    if currency in ("РУБ", "РУБ.", "RUR", "₽"):
        currency = "RUB"
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise ValueError(value)
    return currency


# --- Products -------------------------------------------------------------------------------


def clean_product_fields(data: dict[str, Any], product: Product | None = None) -> dict[str, Any]:
    """Normalize and check a product's fields; ValidationError names every bad field."""
    data = dict(data)
    errors: dict[str, list[str]] = {}
    for name in ("name", "article"):
        if name in data:
            data[name] = _text(data[name])
    if "description" in data:
        data["description"] = str(data["description"] or "").strip()
    if not data.get("name"):
        errors["name"] = [_("Укажите наименование")]
    elif len(data["name"]) > 500:
        errors["name"] = [_("Наименование — не длиннее 500 символов")]
    if len(data.get("article", "")) > 100:
        errors["article"] = [_("Артикул — не длиннее 100 символов")]
    if data.get("kind", ProductKind.GOODS) not in ProductKind.values:
        errors["kind"] = [_("Вид — «Товар» или «Услуга»")]
    if data.get("vat_kind", VatKind.GENERAL) not in VatKind.values:
        errors["vat_kind"] = [_("Неизвестный вид НДС «%(value)s»") % {"value": data["vat_kind"]}]
    if not isinstance(data.get("unit"), Unit):
        errors["unit"] = [_("Укажите единицу измерения")]
    group = data.get("group")
    if group is not None and not isinstance(group, ProductGroup):
        errors["group"] = [_("Неизвестная группа")]
    if "price" in data:
        try:
            data["price"] = parse_price(data["price"])
        except NegativePrice:
            errors["price"] = [_("Цена не может быть меньше нуля")]
        except ValueError:
            errors["price"] = [_("Цена «%(value)s» — не число") % {"value": data["price"]}]
    if "currency" in data:
        try:
            data["currency"] = clean_currency(data["currency"])
        except ValueError:
            errors["currency"] = [_("Валюта — трёхбуквенный код, например RUB")]
    if data.get("article") and "article" not in errors:
        same = Product.objects.filter(article__iexact=data["article"])
        if product is not None and product.pk:
            same = same.exclude(pk=product.pk)
        if same.exists():
            errors["article"] = [
                _("Артикул «%(article)s» уже есть у «%(name)s»")
                % {"article": data["article"], "name": same.first()}
            ]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def product_save(*, by: Any, data: dict[str, Any], product: Product | None = None) -> Product:
    """Create a product (product=None) or change one. `data` holds the model's fields; `unit`
    and `group` are model instances."""
    require_administrator(by)
    data = clean_product_fields(data, product)
    before = stored_snapshot(product, PRODUCT_FIELDS) if product else None
    product = product or Product()
    for name in PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name])
    product.save()
    audit_saved(actor=by, instance=product, before=before, after=snapshot(product, PRODUCT_FIELDS))
    return product


# --- Groups ---------------------------------------------------------------------------------


def _descendants(group: ProductGroup) -> set[int]:
    from crm.sales.selectors.catalog import group_with_descendants

    return set(group_with_descendants(group.pk))


@transaction.atomic
def group_save(
    *,
    by: Any,
    name: str,
    parent: ProductGroup | None = None,
    order: int = 100,
    group: ProductGroup | None = None,
) -> ProductGroup:
    require_administrator(by)
    name = _text(name)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Укажите название группы")]
    elif len(name) > 255:
        errors["name"] = [_("Название группы — не длиннее 255 символов")]
    else:
        same = ProductGroup.objects.filter(name__iexact=name, parent=parent)
        if group is not None and group.pk:
            same = same.exclude(pk=group.pk)
        if same.exists():
            errors["name"] = [_("Группа «%(name)s» здесь уже есть") % {"name": name}]
    if group is not None and group.pk and parent is not None and parent.pk in _descendants(group):
        errors["parent"] = [_("Группа не может входить в саму себя или в свою подгруппу")]
    if errors:
        raise ValidationError(errors)
    before = stored_snapshot(group, GROUP_FIELDS) if group else None
    group = group or ProductGroup()
    group.name, group.parent, group.order = name, parent, order
    group.save()
    audit_saved(actor=by, instance=group, before=before, after=snapshot(group, GROUP_FIELDS))
    return group


@transaction.atomic
def group_delete(*, by: Any, group: ProductGroup) -> None:
    """Delete an empty group: one with subgroups or products is refused."""
    require_administrator(by)
    if group.children.exists():
        raise ValidationError(
            {"group": [_("В группе есть подгруппы — сначала перенесите или удалите их")]}
        )
    if (count := group.products.count()) > 0:
        raise ValidationError(
            {
                "group": [
                    _("В группе есть номенклатура (%(count)s) — сначала перенесите её")
                    % {"count": count}
                ]
            }
        )
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=group,
        before=snapshot(group, GROUP_FIELDS),
        after={},
    )
    group.delete()


# --- Units ----------------------------------------------------------------------------------


@transaction.atomic
def unit_save(
    *, by: Any, okei_code: str, name: str, full_name: str = "", unit: Unit | None = None
) -> Unit:
    require_administrator(by)
    okei_code, name, full_name = _text(okei_code), _text(name), _text(full_name)
    errors: dict[str, list[str]] = {}
    if not okei_code:
        errors["okei_code"] = [_("Укажите код ОКЕИ")]
    elif not okei_code.isdigit() or len(okei_code) > 4:
        errors["okei_code"] = [_("Код ОКЕИ — от 1 до 4 цифр, например 796")]
    else:
        okei_code = okei_code.zfill(3)
        same = Unit.objects.filter(okei_code=okei_code)
        if unit is not None and unit.pk:
            same = same.exclude(pk=unit.pk)
        if same.exists():
            errors["okei_code"] = [
                _("Код ОКЕИ %(code)s уже есть: «%(name)s»")
                % {"code": okei_code, "name": same.first()}
            ]
    if not name:
        errors["name"] = [_("Укажите обозначение единицы, например «шт»")]
    elif len(name) > 20:
        errors["name"] = [_("Обозначение — не длиннее 20 символов")]
    if len(full_name) > 100:
        errors["full_name"] = [_("Наименование единицы — не длиннее 100 символов")]
    if errors:
        raise ValidationError(errors)
    before = stored_snapshot(unit, UNIT_FIELDS) if unit else None
    unit = unit or Unit()
    unit.okei_code, unit.name, unit.full_name = okei_code, name, full_name or name
    unit.save()
    audit_saved(actor=by, instance=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def unit_delete(*, by: Any, unit: Unit) -> None:
    require_administrator(by)
    if (count := Product.objects.filter(unit=unit).count()) > 0:
        raise ValidationError(
            {
                "unit": [
                    _("Единица указана в номенклатуре (%(count)s) — удалить нельзя")
                    % {"count": count}
                ]
            }
        )
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=unit,
        before=snapshot(unit, UNIT_FIELDS),
        after={},
    )
    try:
        unit.delete()
    except models.ProtectedError as error:
        raise ValidationError(
            {"unit": [_("Единица где-то используется — удалить нельзя")]}
        ) from error

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.models import AuditAction, AuditEntry
from crm.sales.models import Product, ProductGroup, ProductKind, Unit, VatKind
from crm.sales.services import catalog as services
from crm.sales.tests.factories import ProductFactory, unit

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {
        "name": "Дрель ударная",
        "kind": ProductKind.GOODS,
        "article": "DR-100",
        "unit": unit("796"),
        "price": "1 234,567",
        "currency": "rub",
        "vat_kind": VatKind.GENERAL,
        "group": None,
        "description": "",
        "is_active": True,
    }
    return data | overrides


def test_product_create_normalizes_and_audits(administrator):
    product = services.product_save(by=administrator, data=_data(name="  Дрель   ударная "))
    assert product.name == "Дрель ударная"
    assert product.price == Decimal("1234.57")  # half up to kopecks
    assert product.currency == "RUB"
    entry = AuditEntry.objects.get(object_id=str(product.pk), content_type__model="product")
    assert entry.action == AuditAction.CREATE
    assert entry.changes["price"] == [None, "1234.57"]
    assert entry.changes["unit"] == [None, "шт"]


def test_product_update_audits_only_changes(administrator):
    product = services.product_save(by=administrator, data=_data())
    services.product_save(by=administrator, data=_data(price="1500"), product=product)
    update = AuditEntry.objects.get(object_id=str(product.pk), action=AuditAction.UPDATE)
    assert update.changes == {"price": ["1234.57", "1500.00"]}
    services.product_save(by=administrator, data=_data(price="1500"), product=product)
    assert AuditEntry.objects.filter(object_id=str(product.pk)).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "Укажите наименование"),
        ({"price": "12,3,4"}, "price", "Цена «12,3,4» — не число"),
        ({"price": "-1"}, "price", "Цена не может быть меньше нуля"),
        ({"currency": "рубли"}, "currency", "Валюта — трёхбуквенный код, например RUB"),
        ({"unit": None}, "unit", "Укажите единицу измерения"),
        ({"kind": "thing"}, "kind", "Вид — «Товар» или «Услуга»"),
        ({"vat_kind": "13"}, "vat_kind", "Неизвестный вид НДС «13»"),
        ({"article": "x" * 101}, "article", "Артикул — не длиннее 100 символов"),
    ],
)
def test_product_bad_input(administrator, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        services.product_save(by=administrator, data=_data(**overrides))
    assert error.value.message_dict[field] == [message]
    assert not Product.objects.exists()
    assert not AuditEntry.objects.exists()


def test_product_article_unique_regardless_of_case(administrator):
    ProductFactory(name="Перфоратор", article="PF-1")
    with pytest.raises(ValidationError) as error:
        services.product_save(by=administrator, data=_data(article="pf-1"))
    assert error.value.message_dict["article"] == ["Артикул «pf-1» уже есть у «Перфоратор»"]


def test_only_administrator_writes(manager, head):
    for user in (manager, head):
        with pytest.raises(PermissionDenied):
            services.product_save(by=user, data=_data())
        with pytest.raises(PermissionDenied):
            services.group_save(by=user, name="Инструмент")
        with pytest.raises(PermissionDenied):
            services.unit_save(by=user, okei_code="999", name="у")
    assert not Product.objects.exists()
    assert not ProductGroup.objects.exists()


def test_parse_price():
    assert services.parse_price("1 000,5") == Decimal("1000.50")
    assert services.parse_price(Decimal("0.005")) == Decimal("0.01")
    assert services.parse_price(12) == Decimal("12.00")
    assert services.parse_price(0.1) == Decimal("0.10")
    for bad in ("", "abc", "1,2,3", "-5", "NaN", "Infinity", True, "1e30"):
        with pytest.raises(ValueError):
            services.parse_price(bad)


def test_groups_tree_and_cycles(administrator):
    tools = services.group_save(by=administrator, name="Инструмент")
    drills = services.group_save(by=administrator, name="Дрели", parent=tools)
    with pytest.raises(ValidationError) as error:
        services.group_save(by=administrator, group=tools, name="Инструмент", parent=drills)
    assert error.value.message_dict["parent"] == [
        "Группа не может входить в саму себя или в свою подгруппу"
    ]
    with pytest.raises(ValidationError) as error:
        services.group_save(by=administrator, name="дрели", parent=tools)
    assert error.value.message_dict["name"] == ["Группа «дрели» здесь уже есть"]
    # The same name under another parent is fine.
    services.group_save(by=administrator, name="Дрели")
    tools.refresh_from_db()
    assert tools.parent is None


def test_group_delete_refuses_used(administrator):
    tools = services.group_save(by=administrator, name="Инструмент")
    drills = services.group_save(by=administrator, name="Дрели", parent=tools)
    ProductFactory(group=drills)
    with pytest.raises(ValidationError) as error:
        services.group_delete(by=administrator, group=tools)
    assert error.value.messages == ["В группе есть подгруппы — сначала перенесите или удалите их"]
    with pytest.raises(ValidationError) as error:
        services.group_delete(by=administrator, group=drills)
    assert error.value.messages == ["В группе есть номенклатура (1) — сначала перенесите её"]
    empty = services.group_save(by=administrator, name="Пустая")
    empty_pk = empty.pk
    services.group_delete(by=administrator, group=empty)
    assert not ProductGroup.objects.filter(pk=empty_pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_id=str(empty_pk)).exists()


def test_units(administrator):
    box = services.unit_save(by=administrator, okei_code="  812 ", name="ящ", full_name="Ящик")
    assert (box.okei_code, box.name, box.full_name) == ("812", "ящ", "Ящик")
    with pytest.raises(ValidationError) as error:
        services.unit_save(by=administrator, okei_code="796", name="штука")
    assert error.value.message_dict["okei_code"] == ["Код ОКЕИ 796 уже есть: «шт»"]
    with pytest.raises(ValidationError) as error:
        services.unit_save(by=administrator, okei_code="12a", name="")
    assert error.value.message_dict == {
        "okei_code": ["Код ОКЕИ — от 1 до 4 цифр, например 796"],
        "name": ["Укажите обозначение единицы, например «шт»"],
    }
    ProductFactory(unit=box)
    with pytest.raises(ValidationError) as error:
        services.unit_delete(by=administrator, unit=box)
    assert error.value.messages == ["Единица указана в номенклатуре (1) — удалить нельзя"]
    assert Unit.objects.filter(pk=box.pk).exists()

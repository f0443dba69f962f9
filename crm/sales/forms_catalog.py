"""Forms of the catalog (номенклатура) and of our organizations. They only collect the
input: the services check it and their messages are put back beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.sales.models import ProductGroup, ProductKind, Unit, VatKind
from crm.sales.selectors.catalog import group_tree

ACTIVE_CHOICES = [("1", _("Используются")), ("0", _("Отключены")), ("all", _("Все"))]


def group_choices(empty_label: Any) -> list[tuple[Any, Any]]:
    """Groups as a tree: a subgroup is indented under its parent."""
    return [("", empty_label)] + [
        (group.pk, "\u00a0\u00a0\u00a0\u00a0" * depth + group.name) for group, depth in group_tree()
    ]


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False, max_length=100)
    group = forms.TypedChoiceField(label=_("Группа"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Вид"), required=False, choices=[("", _("Любой")), *ProductKind.choices]
    )
    active = forms.ChoiceField(label=_("Состояние"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = group_choices(_("Любая"))  # type: ignore[attr-defined]

    def active_value(self) -> bool | None:
        value = self.cleaned_data.get("active") if self.is_valid() else ""
        if value == "all":
            return None
        return value != "0"


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Наименование"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Вид"), choices=ProductKind.choices)
    article = forms.CharField(label=_("Артикул"), max_length=100, required=False)
    unit = forms.ModelChoiceField(
        label=_("Единица измерения"), queryset=Unit.objects.none(), required=False
    )
    price = forms.CharField(label=_("Цена"), max_length=30, required=False, initial="0,00")
    currency = forms.CharField(label=_("Валюта"), max_length=3, required=False, initial="RUB")
    vat_kind = forms.ChoiceField(label=_("НДС"), choices=VatKind.choices)
    group = forms.ModelChoiceField(
        label=_("Группа"),
        queryset=ProductGroup.objects.none(),
        required=False,
        empty_label=_("— без группы —"),
    )
    description = forms.CharField(
        label=_("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_active = forms.BooleanField(label=_("Используется"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["unit"].queryset = Unit.objects.order_by("name")
        fields["unit"].label_from_instance = lambda unit: f"{unit.name} ({unit.okei_code})"
        fields["unit"].empty_label = _("— выберите —")
        fields["group"].queryset = ProductGroup.objects.all()
        fields["group"].widget.choices = group_choices(_("— без группы —"))


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=255, required=False)
    parent = forms.ModelChoiceField(
        label=_("Входит в группу"),
        queryset=ProductGroup.objects.none(),
        required=False,
        empty_label=_("— верхний уровень —"),
    )
    order = forms.IntegerField(label=_("Порядок"), min_value=0, max_value=32767, initial=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["parent"].queryset = ProductGroup.objects.all()
        fields["parent"].widget.choices = group_choices(_("— верхний уровень —"))


class UnitForm(forms.Form):
    okei_code = forms.CharField(
        label=_("Код ОКЕИ"), max_length=4, required=False, help_text=_("Например, 796 — штука")
    )
    name = forms.CharField(label=_("Обозначение"), max_length=20, required=False)
    full_name = forms.CharField(label=_("Наименование"), max_length=100, required=False)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл CSV или XLSX"),
        help_text=_(
            "Первая строка — названия колонок: Наименование, Вид, Артикул, Единица или Код "
            "ОКЕИ, Цена, Валюта, НДС, Группа, Активен. CSV в кодировке UTF-8 или "
            "windows-1251, разделитель «;» или «,»."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Краткое название"), max_length=255, required=False)
    full_name = forms.CharField(label=_("Полное наименование"), max_length=500, required=False)
    inn = forms.CharField(label=_("ИНН"), max_length=12, required=False)
    kpp = forms.CharField(label=_("КПП"), max_length=9, required=False)
    ogrn = forms.CharField(label=_("ОГРН / ОГРНИП"), max_length=15, required=False)
    legal_address = forms.CharField(label=_("Юридический адрес"), max_length=500, required=False)
    postal_address = forms.CharField(label=_("Почтовый адрес"), max_length=500, required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=40, required=False)
    email = forms.CharField(label=_("Эл. почта"), max_length=254, required=False)
    director = forms.CharField(label=_("Руководитель (ФИО)"), max_length=255, required=False)
    director_position = forms.CharField(
        label=_("Должность руководителя"), max_length=255, required=False
    )
    chief_accountant = forms.CharField(
        label=_("Главный бухгалтер (ФИО)"), max_length=255, required=False
    )
    is_vat_payer = forms.BooleanField(label=_("Плательщик НДС"), required=False, initial=True)
    is_default = forms.BooleanField(label=_("По умолчанию"), required=False)
    is_active = forms.BooleanField(label=_("Используется"), required=False, initial=True)


class BankAccountForm(forms.Form):
    bik = forms.CharField(label=_("БИК"), max_length=9, required=False)
    bank_name = forms.CharField(label=_("Банк"), max_length=255, required=False)
    correspondent_account = forms.CharField(label=_("Корр. счёт"), max_length=20, required=False)
    account = forms.CharField(label=_("Расчётный счёт"), max_length=20, required=False)
    currency = forms.CharField(label=_("Валюта"), max_length=3, required=False, initial="RUB")
    is_main = forms.BooleanField(label=_("Основной"), required=False)

"""Forms of the deal pages: the create/edit form with its lines of interest, the filters of the
board and of the list, and the dialog of a stage move (what is missing). They parse and show;
the rules live in crm.sales.services.deals and crm.sales.domain.rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.activities.selectors.activities import assignable_users, co_executor_choices
from crm.clients.models import Client, ContactPerson, LeadSource
from crm.core.domain.money import (
    CURRENCY_SIGNS,
    MoneyError,
    format_amount,
    format_quantity,
    parse_amount,
    round_money,
)
from crm.sales.models import (
    DealStatus,
    FirstStep,
    LostReason,
    Pipeline,
    Product,
    Stage,
)

CURRENCIES = [(code, f"{code} — {sign}") for code, sign in CURRENCY_SIGNS.items()]

ERROR_CLIENT_REQUIRED = _("Клиент: выберите клиента сделки")
ERROR_CLIENT_NOT_FOUND = _("Клиент: такой клиент не найден среди ваших")
ERROR_TITLE_REQUIRED = _("Название: укажите, что хочет клиент")
ERROR_AMOUNT_INVALID = _("Ожидаемая сумма: введите число, например 150000 или 1 250,50")
ERROR_AMOUNT_NEGATIVE = _("Ожидаемая сумма не может быть отрицательной")
ERROR_PIPELINE_REQUIRED = _("Воронка: выберите воронку")
ERROR_MANAGER_NOT_ALLOWED = _("Ответственный: этого сотрудника нельзя назначить")
ERROR_CONTACT_NOT_OF_CLIENT = _("Контактное лицо: это не контакт выбранного клиента")
ERROR_DATE_INVALID = _("Ожидаемая дата: введите дату в формате ДД.ММ.ГГГГ")
ERROR_LINE_NAME = _("Строка %(n)s: укажите наименование или выберите из номенклатуры")
ERROR_LINE_QUANTITY = _("Строка %(n)s: количество должно быть больше нуля")
ERROR_LINE_QUANTITY_INVALID = _("Строка %(n)s: количество — введите число")
ERROR_LINE_PRICE = _("Строка %(n)s: цена не может быть отрицательной")
ERROR_LINE_PRICE_INVALID = _("Строка %(n)s: цена — введите число")
ERROR_STAGE_UNKNOWN = _("Этап не найден в воронке сделки")
ERROR_LOST_REASON_UNKNOWN = _("Причина проигрыша: выберите причину из списка")

SORTS = {
    "number": ("number", "id"),
    "title": ("title", "id"),
    "client": ("client__name", "id"),
    "amount": ("amount", "id"),
    "expected": ("expected_close_date", "id"),
    "stage": ("stage__order", "id"),
    "in_stage": ("stage_entered_at", "id"),
    "created": ("created_at", "id"),
}
DEFAULT_SORT = "-created"


def sort_fields(sort: str) -> list[str]:
    """`sort` ("amount", "-created"…) as order_by fields; anything else is the default."""
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"))
    if fields is None:
        return sort_fields(DEFAULT_SORT)
    return [f"-{name}" if descending else name for name in fields]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AmountField(forms.CharField):
    """A sum as people type it ("1 250,50", "1250.5"): Decimal rounded half up to kopecks."""

    def __init__(
        self,
        *,
        invalid: Any = ERROR_AMOUNT_INVALID,
        negative: Any = ERROR_AMOUNT_NEGATIVE,
        places: int = 2,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.invalid_message = invalid
        self.negative_message = negative
        self.places = places

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            amount = parse_amount(str(text))
        except MoneyError as error:
            raise forms.ValidationError(self.invalid_message, code="invalid") from error
        if amount < 0:
            raise forms.ValidationError(self.negative_message, code="negative")
        if self.places == 2:
            return round_money(amount)
        return amount.quantize(Decimal(1).scaleb(-self.places))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        department = f" · {obj.department}" if obj.department_id else ""
        return f"{obj.full_name}{department}"


class PipelineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def active_pipelines() -> Any:
    return Pipeline.objects.filter(is_active=True).order_by("order", "name")


def default_pipeline() -> Pipeline | None:
    pipelines = list(active_pipelines())
    return next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)


# --- Create / edit --------------------------------------------------------------------------


class DealForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Клиент"),
        queryset=Client.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": ERROR_CLIENT_REQUIRED,
            "invalid_choice": ERROR_CLIENT_NOT_FOUND,
        },
    )
    contact = forms.ModelChoiceField(
        label=_("Контактное лицо"),
        queryset=ContactPerson.objects.none(),
        required=False,
        error_messages={"invalid_choice": ERROR_CONTACT_NOT_OF_CLIENT},
    )
    pipeline = PipelineChoiceField(
        label=_("Воронка"),
        queryset=Pipeline.objects.none(),
        empty_label=None,
        error_messages={"required": ERROR_PIPELINE_REQUIRED},
    )
    title = forms.CharField(
        label=_("Название"),
        max_length=255,
        error_messages={"required": ERROR_TITLE_REQUIRED},
        help_text=_("Коротко, что нужно клиенту: «Поставка плитки для офиса»"),
    )
    amount = AmountField(label=_("Ожидаемая сумма"))
    currency = forms.ChoiceField(label=_("Валюта"), choices=CURRENCIES, initial="RUB")
    expected_close_date = forms.DateField(
        label=_("Ожидаемая дата"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": ERROR_DATE_INVALID},
    )
    source = forms.ModelChoiceField(
        label=_("Источник"),
        queryset=LeadSource.objects.none(),
        required=False,
        empty_label=_("— как у клиента —"),
    )
    manager = UserChoiceField(
        label=_("Ответственный"),
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": ERROR_MANAGER_NOT_ALLOWED},
    )
    co_executors = UsersChoiceField(
        label=_("Соисполнители"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    description = forms.CharField(
        label=_("Пожелания клиента"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    first_step = forms.ChoiceField(
        label=_("Первый шаг"),
        choices=FirstStep.choices,
        initial=FirstStep.PROPOSAL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, deal: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.deal = deal
        clients = visible_to(user, Client.objects.all())
        managers = assignable_users(user)
        pipelines = active_pipelines()
        if deal is not None:
            clients = clients | Client.objects.filter(pk=deal.client_id)
            managers = managers | User.objects.filter(pk=deal.manager_id)
            pipelines = pipelines | Pipeline.objects.filter(pk=deal.pipeline_id)
            # The client and the pipeline of an existing deal do not change here.
            self.fields["client"].required = False
            self.fields["pipeline"].required = False
        self.fields["client"].queryset = clients
        self.fields["manager"].queryset = managers.distinct()
        self.fields["pipeline"].queryset = pipelines.distinct()
        self.fields["co_executors"].queryset = co_executor_choices()
        sources = LeadSource.objects.filter(is_active=True)
        if deal is not None and deal.source_id:
            sources = sources | LeadSource.objects.filter(pk=deal.source_id)
        self.fields["source"].queryset = sources.distinct().order_by("order", "name")
        self.client_obj = deal.client if deal is not None else self._chosen_client()
        self.fields["contact"].queryset = (
            ContactPerson.objects.filter(links__client=self.client_obj).order_by(
                "last_name", "first_name"
            )
            if self.client_obj is not None
            else ContactPerson.objects.none()
        )

    def _chosen_client(self) -> Client | None:
        raw: Any = self.data.get("client") if self.is_bound else self.initial.get("client")
        if isinstance(raw, Client):
            return raw
        if not raw:
            return None
        try:
            found: Client | None = self.fields["client"].queryset.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None
        return found

    @classmethod
    def initial_for(cls, deal: Any) -> dict[str, Any]:
        return {
            "client": deal.client_id,
            "contact": deal.contact_id,
            "pipeline": deal.pipeline_id,
            "title": deal.title,
            "amount": format_amount(deal.amount, separator="") if deal.amount else "",
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
            "source": deal.source_id,
            "manager": deal.manager_id,
            "co_executors": [user.pk for user in deal.co_executors.all()],
            "description": deal.description,
            "first_step": deal.first_step,
        }

    def service_data(self) -> dict[str, Any]:
        """The `data` of deal_create / deal_update: fields left empty that have a default in
        the service (source: the client's) are left out."""
        data = dict(self.cleaned_data)
        data.pop("client", None)
        if self.deal is not None:
            data.pop("pipeline", None)
        # As text: the service reads "" as zero (and a Decimal zero as "nothing given").
        data["amount"] = "" if data.get("amount") is None else f"{data['amount']:.2f}"
        if data.get("source") is None and self.deal is None:
            data.pop("source")
        data["co_executors"] = list(data.get("co_executors") or [])
        return data


class LineForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("Наименование"), max_length=500, required=False)
    quantity = forms.CharField(label=_("Количество"), max_length=30, required=False)
    unit_name = forms.CharField(label=_("Единица"), max_length=20, required=False)
    price = forms.CharField(label=_("Цена"), max_length=30, required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (
            data.get("product") or data.get("name") or data.get("price") or data.get("quantity")
        )


LineFormSet = forms.formset_factory(LineForm, extra=0, can_delete=True)


def clean_lines(formset: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The lines of the formset as dicts for deal_set_lines, and the Russian errors naming the
    line ("Строка 2: …"). Empty and deleted rows are skipped; numbering counts shown rows."""
    lines: list[dict[str, Any]] = []
    errors: list[str] = []
    number = 0
    for form in formset.forms:
        if not form.is_valid():
            number += 1
            errors.append(str(ERROR_LINE_NAME % {"n": number}))
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        if form.is_blank():
            continue
        number += 1
        data = form.cleaned_data
        product = data.get("product")
        name = (data.get("name") or "").strip() or (product.name if product else "")
        if not name:
            errors.append(str(ERROR_LINE_NAME % {"n": number}))
        quantity = _parse_number(data.get("quantity") or "1")
        if quantity is None:
            errors.append(str(ERROR_LINE_QUANTITY_INVALID % {"n": number}))
        elif quantity <= 0:
            errors.append(str(ERROR_LINE_QUANTITY % {"n": number}))
        price = _parse_number(data.get("price") or "0")
        if price is None:
            errors.append(str(ERROR_LINE_PRICE_INVALID % {"n": number}))
        elif price < 0:
            errors.append(str(ERROR_LINE_PRICE % {"n": number}))
        unit_name = (data.get("unit_name") or "").strip()
        if not unit_name and product is not None:
            unit_name = product.unit.name
        if quantity is not None and price is not None:
            lines.append(
                {
                    "product": product,
                    "name": name,
                    "quantity": quantity.quantize(Decimal("0.001")),
                    "unit_name": unit_name,
                    "price": round_money(price),
                }
            )
    return lines, errors


def _parse_number(text: str) -> Decimal | None:
    try:
        return parse_amount(str(text))
    except MoneyError:
        return None


def lines_initial(deal: Any) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "name": line.name,
            "quantity": _plain(line.quantity),
            "unit_name": line.unit_name,
            "price": _plain(line.price),
        }
        for line in deal.lines.all()
    ]


def _plain(value: Decimal) -> str:
    """1.500 → "1,5"; 1000.00 → "1000"."""
    return format_quantity(value, separator="")


# --- Filters ------------------------------------------------------------------------------


class BoardFilterForm(forms.Form):
    pipeline = forms.IntegerField(required=False, widget=forms.HiddenInput)
    manager = UserChoiceField(
        label=_("Ответственный"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Все"),
    )
    source = forms.ModelChoiceField(
        label=_("Источник"),
        queryset=LeadSource.objects.none(),
        required=False,
        empty_label=_("Все"),
    )
    q = forms.CharField(label=_("Клиент или сделка"), required=False, max_length=100)
    stuck = forms.BooleanField(label=_("Только застрявшие"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = assignable_users(user)
        self.fields["source"].queryset = LeadSource.objects.order_by("order", "name")

    def values(self) -> dict[str, Any]:
        """The valid filters; a wrong value of one filter does not drop the others."""
        self.is_valid()
        return dict(self.cleaned_data)


class DealListFilterForm(BoardFilterForm):
    pipeline = forms.ModelChoiceField(  # type: ignore[assignment]
        label=_("Воронка"),
        queryset=Pipeline.objects.none(),
        required=False,
        empty_label=_("Все"),
    )
    stage = forms.ModelChoiceField(
        label=_("Этап"), queryset=Stage.objects.none(), required=False, empty_label=_("Все")
    )
    client = forms.ModelChoiceField(
        label=_("Клиент"), queryset=Client.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Состояние"),
        choices=[("", _("Все")), *DealStatus.choices],
        required=False,
    )
    created_from = forms.DateField(label=_("Создана с"), required=False, widget=DateInput)
    created_to = forms.DateField(label=_("по"), required=False, widget=DateInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["pipeline"].queryset = active_pipelines()
        self.fields["stage"].queryset = Stage.objects.filter(
            pipeline__is_active=True
        ).select_related("pipeline")
        self.fields["client"].queryset = visible_to(user, Client.objects.all())
        self.fields["stage"].label_from_instance = _stage_label

    @property
    def chosen_client(self) -> Client | None:
        if self.is_valid():
            client: Client | None = self.cleaned_data.get("client")
            return client
        return None

    @property
    def sort_value(self) -> str:
        raw = self.data.get("sort") or DEFAULT_SORT
        return raw if raw.lstrip("-") in SORTS else DEFAULT_SORT


def _stage_label(stage: Stage) -> str:
    return f"{stage.pipeline.name} · {stage.name}"


# --- The move dialog ----------------------------------------------------------------------


class MoveForm(forms.Form):
    """A stage move and what the person filled in the dialog to make it pass."""

    stage = forms.ModelChoiceField(
        queryset=Stage.objects.none(),
        error_messages={"required": ERROR_STAGE_UNKNOWN, "invalid_choice": ERROR_STAGE_UNKNOWN},
    )
    amount = AmountField(label=_("Ожидаемая сумма"))
    expected_close_date = forms.DateField(
        label=_("Ожидаемая дата"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": ERROR_DATE_INVALID},
    )
    contact = forms.ModelChoiceField(
        label=_("Контактное лицо"),
        queryset=ContactPerson.objects.none(),
        required=False,
        error_messages={"invalid_choice": ERROR_CONTACT_NOT_OF_CLIENT},
    )
    source = forms.ModelChoiceField(
        label=_("Источник"), queryset=LeadSource.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Пожелания клиента"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lost_reason = forms.ModelChoiceField(
        label=_("Причина проигрыша"),
        queryset=LostReason.objects.none(),
        required=False,
        error_messages={"invalid_choice": ERROR_LOST_REASON_UNKNOWN},
    )
    lost_comment = forms.CharField(
        label=_("Комментарий"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FILL_FIELDS = ("amount", "expected_close_date", "contact", "source", "description")

    def __init__(self, *args: Any, deal: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deal = deal
        self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=deal.pipeline_id)
        self.fields["contact"].queryset = ContactPerson.objects.filter(
            links__client_id=deal.client_id
        ).order_by("last_name", "first_name")
        self.fields["source"].queryset = LeadSource.objects.filter(is_active=True)
        self.fields["lost_reason"].queryset = LostReason.objects.filter(is_active=True)

    def move_data(self) -> dict[str, Any]:
        """Only what was filled: empty fields of the dialog do not clear the deal's values."""
        data: dict[str, Any] = {}
        for name in (*self.FILL_FIELDS, "lost_reason", "lost_comment"):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                data[name] = f"{value:.2f}" if name == "amount" else value
        return data

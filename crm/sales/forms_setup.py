"""Forms of the sale-process settings: they parse what the browser sends; the rules (unique
codes, one won and one lost stage, the default pipeline…) are checked by
`crm.sales.services.setup`, whose messages land on the same fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import User
from crm.activities.models import ActivityKind
from crm.sales.documents import document_choices
from crm.sales.domain.rules import DEAL_FIELDS
from crm.sales.models import ActionKind, Assignee, Pipeline, Stage, StageKind, Trigger
from crm.sales.services import setup as services

CHOOSE = _("Выберите значение из списка")


def _integer(label: Any, message: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, error_messages={"invalid": message, "max_value": message}
    )


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Название"), required=False, max_length=100)
    code = forms.CharField(label=_("Код"), required=False, max_length=40)
    order = _integer(_("Порядок"), services.ERROR_ORDER)
    is_default = forms.BooleanField(label=_("По умолчанию"), required=False)
    is_active = forms.BooleanField(label=_("Используется"), required=False, initial=True)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Название"), required=False, max_length=100)
    code = forms.CharField(label=_("Код"), required=False, max_length=40)
    kind = forms.ChoiceField(
        label=_("Тип"),
        choices=StageKind.choices,
        initial=StageKind.OPEN,
        error_messages={"invalid_choice": services.ERROR_KIND, "required": services.ERROR_KIND},
    )
    probability = _integer(_("Вероятность, %"), services.ERROR_PROBABILITY)
    time_limit_days = _integer(_("Срок, рабочих дней"), services.ERROR_TIME_LIMIT)
    may_skip = forms.BooleanField(label=_("Можно пройти неявно"), required=False, initial=True)
    required_fields = forms.MultipleChoiceField(
        label=_("Обязательно заполнить для выхода"),
        required=False,
        choices=[(code, _(label)) for code, label in DEAL_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOOSE},
    )
    color = forms.CharField(
        label=_("Цвет"),
        required=False,
        initial="#2f6fed",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
    )
    documents = forms.MultipleChoiceField(
        label=_("Подтверждение: документы"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOOSE},
    )
    activity_kinds = forms.ModelMultipleChoiceField(
        label=_("Подтверждение: события"),
        required=False,
        queryset=ActivityKind.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOOSE, "invalid_pk_value": CHOOSE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = cast(forms.MultipleChoiceField, self.fields["documents"])
        documents.choices = document_choices()
        kinds = cast(forms.ModelMultipleChoiceField, self.fields["activity_kinds"])
        kinds.queryset = ActivityKind.objects.order_by("order", "name")


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Причина"), required=False, max_length=255)
    order = _integer(_("Порядок"), services.ERROR_ORDER)
    is_active = forms.BooleanField(label=_("Используется"), required=False, initial=True)


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.pipeline.name} — {obj.name}"


class AutomationRuleForm(forms.Form):
    name = forms.CharField(label=_("Название"), required=False, max_length=255)
    trigger = forms.ChoiceField(
        label=_("Когда"),
        choices=[("", "—"), *Trigger.choices],
        required=False,
        error_messages={"invalid_choice": services.ERROR_TRIGGER},
    )
    pipeline = forms.ModelChoiceField(
        label=_("Воронка"),
        queryset=Pipeline.objects.order_by("order", "name"),
        required=False,
        empty_label=_("Все воронки"),
        error_messages={"invalid_choice": CHOOSE},
    )
    stage = StageChoiceField(
        label=_("Этап"),
        queryset=Stage.objects.select_related("pipeline").order_by(
            "pipeline__order", "pipeline__name", "order"
        ),
        required=False,
        error_messages={"invalid_choice": CHOOSE},
    )
    action = forms.ChoiceField(
        label=_("Что сделать"),
        choices=[("", "—"), *ActionKind.choices],
        required=False,
        error_messages={"invalid_choice": services.ERROR_ACTION},
    )
    activity_kind = forms.ModelChoiceField(
        label=_("Вид события"),
        queryset=ActivityKind.objects.order_by("order", "name"),
        required=False,
        error_messages={"invalid_choice": CHOOSE},
    )
    subject = forms.CharField(label=_("Тема / текст"), required=False, max_length=255)
    assignee = forms.ChoiceField(
        label=_("Кому"),
        choices=Assignee.choices,
        initial=Assignee.MANAGER,
        required=False,
        error_messages={"invalid_choice": services.ERROR_ASSIGNEE},
    )
    user = forms.ModelChoiceField(
        label=_("Сотрудник"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        required=False,
        error_messages={"invalid_choice": CHOOSE},
    )
    delay_working_days = _integer(_("Через, рабочих дней"), services.ERROR_DELAY)
    is_active = forms.BooleanField(label=_("Включено"), required=False, initial=True)
    order = _integer(_("Порядок"), services.ERROR_ORDER)

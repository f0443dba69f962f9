"""Forms of handover (передача дел) and of absences; the rules themselves are in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import can_administer
from crm.accounts.models import Department, User
from crm.activities.services.handover import (
    handover_allowed,
    handover_department_choices,
    handover_from_choices,
    handover_to_choices,
)
from crm.clients.forms import ClientFilterForm
from crm.clients.selectors import ClientFilter

SCOPE_ALL = "all"
SCOPE_FILTER = "filter"
FILTER_PREFIX = "f"
FILTER_FIELDS = ("q", "kind", "status", "industry", "source", "region", "size", "tags")


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = obj.full_name
        if obj.department_id:
            label = f"{label} · {obj.department}"
        if not obj.is_active:
            label = f"{label} ({_('отключён')})"
        return str(label)


class HandoverForm(forms.Form):
    from_user = EmployeeChoiceField(
        label=_("Чьи дела передать"), queryset=User.objects.none(), empty_label=_("— выберите —")
    )
    to_user = EmployeeChoiceField(
        label=_("Кому передать"), queryset=User.objects.none(), empty_label=_("— выберите —")
    )
    to_department = forms.ModelChoiceField(
        label=_("В отдел"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("отдел нового ответственного"),
    )
    scope = forms.ChoiceField(
        label=_("Каких клиентов"),
        choices=[
            (SCOPE_ALL, _("Всех клиентов сотрудника")),
            (SCOPE_FILTER, _("Только подходящих под фильтр")),
        ],
        initial=SCOPE_ALL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Комментарий"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, by: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "from_user").queryset = handover_from_choices(by)
        _choices(self, "to_user").queryset = handover_to_choices(by)
        _choices(self, "to_department").queryset = handover_department_choices(by)


def client_filter_form(by: Any, data: Any) -> ClientFilterForm:
    """The client list's filters (prefixed), without owner and department: the owner is the
    employee whose work moves."""
    form = ClientFilterForm(
        data or None,
        prefix=FILTER_PREFIX,
        owners=User.objects.none(),
        departments=Department.objects.none(),
    )
    form.is_valid()
    return form


def client_filter_fields(form: ClientFilterForm) -> list[forms.BoundField]:
    return [form[name] for name in FILTER_FIELDS]


def client_filter_of(form: ClientFilterForm) -> ClientFilter:
    return form.to_filter()


class AbsenceForm(forms.Form):
    user = EmployeeChoiceField(label=_("Кто отсутствует"), queryset=User.objects.none())
    substitute = EmployeeChoiceField(
        label=_("Кто замещает"), queryset=User.objects.none(), empty_label=_("— выберите —")
    )
    date_from = forms.DateField(label=_("С"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label=_("По (включительно)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Причина"), required=False, max_length=200)

    def __init__(self, *args: Any, by: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        working = User.objects.filter(is_active=True).select_related("department")
        if can_administer(by):
            absent, substitutes = working, working
        elif handover_allowed(by):
            absent = working.filter(department_id=by.department_id)
            substitutes = absent
        else:
            absent = working.filter(pk=by.pk)
            substitutes = (
                working.filter(department_id=by.department_id).exclude(pk=by.pk)
                if by.department_id
                else working.none()
            )
        _choices(self, "user").queryset = absent
        _choices(self, "substitute").queryset = substitutes
        self.fields["user"].initial = by.pk
        if absent.count() == 1:
            _choices(self, "user").empty_label = None

"""Forms of segments and group processing: saved filters, group change, the catalogs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department, User
from crm.accounts.selectors import colleagues_visible_to
from crm.clients.models import ClientSize, Industry, LeadSource, Tag
from crm.clients.services.group_changes import (
    ACTION_CHOICES,
    REASSIGN_ACTIONS,
    GroupAction,
    can_reassign,
)

# The form field that carries the value of each action (none for archive and restore).
VALUE_FIELDS = {
    GroupAction.OWNER: "owner",
    GroupAction.DEPARTMENT: "department",
    GroupAction.ADD_TAGS: "tags",
    GroupAction.REMOVE_TAGS: "tags",
    GroupAction.INDUSTRY: "industry",
    GroupAction.REGION: "region",
    GroupAction.SIZE: "size",
    GroupAction.SOURCE: "source",
}


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Название фильтра"), required=False, max_length=200)
    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)


class GroupChangeForm(forms.Form):
    """The action and its value; the value is checked by the service (one place for the page
    and the API), whose messages the view puts back on the field of the action."""

    action = forms.ChoiceField(label=_("Что сделать"), choices=ACTION_CHOICES)
    owner = forms.ModelChoiceField(
        label=_("Новый ответственный"), required=False, queryset=User.objects.none()
    )
    department = forms.ModelChoiceField(
        label=_("Новый отдел"), required=False, queryset=Department.objects.none()
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Метки"),
        required=False,
        queryset=Tag.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    industry = forms.ModelChoiceField(
        label=_("Отрасль"),
        required=False,
        queryset=Industry.objects.none(),
        empty_label=_("— не указана —"),
    )
    region = forms.CharField(label=_("Регион"), required=False, max_length=100)
    size = forms.ChoiceField(
        label=_("Размер"), required=False, choices=[("", _("— не указан —")), *ClientSize.choices]
    )
    source = forms.ModelChoiceField(
        label=_("Источник"),
        required=False,
        queryset=LeadSource.objects.none(),
        empty_label=_("— не указан —"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reassign = can_reassign(user)
        fields: dict[str, Any] = self.fields  # ModelChoiceField.queryset is set after creation
        if self.reassign:
            fields["owner"].queryset = colleagues_visible_to(user)
            fields["department"].queryset = Department.objects.filter(is_active=True)
        else:
            fields["action"].choices = [
                (value, label) for value, label in ACTION_CHOICES if value not in REASSIGN_ACTIONS
            ]
            del self.fields["owner"]
            del self.fields["department"]
        fields["tags"].queryset = Tag.objects.all()
        fields["industry"].queryset = Industry.objects.all()
        fields["source"].queryset = LeadSource.objects.filter(is_active=True)

    def value_field(self) -> str | None:
        action = self.cleaned_data.get("action") if hasattr(self, "cleaned_data") else None
        return VALUE_FIELDS.get(GroupAction(action)) if action else None

    def value(self) -> Any:
        field = self.value_field()
        return self.cleaned_data.get(field) if field else None


class LeadSourceForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=100, required=False)
    order = forms.IntegerField(
        label=_("Порядок в списках"), min_value=0, max_value=32767, initial=100
    )
    is_active = forms.BooleanField(
        label=_("Используется"),
        required=False,
        initial=True,
        help_text=_("Отключённый источник не предлагается в новых карточках"),
    )


class NameForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=100, required=False)

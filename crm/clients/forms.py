from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department, User
from crm.clients.models import Client, ClientKind, ContactPerson, Industry, LeadSource, Tag


class ClientForm(forms.ModelForm):
    """Checks of requisites happen in the service (one place for page, API and import); the
    view copies the service's messages back onto these fields."""

    website = forms.URLField(label=_("сайт"), required=False, assume_scheme="https")

    class Meta:
        model = Client
        fields = (
            "kind",
            "name",
            "full_name",
            "inn",
            "kpp",
            "ogrn",
            "phone",
            "email",
            "website",
            "legal_address",
            "actual_address",
            "industry",
            "region",
            "size",
            "source",
            "tags",
            "owner",
            "department",
            "comment",
        )
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args: Any, can_reassign: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LeadSource.objects.filter(is_active=True)
        self.fields["industry"].queryset = Industry.objects.all()
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["owner"].queryset = User.objects.filter(is_active=True)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["phone"].widget.attrs["placeholder"] = "+7 495 123-45-67"
        self.fields["inn"].widget.attrs["inputmode"] = "numeric"
        if not can_reassign:
            # A manager cannot give a client to someone else or move it to another department.
            del self.fields["owner"]
            del self.fields["department"]


class ContactForm(forms.ModelForm):
    position = forms.CharField(label=_("должность"), max_length=150, required=False)
    is_decision_maker = forms.BooleanField(label=_("принимает решения"), required=False)
    is_main = forms.BooleanField(label=_("основной контакт"), required=False)

    class Meta:
        model = ContactPerson
        fields = (
            "last_name",
            "first_name",
            "middle_name",
            "phone",
            "mobile_phone",
            "email",
            "birthday",
            "comment",
        )
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 2}),
        }


class BankAccountForm(forms.Form):
    bik = forms.CharField(label=_("БИК"), max_length=9)
    bank_name = forms.CharField(label=_("банк"), max_length=255, required=False)
    account = forms.CharField(label=_("расчётный счёт"), max_length=20)
    correspondent_account = forms.CharField(label=_("корр. счёт"), max_length=20, required=False)
    is_main = forms.BooleanField(label=_("основной"), required=False)


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Вид"), required=False, choices=[("", _("все")), *ClientKind.choices]
    )
    owner = forms.ModelChoiceField(
        label=_("Ответственный"), required=False, queryset=User.objects.none(), empty_label=_("все")
    )
    source = forms.ModelChoiceField(
        label=_("Источник"),
        required=False,
        queryset=LeadSource.objects.none(),
        empty_label=_("все"),
    )
    industry = forms.ModelChoiceField(
        label=_("Отрасль"), required=False, queryset=Industry.objects.none(), empty_label=_("все")
    )
    archived = forms.BooleanField(label=_("Архив"), required=False)

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()
        self.fields["source"].queryset = LeadSource.objects.filter(is_active=True)
        self.fields["industry"].queryset = Industry.objects.all()

"""Forms of the proposal pages: the draft's header, its lines (a formset whose rows the service
checks and names by number), and the e-mail dialog. Numbers are taken as text so «1 234,50»
and «1234.5» both pass to the service, which reports what is wrong."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from crm.clients.models import ContactPerson
from crm.sales.models import Organization, Proposal
from crm.sales.services import proposals as services


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProposalHeaderForm(forms.Form):
    date = forms.DateField(label=_("Дата"), widget=DateInput())
    valid_until = forms.DateField(label=_("Действует до"), widget=DateInput(), required=False)
    organization = forms.ModelChoiceField(
        label=_("Наша организация"), queryset=Organization.objects.none(), empty_label=None
    )
    contact = forms.ModelChoiceField(
        label=_("Кому (контактное лицо)"),
        queryset=ContactPerson.objects.none(),
        required=False,
        empty_label="—",
    )
    currency = forms.ChoiceField(
        label=_("Валюта"), choices=[(code, code) for code in services.CURRENCIES]
    )
    prices_include_vat = forms.BooleanField(label=_("Цены включают НДС"), required=False)
    terms = forms.CharField(
        label=_("Условия"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = cast(forms.ModelChoiceField, self.fields["organization"])
        contact = cast(forms.ModelChoiceField, self.fields["contact"])
        organization.queryset = Organization.objects.filter(
            is_active=True
        ) | Organization.objects.filter(pk=proposal.organization_id)
        contact.queryset = ContactPerson.objects.filter(
            links__client_id=proposal.client_id
        ).distinct()

    @classmethod
    def initial_for(cls, proposal: Proposal) -> dict[str, Any]:
        return {
            "date": proposal.date,
            "valid_until": proposal.valid_until,
            "organization": proposal.organization_id,
            "contact": proposal.contact_id,
            "currency": proposal.currency,
            "prices_include_vat": proposal.prices_include_vat,
            "terms": proposal.terms,
        }


class ProposalLineForm(forms.Form):
    product = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-product": ""}))
    okei_code = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-okei": ""}))
    name = forms.CharField(
        label=_("Наименование"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "data-name": "",
                "autocomplete": "off",
                "placeholder": _("Товар или услуга"),
                "class": "form-control-sm",
            }
        ),
    )
    quantity = forms.CharField(
        label=_("Кол-во"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "data-quantity": "", "class": "form-control-sm text-end"}
        ),
    )
    unit_name = forms.CharField(
        label=_("Ед."),
        required=False,
        widget=forms.TextInput(attrs={"data-unit": "", "class": "form-control-sm"}),
    )
    price = forms.CharField(
        label=_("Цена"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "data-price": "", "class": "form-control-sm text-end"}
        ),
    )
    discount_percent = forms.CharField(
        label=_("Скидка, %"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "data-discount": "", "class": "form-control-sm text-end"}
        ),
    )
    # Text with a select: an unknown rate reaches the service, which names the line.
    vat_rate = forms.CharField(label=_("НДС"), required=False, widget=forms.Select())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vat_rate"].widget = forms.Select(
            choices=services.vat_choices(), attrs={"data-vat": "", "class": "form-select-sm"}
        )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("name") or data.get("product"))


ProposalLineFormSet = formset_factory(ProposalLineForm, extra=0, can_delete=True, max_num=300)


def line_initial(proposal: Proposal) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id or "",
            "okei_code": line.okei_code,
            "name": line.name,
            "quantity": f"{line.quantity.normalize():f}".replace(".", ","),
            "unit_name": line.unit_name,
            "price": f"{line.price:.2f}".replace(".", ","),
            "discount_percent": (
                f"{line.discount_percent.normalize():f}".replace(".", ",")
                if line.discount_percent
                else ""
            ),
            "vat_rate": line.vat_rate,
        }
        for line in proposal.lines.order_by("order", "id")
    ]


def lines_from_formset(formset: Any) -> list[tuple[int, dict[str, Any]]]:
    """(row index, line dict) of the rows kept: deleted and wholly empty rows are left out."""
    rows: list[tuple[int, dict[str, Any]]] = []
    for index, form in enumerate(formset.forms):
        if not form.is_valid():
            continue
        data = form.cleaned_data
        if data.get("DELETE") or form.is_blank():
            continue
        rows.append(
            (
                index,
                {
                    "product": data.get("product") or None,
                    "okei_code": data.get("okei_code", ""),
                    "name": data.get("name", ""),
                    "quantity": data.get("quantity") or "",
                    "unit_name": data.get("unit_name", ""),
                    "price": data.get("price", ""),
                    "discount_percent": data.get("discount_percent", ""),
                    "vat_rate": data.get("vat_rate", ""),
                },
            )
        )
    return rows


class SendForm(forms.Form):
    to = forms.CharField(
        label=_("Кому"),
        help_text=_("Несколько адресов — через запятую"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    subject = forms.CharField(label=_("Тема"), max_length=255, required=False)
    body = forms.CharField(
        label=_("Текст письма"), required=False, widget=forms.Textarea(attrs={"rows": 9})
    )

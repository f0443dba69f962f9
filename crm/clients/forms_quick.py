"""Forms of quick registration, the completeness report and the administrator's completeness
weights. Rules live in the services; the forms only collect and say what is missing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.clients.models import ClientKind, CompletenessCriterion, LeadSource
from crm.clients.services.quick_registration import (
    ERROR_NAME_OR_INN,
    ERROR_PHONE_OR_EMAIL,
    ERROR_SOURCE,
)

DEFAULT_THRESHOLD = 60


class QuickRegistrationForm(forms.Form):
    name_or_inn = forms.CharField(
        label=_("Название или ИНН"),
        max_length=255,
        error_messages={"required": _(ERROR_NAME_OR_INN)},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "placeholder": _("ООО «Ромашка» или 7707083893"),
            }
        ),
    )
    phone = forms.CharField(
        label=_("Телефон"),
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "placeholder": "+7 495 123-45-67"}
        ),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "off", "placeholder": "info@example.ru"}
        ),
    )
    contact_name = forms.CharField(
        label=_("Контактное лицо"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("Иванов Иван")}),
    )
    source = forms.ModelChoiceField(
        label=_("Источник"),
        queryset=LeadSource.objects.none(),
        error_messages={"required": _(ERROR_SOURCE), "invalid_choice": _(ERROR_SOURCE)},
        empty_label=_("— выберите —"),
    )
    kind = forms.ChoiceField(label=_("Вид"), choices=ClientKind.choices, initial=ClientKind.COMPANY)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)
        source.queryset = LeadSource.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone", "").strip() and not data.get("email", "").strip():
            self.add_error("phone", _(ERROR_PHONE_OR_EMAIL))
        return data


class CompletenessThresholdForm(forms.Form):
    threshold = forms.IntegerField(
        label=_("Порог, %"),
        min_value=1,
        max_value=100,
        required=False,
        error_messages={
            "invalid": _("Порог — целое число от 1 до 100"),
            "min_value": _("Порог — целое число от 1 до 100"),
            "max_value": _("Порог — целое число от 1 до 100"),
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": 100}),
    )

    def threshold_value(self) -> int:
        if self.is_valid() and self.cleaned_data.get("threshold") is not None:
            return int(self.cleaned_data["threshold"])
        return DEFAULT_THRESHOLD


class CompletenessWeightsForm(forms.Form):
    """One weight and one "counts" checkbox per criterion; the weights are checked by the
    service (one place for the rule), so they are taken as text here."""

    def __init__(self, *args: Any, criteria: list[CompletenessCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"weight_{criterion.code}"] = forms.CharField(
                required=False,
                initial=criterion.weight,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
            )
            self.fields[f"active_{criterion.code}"] = forms.BooleanField(
                required=False, initial=criterion.is_active
            )

    def rows(self) -> list[tuple[CompletenessCriterion, forms.BoundField, forms.BoundField]]:
        return [
            (criterion, self[f"weight_{criterion.code}"], self[f"active_{criterion.code}"])
            for criterion in self.criteria
        ]

    def values(self) -> dict[str, tuple[Any, bool]]:
        data = self.cleaned_data
        return {
            criterion.code: (
                data.get(f"weight_{criterion.code}", ""),
                bool(data.get(f"active_{criterion.code}")),
            )
            for criterion in self.criteria
        }

"""Forms of the pages `core` owns: the production calendar's corrections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.core.models import WorkdayKind
from crm.core.services import ERROR_WORKDAY_DATE_REQUIRED, ERROR_WORKDAY_KIND_REQUIRED

ERROR_DATE_INVALID = _("Дата — в виде ДД.ММ.ГГГГ")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class WorkdayCorrectionForm(forms.Form):
    date = forms.DateField(
        label=_("Дата"),
        widget=DateInput,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"required": ERROR_WORKDAY_DATE_REQUIRED, "invalid": ERROR_DATE_INVALID},
    )
    kind = forms.ChoiceField(
        label=_("День"),
        choices=[("", "—"), *WorkdayKind.choices],
        error_messages={
            "required": ERROR_WORKDAY_KIND_REQUIRED,
            "invalid_choice": ERROR_WORKDAY_KIND_REQUIRED,
        },
    )
    comment = forms.CharField(label=_("Основание"), required=False, max_length=255)


def apply_errors(
    form: forms.BaseForm, error: ValidationError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: each message beside the field it names
    (`aliases` maps a service's field name to the form's), the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)

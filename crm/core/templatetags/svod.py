from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms, template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()


@register.filter
def bootstrap_widget(field: forms.BoundField) -> str:
    """Render a form field's widget with the Bootstrap class its kind needs."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = ""
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors and css:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {}
    if css:
        attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def history_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("да")
    if value is False:
        return _("нет")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Any) -> str:
    """Draw one registered panel (crm.core.registry.Panel) with the page's request, user and
    CSRF token — not through the context processors again: the navigation's counts are not
    computed once per panel."""
    from django.middleware.csrf import get_token
    from django.template.loader import get_template

    request = context.get("request")
    values = {
        **panel.context,
        "request": request,
        "user": getattr(request, "user", None),
        "csrf_token": get_token(request) if request is not None else "",
    }
    return get_template(panel.template).render(values)


@register.simple_tag(takes_context=True)
def render_panels(context: template.Context, place: str) -> str:
    """Draw every panel the apps registered for `place` ("dashboard", "profile")."""
    from django.utils.html import format_html_join

    from crm.core.registry import panels

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return format_html_join(
        "", "{}", ((render_panel(context, panel),) for panel in panels(place, user))
    )


# Keys of the history that are not model fields (written by services as notes).
PSEUDO_FIELDS = {
    "contacts": gettext_lazy("Контакты"),
    "bank_accounts": gettext_lazy("Банковские счета"),
    "role": gettext_lazy("Роль"),
    "permissions": gettext_lazy("Права"),
    "tags": gettext_lazy("Метки"),
    "reminders": gettext_lazy("Напоминания"),
    "attachments": gettext_lazy("Вложения"),
    "lines": gettext_lazy("Строки"),
}


def _moment(value: Any, field: Any) -> Any:
    """A date or a moment kept in the history as ISO text, as a person reads it: «27.11.2026»,
    «27.11.2026 11:00» in the current time zone (the stored text is UTC)."""
    if not isinstance(value, str) or not isinstance(field, models.DateField):
        return value
    try:
        if isinstance(field, models.DateTimeField):
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment:%d.%m.%Y %H:%M}"
        return f"{dt.date.fromisoformat(value):%d.%m.%Y}"
    except ValueError:
        return value


def _display(value: Any, choices: dict[Any, Any], field: Any = None) -> str:
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value) or "—"
    if value in choices:
        return str(choices[value])
    return history_value(_moment(value, field))


@register.simple_tag
def history_changes(entry: Any) -> list[tuple[str, str, str]]:
    """(field label, before, after) of one history row, with choice values shown by name."""
    model = entry.content_type.model_class()
    rows = []
    for name, values in entry.changes.items():
        before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        label: Any = PSEUDO_FIELDS.get(name, name)
        choices: dict[Any, Any] = {}
        field: Any = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
                label = getattr(field, "verbose_name", label)
                choices = dict(getattr(field, "flatchoices", None) or [])
            except FieldDoesNotExist:
                pass
        rows.append(
            (
                capfirst(str(label)),
                _display(before, choices, field),
                _display(after, choices, field),
            )
        )
    return rows

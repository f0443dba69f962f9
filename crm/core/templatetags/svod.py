from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import FieldDoesNotExist
from django.db import models

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
def field_label(name: str, instance: models.Model | None) -> str:
    """The verbose name of a model field for the history table; the raw name otherwise."""
    if instance is None:
        return name
    try:
        return str(instance._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except (FieldDoesNotExist, AttributeError):
        return name


@register.filter
def history_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "да"
    if value is False:
        return "нет"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return str(value)


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Any) -> str:
    """Draw one registered panel (crm.core.registry.Panel) with the page's request."""
    from django.template.loader import render_to_string

    request = context.get("request")
    values = {**panel.context, "user": getattr(request, "user", None)}
    return render_to_string(panel.template, values, request=request)


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

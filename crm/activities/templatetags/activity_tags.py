from __future__ import annotations

from typing import Any

from django import template

from crm.activities.selectors.activities import activity_is_overdue
from crm.activities.services.activities import reminder_label

register = template.Library()


@register.filter
def overdue(activity: Any) -> bool:
    return activity_is_overdue(activity)


@register.filter
def reminder_text(reminder: Any) -> str:
    return reminder_label(reminder)


@register.filter
def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} КБ"
    return f"{size / 1024 / 1024:.1f} МБ".replace(".", ",")


@register.inclusion_tag("activities/partials/_kind_icon.html")
def kind_icon(kind: Any) -> dict[str, Any]:
    return {"kind": kind}

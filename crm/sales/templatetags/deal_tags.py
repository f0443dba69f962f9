"""Filters of the deal pages: money as people read it, initials of a manager, time in stage."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from crm.core.domain.money import (
    CURRENCY_SIGNS,
    NBSP,
    as_decimal,
    format_amount,
    group_digits,
    round_money,
)

register = template.Library()


@register.filter
def money(value: Any, currency: str = "RUB") -> str:
    """«1 234 567,50 ₽»: groups of three, a comma, kopecks (half up)."""
    amount = as_decimal(value)
    if amount is None:
        return "—"
    sign = CURRENCY_SIGNS.get(currency or "RUB", currency)
    return f"{format_amount(amount)}{NBSP}{sign}"


@register.filter
def money_short(value: Any, currency: str = "RUB") -> str:
    """«1 234 568 ₽»: whole units (half up), for the board's cards and column sums."""
    amount = as_decimal(value)
    if amount is None:
        return "—"
    whole = amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if whole.is_zero():
        whole = abs(whole)
    sign = CURRENCY_SIGNS.get(currency or "RUB", currency)
    return f"{group_digits(f'{whole:.0f}')}{NBSP}{sign}"


@register.filter
def initials(user: Any) -> str:
    """«АК» for Анна Котова; the user name's first letter when there is no name."""
    if user is None:
        return ""
    first = (getattr(user, "first_name", "") or "")[:1]
    last = (getattr(user, "last_name", "") or "")[:1]
    return (first + last).upper() or (getattr(user, "username", "") or "?")[:1].upper()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def line_sum(quantity: Any, price: Any) -> Decimal | None:
    """quantity × price rounded half up to kopecks (as the service sums the lines)."""
    amount, cost = as_decimal(quantity), as_decimal(price)
    if amount is None or cost is None:
        return None
    return round_money(amount * cost)


@register.filter
def stay(seconds: Any) -> str:
    """How long a deal stayed: «меньше часа», «5 ч», «3 дн.»."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(seconds)
    if seconds < 3600:
        return str(_("меньше часа"))
    if seconds < 86400:
        return str(_("%(hours)s ч") % {"hours": seconds // 3600})
    return str(_("%(days)s дн.") % {"days": seconds // 86400})


@register.filter
def options(field: Any) -> list[tuple[Any, Any]]:
    """The (value, label) choices of a form field as a list: one query for a model choice
    field, not a COUNT and then the rows (the template's for-loop asks the length first)."""
    choices: list[tuple[Any, Any]] = []
    for choice in field.field.choices:  # list() would ask the length first
        choices.append(choice)
    return choices

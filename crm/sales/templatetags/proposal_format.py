"""Russian formatting of numbers on proposals and their print form: «1 234,50» (a no-break
space between thousands, a comma before kopecks), quantities without trailing zeros."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

NBSP = "\u00a0"


def _group(digits: str) -> str:
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return NBSP.join(groups) or "0"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@register.filter
def amount(value: Any) -> str:
    """Decimal("1234.5") → «1 234,50»."""
    number = _decimal(value)
    if number is None:
        return ""
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number.is_zero():
        number = abs(number)
    whole, _, fraction = f"{number:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{_group(whole.lstrip('-'))},{fraction}"


@register.filter
def quantity(value: Any) -> str:
    """Decimal("2.500") → «2,5»; Decimal("1000") → «1 000»."""
    number = _decimal(value)
    if number is None:
        return ""
    text = f"{number.normalize():f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    result = f"{sign}{_group(whole.lstrip('-'))}"
    return f"{result},{fraction}" if fraction else result


@register.filter
def percent(value: Any) -> str:
    """Decimal("5.00") → «5»; Decimal("2.50") → «2,5»."""
    return quantity(value)


@register.filter
def input_number(value: Any) -> str:
    """A number as an <input> holds it: «1234.5» (no grouping; the form accepts a comma too)."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{number.normalize():f}"


CURRENCY_SHORT = {"RUB": "руб.", "USD": "долл. США", "EUR": "евро", "CNY": "юаней"}


@register.filter
def currency_short(code: str) -> str:
    """«руб.» for RUB — how a Russian document names the currency after a sum."""
    return CURRENCY_SHORT.get(code, code)

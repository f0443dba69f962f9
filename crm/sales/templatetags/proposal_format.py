"""Russian formatting of numbers on proposals and their print form: «1 234,50» (a no-break
space between thousands, a comma before kopecks), quantities without trailing zeros."""

from __future__ import annotations

from typing import Any

from django import template

from crm.core.domain.money import as_decimal, format_amount, format_quantity

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """Decimal("1234.5") → «1 234,50»."""
    number = as_decimal(value)
    return "" if number is None else format_amount(number)


@register.filter
def quantity(value: Any) -> str:
    """Decimal("2.500") → «2,5»; Decimal("1000") → «1 000»."""
    number = as_decimal(value)
    return "" if number is None else format_quantity(number)


@register.filter
def percent(value: Any) -> str:
    """Decimal("5.00") → «5»; Decimal("2.50") → «2,5»."""
    return quantity(value)


@register.filter
def input_number(value: Any) -> str:
    """A number as an <input> holds it: «1234.5» (no grouping; the form accepts a comma too)."""
    number = as_decimal(value)
    return "" if number is None else f"{number.normalize():f}"


CURRENCY_SHORT = {"RUB": "руб.", "USD": "долл. США", "EUR": "евро", "CNY": "юаней"}


@register.filter
def currency_short(code: str) -> str:
    """«руб.» for RUB — how a Russian document names the currency after a sum."""
    return CURRENCY_SHORT.get(code, code)

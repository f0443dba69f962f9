"""What the apps above `clients` add to the client card, registered in their AppConfig.ready:
tabs (activities, deals, contracts…) and quick actions ("Запланировать звонок"). `clients`
never imports them; a registered tab replaces the placeholder of the same code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

TabView = Callable[[HttpRequest, Any], HttpResponse]  # (request, client) → the tab's fragment


@dataclass(frozen=True)
class CardTab:
    code: str
    title: str | Promise
    order: int
    view: TabView


@dataclass(frozen=True)
class CardAction:
    code: str
    title: str | Promise
    icon: str  # a Bootstrap Icons name
    url: Callable[[Any], str]  # client → address
    order: int = 100


_tabs: dict[str, CardTab] = {}
_actions: dict[str, CardAction] = {}


def register_card_tab(code: str, title: str | Promise, order: int, view: TabView) -> None:
    """`view(request, client)` answers the tab's htmx request; the client is already opened
    with the user's access checked."""
    _tabs[code] = CardTab(code=code, title=title, order=order, view=view)


def registered_tab(code: str) -> CardTab | None:
    return _tabs.get(code)


def extra_card_tabs(built_in: Iterable[str]) -> list[CardTab]:
    """Registered tabs that have no built-in place on the card (those are shown before
    "История"), in order. A registered tab with a built-in code takes over that place."""
    codes = set(built_in)
    extra = [tab for code, tab in _tabs.items() if code not in codes]
    return sorted(extra, key=lambda tab: (tab.order, tab.code))


def register_card_action(action: CardAction) -> None:
    _actions[action.code] = action


def card_actions() -> list[CardAction]:
    return sorted(_actions.values(), key=lambda action: (action.order, action.code))

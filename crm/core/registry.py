"""Extension points that the apps above `core` fill in at start-up (in their AppConfig.ready):
the sections of the navigation, the providers of the global search, the objects whose
history may be opened, the panels of the dashboard and the profile, and the actions offered
beside a notification in the bell. `core` itself knows no domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Section:
    code: str
    title: str | Promise
    icon: str  # a Bootstrap Icons name
    url_name: str | None = None  # None: the section's issue has not landed yet ("скоро")
    order: int = 100
    visible: Callable[[Any], bool] | None = None  # who sees it in the navigation
    badge: Callable[[Any], int] | None = None  # a count shown beside the title


@dataclass(frozen=True)
class SearchHit:
    title: str
    subtitle: str
    url: str
    kind: str | Promise


@dataclass(frozen=True)
class SettingsTab:
    """A tab of the administrator's settings pages; `url_names` mark it active."""

    title: str | Promise
    url_name: str
    url_names: tuple[str, ...]
    order: int = 100


SearchProvider = Callable[[Any, str, int], list[SearchHit]]
HistoryAccess = Callable[[Any, str], models.Model]

_sections: dict[str, Section] = {}
_search_providers: list[SearchProvider] = []
_history_access: dict[str, HistoryAccess] = {}
_settings_tabs: dict[str, SettingsTab] = {}


def register_section(section: Section) -> None:
    _sections[section.code] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.code))


def section(code: str) -> Section | None:
    return _sections.get(code)


def register_search(provider: SearchProvider) -> None:
    if provider not in _search_providers:
        _search_providers.append(provider)


def search_all(user: Any, query: str, limit: int = 8) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for provider in _search_providers:
        hits.extend(provider(user, query, limit))
    return hits


def register_history(model: type[models.Model], access: HistoryAccess) -> None:
    """`access(user, object_id)` returns the object if the user may see it, else raises Http404."""
    _history_access[model._meta.label_lower] = access


def history_access(label: str) -> HistoryAccess | None:
    return _history_access.get(label)


@dataclass(frozen=True)
class Panel:
    """A block an app adds to a page of the shell: its template and that template's context
    (the request, the user and the CSRF token are added when it is drawn)."""

    template: str
    context: dict[str, Any]


PanelProvider = Callable[[Any], Panel | None]  # (user) → the panel, or None: nothing to show
NotificationActions = Callable[[Any, list[Any]], dict[int, Panel]]  # → {notification id: panel}

DASHBOARD = "dashboard"
PROFILE = "profile"

_panels: dict[str, dict[str, tuple[int, PanelProvider]]] = {}
_notification_actions: list[NotificationActions] = []


def register_panel(place: str, code: str, provider: PanelProvider, *, order: int = 100) -> None:
    """Add a panel to a page of the shell (`DASHBOARD`, `PROFILE`); `provider(user)` returns
    the panel or None when it has nothing to show."""
    _panels.setdefault(place, {})[code] = (order, provider)


def register_dashboard_panel(code: str, provider: PanelProvider, *, order: int = 100) -> None:
    register_panel(DASHBOARD, code, provider, order=order)


def panels(place: str, user: Any) -> list[Panel]:
    providers = sorted(_panels.get(place, {}).items(), key=lambda item: (item[1][0], item[0]))
    drawn = (provider(user) for _code, (_order, provider) in providers)
    return [panel for panel in drawn if panel is not None]


def register_notification_actions(provider: NotificationActions) -> None:
    """`provider(user, notifications)` returns, for the notifications it knows (by their key),
    a panel of actions drawn under the notification in the bell — one call for the whole list,
    so the bell's queries do not grow with its length."""
    if provider not in _notification_actions:
        _notification_actions.append(provider)


def notification_actions(user: Any, notifications: list[Any]) -> dict[int, list[Panel]]:
    found: dict[int, list[Panel]] = {}
    for provider in _notification_actions:
        for notification_id, panel in provider(user, notifications).items():
            found.setdefault(notification_id, []).append(panel)
    return found


def register_settings_tab(tab: SettingsTab) -> None:
    _settings_tabs[tab.url_name] = tab


def settings_tabs() -> list[SettingsTab]:
    return sorted(_settings_tabs.values(), key=lambda tab: (tab.order, tab.url_name))

"""Extension points that the apps above `core` fill in at start-up (in their AppConfig.ready):
the sections of the navigation, the providers of the global search and the objects whose
history may be opened. `core` itself knows no domain."""

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


SearchProvider = Callable[[Any, str, int], list[SearchHit]]
HistoryAccess = Callable[[Any, str], models.Model]

_sections: dict[str, Section] = {}
_search_providers: list[SearchProvider] = []
_history_access: dict[str, HistoryAccess] = {}


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

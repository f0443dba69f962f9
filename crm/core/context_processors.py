from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from crm.core import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    """The navigation of the base layout, filtered to what the user may open."""
    user = request.user
    if not user.is_authenticated:
        return {}
    current = request.resolver_match.namespace if request.resolver_match else ""
    items = []
    for section in registry.sections():
        if section.visible is not None and not section.visible(user):
            continue
        url = (
            reverse(section.url_name)
            if section.url_name
            else reverse("core:section", args=[section.code])
        )
        items.append(
            {
                "code": section.code,
                "title": section.title,
                "icon": section.icon,
                "url": url,
                "soon": section.url_name is None,
                "active": (request.path.startswith(url) and url != "/")
                or (url == "/" and request.path == "/"),
                "badge": section.badge(user) if section.badge else 0,
            }
        )
    # Only the most specific section is current: /activities/calendar/ is "Календарь", not
    # also "События" (/activities/).
    longest = max((len(str(item["url"])) for item in items if item["active"]), default=0)
    for item in items:
        item["active"] = bool(item["active"]) and len(str(item["url"])) == longest
    return {
        "nav_sections": items,
        "nav_namespace": current,
        "settings_tabs": registry.settings_tabs,  # called by the template only where shown
    }

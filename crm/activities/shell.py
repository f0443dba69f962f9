"""What the core of activities adds to the shell and to the client card: the navigation badge
(overdue + today), the history of an activity, the "События" tab of the client card and its
"Запланировать звонок" action. Called from ActivitiesConfig.ready."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import user_scope
from crm.accounts.roles import Area, Scope
from crm.activities.models import Activity

DASHBOARD_TABS = ("overdue", "today", "upcoming")  # what "Мои дела" on the dashboard shows


def navigation_badge(user: Any) -> int:
    from crm.activities.selectors.activities import activity_badge

    return activity_badge(user)


def activity_history_access(user: Any, object_id: str) -> Activity:
    from crm.activities.selectors.activities import activity_get

    return activity_get(user=user, pk=object_id)


def plan_call_url(client: Any) -> str:
    return f"{reverse('activities:create')}?{urlencode({'client': client.pk, 'kind': 'call'})}"


def client_tab(request: Any, client: Any) -> Any:
    from crm.activities.views.client_tab import client_activities_tab

    return client_activities_tab(request, client)


def work_panel(user: Any) -> Any:
    """The dashboard's "Мои дела": overdue, today and upcoming counts (one query; the "done"
    count of the work list page is not shown here, so not counted)."""
    from crm.activities.selectors.activities import activity_counts
    from crm.core.registry import Panel

    if user_scope(user, Area.SALES) == Scope.NONE:
        return None
    counts = activity_counts(user=user, tabs=DASHBOARD_TABS)
    return Panel("activities/partials/_dashboard_work.html", {"counts": counts})


def register() -> None:
    from crm.clients.registry import CardAction, register_card_action, register_card_tab
    from crm.core.registry import register_dashboard_panel, register_history

    register_history(Activity, activity_history_access)
    register_dashboard_panel("my_work", work_panel, order=20)
    register_card_tab("activities", _("События"), 30, client_tab)
    register_card_action(
        CardAction(
            code="plan_call",
            title=_("Запланировать звонок"),
            icon="telephone-plus",
            url=plan_call_url,
            order=10,
        )
    )

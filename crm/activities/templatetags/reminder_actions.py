"""`{% reminder_snooze reminder %}`: the snooze buttons of one reminder for the person it is
for (or their substitute today), drawn nowhere else — e.g. on the activity page."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString

from crm.accounts.access import acting_for
from crm.activities.models import ActivityStatus, ReminderStatus

register = template.Library()

SNOOZABLE = (ReminderStatus.SENT, ReminderStatus.PENDING)


@register.simple_tag(takes_context=True)
def reminder_snooze(context: template.Context, reminder: Any, origin: str = "activity") -> str:
    from crm.activities.shell_reminders import snooze_choices

    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        request is None
        or user is None
        or not user.is_authenticated
        or reminder.status not in SNOOZABLE
        or reminder.activity.status != ActivityStatus.PLANNED
        or reminder.user_id not in acting_for(user)
    ):
        return SafeString("")
    return get_template("activities/partials/_reminder_snooze.html").render(
        {
            "reminder": reminder,
            "origin": origin,
            "snooze_choices": snooze_choices(),
            "request": request,
            "csrf_token": get_token(request),
        }
    )

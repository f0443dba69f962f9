"""What reminders, the calendar feed, handover and absences add to the shell: the delivery job,
the "Пока вас не было" panel of the dashboard, the snooze buttons under reminder notifications
in the bell, the "Календарь для телефона" and "Отсутствие" panels of the profile, and the
handover parts activities owns. Called from ActivitiesConfig.ready."""

from __future__ import annotations

from typing import Any

from crm.core.registry import (
    PROFILE,
    Panel,
    register_dashboard_panel,
    register_notification_actions,
    register_panel,
)

MISSED_SHOWN = 10


def snooze_choices() -> list[tuple[str, Any]]:
    from crm.activities.services.reminders import SNOOZE_SHORT_LABELS

    return list(SNOOZE_SHORT_LABELS.items())


def missed_reminders_panel(user: Any) -> Panel | None:
    from crm.activities.selectors.reminders import missed_reminders

    missed = missed_reminders(user)
    if not missed:
        return None
    return Panel(
        "activities/partials/_missed_reminders.html",
        {
            "missed": missed[:MISSED_SHOWN],
            "missed_total": len(missed),
            "snooze_choices": snooze_choices(),
        },
    )


def reminder_snooze_actions(user: Any, notifications: list[Any]) -> dict[int, Panel]:
    from crm.activities.selectors.reminders import reminders_for_notifications

    choices = snooze_choices()
    return {
        notification_id: Panel(
            "activities/partials/_reminder_snooze.html",
            {"reminder": reminder, "origin": "bell", "snooze_choices": choices},
        )
        for notification_id, reminder in reminders_for_notifications(user, notifications).items()
    }


def calendar_feed_panel(user: Any) -> Panel | None:
    from crm.activities.services.feed import calendar_feed_get_or_create

    return Panel(
        "activities/partials/_feed_panel.html", {"feed": calendar_feed_get_or_create(user=user)}
    )


def absence_panel(user: Any) -> Panel | None:
    from crm.accounts.selectors import absence_list
    from crm.activities.services.handover import handover_allowed

    absences = list(absence_list(user=user).filter(user=user)[:3]) + list(
        absence_list(user=user).filter(substitute=user)[:3]
    )
    return Panel(
        "activities/partials/_absence_panel.html",
        {"absences": absences, "can_handover": handover_allowed(user)},
    )


def register() -> None:
    import crm.activities.services.delivery  # noqa: F401  (registers the periodic job)
    from crm.activities.services.handover import register_parts

    register_dashboard_panel("missed_reminders", missed_reminders_panel, order=10)
    register_notification_actions(reminder_snooze_actions)
    register_panel(PROFILE, "calendar_feed", calendar_feed_panel, order=10)
    register_panel(PROFILE, "absences", absence_panel, order=20)
    register_parts()

"""Reminders in the pages: the bell with snooze buttons, the "Пока вас не было" panel of the
dashboard, snooze / dismiss / open, and 404 for someone else's reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from crm.activities.models import Reminder, ReminderStatus
from crm.activities.services.delivery import deliver_due_reminders
from crm.activities.tests.reminder_fixtures import T0, due_reminder
from crm.core.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone", "at_t0")]


@pytest.fixture
def sent(manager, romashka):
    reminder = due_reminder(manager, client=romashka)
    deliver_due_reminders()
    reminder.refresh_from_db()
    return reminder


def snooze(client, reminder, delta="15m", origin="bell", **headers):
    return client.post(
        reverse("activities:reminder_snooze", args=[reminder.pk]),
        {"delta": delta, "origin": origin},
        **headers,
    )


# --- the bell ---------------------------------------------------------------------------------


def test_the_bell_shows_the_reminder_with_snooze_buttons(client, manager, sent):
    client.force_login(manager)
    html = client.get(reverse("core:bell")).content.decode()
    assert "Звонок: Обсудить поставку" in html
    assert 'data-unread="1"' in html
    assert 'data-latest="Звонок: Обсудить поставку"' in html
    assert html.count("data-snooze=") == 5
    for code, label in [("5m", "5 мин"), ("15m", "15 мин"), ("1h", "1 ч"), ("1d", "1 день")]:
        assert f'value="{code}" data-snooze="{code}">{label}</button>' in html
    assert reverse("activities:reminder_snooze", args=[sent.pk]) in html


def test_the_bell_costs_the_same_queries_with_many_reminders(
    client, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    due_reminder(manager)
    deliver_due_reminders()
    client.get(reverse("core:bell"))  # warm the session and the user
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("core:bell"))
    for _ in range(7):
        due_reminder(manager)
    deliver_due_reminders()
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("core:bell")).content.decode()
    assert html.count("reminder-snooze") == 8


def test_snooze_from_the_bell_answers_with_the_bell(client, manager, sent):
    client.force_login(manager)

    response = snooze(client, sent, "15m", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="bell")

    assert response.status_code == 200
    assert response.templates[0].name == "core/partials/_bell.html"
    assert 'data-unread="0"' in response.content.decode()
    sent.refresh_from_db()
    assert (sent.status, sent.remind_at, sent.snooze_count) == (
        ReminderStatus.PENDING,
        T0 + dt.timedelta(minutes=15),
        1,
    )


def test_snooze_without_javascript_goes_back_with_a_message(client, manager, sent):
    client.force_login(manager)
    response = client.post(
        reverse("activities:reminder_snooze", args=[sent.pk]),
        {"delta": "1h", "next": reverse("core:notifications")},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("core:notifications"), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Напомню снова 26.11.2026 в 14:00."]


def test_snooze_with_a_bad_delta_says_so_and_changes_nothing(client, manager, sent):
    client.force_login(manager)
    response = snooze(client, sent, "3m", origin="", follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Выберите, на сколько отложить: 5 минут, 15 минут, 1 час, 1 день или 1 неделю"
    ]
    assert Reminder.objects.get(pk=sent.pk).status == ReminderStatus.SENT


def test_someone_elses_reminder_is_404_everywhere(client, colleague, sent):
    client.force_login(colleague)
    assert snooze(client, sent).status_code == 404
    assert client.post(reverse("activities:reminder_seen", args=[sent.pk])).status_code == 404
    assert client.get(reverse("activities:reminder_open", args=[sent.pk])).status_code == 404
    sent.refresh_from_db()
    assert (sent.status, sent.seen_at) == (ReminderStatus.SENT, None)


def test_snooze_needs_post_and_a_login(client, manager, sent):
    url = reverse("activities:reminder_snooze", args=[sent.pk])
    assert client.post(url, {"delta": "5m"}).status_code == 302  # to the login page
    client.force_login(manager)
    assert client.get(url).status_code == 405


def test_opening_the_notification_marks_it_seen_and_shows_the_activity(client, manager, sent):
    client.force_login(manager)
    response = client.get(Notification.objects.get().url)
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{sent.activity_id}/"
    sent.refresh_from_db()
    assert sent.seen_at == T0
    assert Notification.objects.get().read_at == T0


# --- the dashboard ------------------------------------------------------------------------------


def test_the_dashboard_shows_what_was_missed_while_away(client, manager, sent):
    client.force_login(manager)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "Пока вас не было" in html
    assert 'id="missed-reminders"' in html
    assert "Звонок: Обсудить поставку" in html
    assert "ООО «Ромашка»" in html
    assert reverse("activities:reminder_open", args=[sent.pk]) in html


def test_nothing_missed_no_panel(client, manager):
    client.force_login(manager)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "Пока вас не было" not in html


def test_the_dashboard_costs_the_same_queries_with_many_missed(
    client, manager, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    due_reminder(manager)
    deliver_due_reminders()
    client.get(reverse("core:dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("core:dashboard"))
    for _ in range(9):
        due_reminder(manager)
    deliver_due_reminders()
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("core:dashboard")).content.decode()
    assert html.count("data-reminder=") == 10


def test_dismissing_one_from_the_panel_redraws_the_panel(client, manager, sent):
    other = due_reminder(manager)
    deliver_due_reminders()
    client.force_login(manager)

    response = client.post(
        reverse("activities:reminder_seen", args=[sent.pk]),
        {"origin": "missed"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert f'data-reminder="{other.pk}"' in html
    assert f'data-reminder="{sent.pk}"' not in html
    assert Reminder.objects.get(pk=sent.pk).seen_at == T0


def test_dismissing_all_empties_the_panel(client, manager, sent):
    due_reminder(manager)
    deliver_due_reminders()
    client.force_login(manager)
    response = client.post(
        reverse("activities:reminders_seen_all"), {"origin": "missed"}, HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().strip() == '<div id="missed-reminders"></div>'
    assert not Reminder.objects.filter(seen_at__isnull=True).exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_snooze_from_the_panel_takes_it_off_the_panel(client, manager, sent):
    client.force_login(manager)
    response = snooze(client, sent, "1d", origin="missed", HTTP_HX_REQUEST="true")
    assert response.content.decode().strip() == '<div id="missed-reminders"></div>'
    assert Reminder.objects.get(pk=sent.pk).remind_at == T0 + dt.timedelta(days=1)


def test_the_base_page_polls_the_bell_every_15_seconds(client, manager):
    client.force_login(manager)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "every 15s" in html


# --- the activity page ----------------------------------------------------------------------------


def test_the_activity_page_offers_snooze_to_the_reminders_user_only(client, manager, head, sent):
    url = f"/activities/{sent.activity_id}/"
    client.force_login(manager)
    html = client.get(url).content.decode()
    assert html.count("data-snooze=") == 5
    assert reverse("activities:reminder_snooze", args=[sent.pk]) in html
    client.force_login(head)  # sees the activity, the reminder is not theirs
    response = client.get(url)
    assert response.status_code == 200
    assert "data-snooze=" not in response.content.decode()


def test_snooze_from_the_activity_page_reloads_it(client, manager, sent):
    client.force_login(manager)
    response = snooze(client, sent, "1w", origin="activity", HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    assert Reminder.objects.get(pk=sent.pk).remind_at == T0 + dt.timedelta(weeks=1)

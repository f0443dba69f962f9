"""The bell fragment, the notification list and marking notifications read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from crm.core.models import Notification

pytestmark = pytest.mark.django_db

READ_EARLIER = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture
def inbox(manager, colleague):
    mine = [
        Notification.objects.create(user=manager, title=f"Позвонить клиенту {n}") for n in (1, 2)
    ]
    read = Notification.objects.create(user=manager, title="Прочитанное", read_at=READ_EARLIER)
    theirs = Notification.objects.create(user=colleague, title="Чужое уведомление")
    return {"mine": mine, "read": read, "theirs": theirs}


def unread_titles() -> set[str]:
    return set(Notification.objects.filter(read_at__isnull=True).values_list("title", flat=True))


def test_bell_shows_the_unread_count_and_own_notifications(client, manager, inbox):
    client.force_login(manager)

    response = client.get(reverse("core:bell"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="badge rounded-pill text-bg-danger" id="bell-count">2</span>' in html
    assert "bi-bell-fill" in html
    assert "Позвонить клиенту 1" in html
    assert "Прочитанное" in html
    assert "Чужое уведомление" not in html
    assert response.context["unread"] == 2


def test_bell_without_unread_shows_no_count(client, colleague):
    Notification.objects.create(user=colleague, title="Старое", read_at=READ_EARLIER)
    client.force_login(colleague)
    html = client.get(reverse("core:bell")).content.decode()
    assert 'id="bell-count"' not in html
    assert "Прочитать все" not in html


def test_notification_list_is_the_users_own(client, manager, inbox):
    client.force_login(manager)
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 200
    assert [n.title for n in response.context["page"]] == [
        "Прочитанное",
        "Позвонить клиенту 2",
        "Позвонить клиенту 1",
    ]


def test_mark_one_read(client, manager, inbox):
    client.force_login(manager)
    target = inbox["mine"][0]

    response = client.post(reverse("core:notification_read", args=[target.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:notifications")
    assert unread_titles() == {"Позвонить клиенту 2", "Чужое уведомление"}


def test_mark_someone_elses_notification_read_changes_nothing(client, manager, inbox):
    client.force_login(manager)
    response = client.post(reverse("core:notification_read", args=[inbox["theirs"].pk]))
    assert response.status_code == 302
    assert unread_titles() == {"Позвонить клиенту 1", "Позвонить клиенту 2", "Чужое уведомление"}


def test_mark_all_read_touches_only_own_rows(client, manager, inbox):
    client.force_login(manager)

    response = client.post(reverse("core:notifications_read_all"))

    assert response.status_code == 302
    assert unread_titles() == {"Чужое уведомление"}
    inbox["read"].refresh_from_db()
    assert inbox["read"].read_at == READ_EARLIER


def test_mark_all_read_from_the_bell_answers_with_the_fresh_bell(client, manager, inbox):
    client.force_login(manager)

    response = client.post(reverse("core:notifications_read_all"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.context["unread"] == 0
    assert 'id="bell-count"' not in response.content.decode()
    assert unread_titles() == {"Чужое уведомление"}


def test_marking_read_needs_post(client, manager, inbox):
    client.force_login(manager)
    response = client.get(reverse("core:notifications_read_all"))
    assert response.status_code == 405
    assert len(unread_titles()) == 3


@pytest.mark.parametrize("name", ["core:bell", "core:notifications"])
def test_notification_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

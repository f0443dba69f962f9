"""The user's own profile page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PROFILE = {
    "last_name": "Петрова",
    "first_name": "Мария",
    "middle_name": "Ивановна",
    "email": "petrova@svod.test",
    "position": "Старший менеджер",
    "phone": "+7 495 123-45-67",
    "email_signature": "С уважением, Мария",
    "time_zone": "Asia/Yekaterinburg",
    "language": "ru",
}


def test_profile_page_shows_the_form_and_the_role(client, manager):
    client.force_login(manager)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Менеджер" in html
    assert "Отдел продаж «Москва»" in html
    assert list(response.context["form"].fields) == list(PROFILE)


def test_profile_update_saves_the_profile_and_audits(client, manager):
    client.force_login(manager)

    response = client.post(reverse("accounts:profile"), PROFILE)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(pk=manager.pk)
    assert {name: getattr(user, name) for name in PROFILE} == PROFILE
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.source, entry.object_id) == (
        manager,
        "update",
        "web",
        str(manager.pk),
    )
    assert entry.changes == {
        "last_name": [manager.last_name, "Петрова"],
        "first_name": ["Анна", "Мария"],
        "middle_name": ["", "Ивановна"],
        "email": ["manager@svod.test", "petrova@svod.test"],
        "position": ["", "Старший менеджер"],
        "phone": ["", "+7 495 123-45-67"],
        "email_signature": ["", "С уважением, Мария"],
        "time_zone": ["Europe/Moscow", "Asia/Yekaterinburg"],
    }
    followed = client.get(response["Location"])
    assert "Профиль сохранён." in followed.content.decode()


def test_profile_post_cannot_change_department_role_or_flags(client, manager, other_department):
    client.force_login(manager)

    response = client.post(
        reverse("accounts:profile"),
        {
            **PROFILE,
            "department": other_department.pk,
            "role": "administrator",
            "groups": ["4"],
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "",
            "username": "hacker",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(pk=manager.pk)
    assert (user.department.name, user.role, user.username) == (
        "Отдел продаж «Москва»",
        Role.MANAGER,
        "manager",
    )
    assert (user.is_superuser, user.is_staff, user.is_active) == (False, False, True)
    assert user.position == "Старший менеджер"
    assert set(AuditEntry.objects.get().changes) <= set(PROFILE)


def test_saving_an_unchanged_profile_writes_no_history(client, manager):
    client.force_login(manager)
    unchanged = {name: getattr(manager, name) for name in PROFILE}
    assert client.post(reverse("accounts:profile"), unchanged).status_code == 302
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "не-почта", "Введите правильный адрес электронной почты."),
        ("time_zone", "America/New_York", "Выберите корректный вариант."),
        ("language", "de", "Выберите корректный вариант."),
    ],
)
def test_bad_profile_data_shows_a_russian_error_and_changes_nothing(
    client, manager, field, value, message
):
    client.force_login(manager)

    response = client.post(reverse("accounts:profile"), {**PROFILE, field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field][0].startswith(message[:-1])
    user = User.objects.get(pk=manager.pk)
    assert (user.last_name, user.email, user.time_zone) == (
        manager.last_name,
        "manager@svod.test",
        "Europe/Moscow",
    )
    assert AuditEntry.objects.count() == 0


def test_profile_needs_a_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

"""Logging in and out, changing and resetting the password."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.accounts.services import user_update

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # the factory's


def test_login_page_is_in_russian(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru"' in html
    assert "<title>Вход" in html
    assert "Войти</button>" in html
    assert "Забыли пароль?" in html


def test_login_redirects_to_the_dashboard(client, manager):
    response = client.post(reverse("accounts:login"), {"username": "manager", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert client.session[SESSION_KEY] == str(manager.pk)
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_login_follows_next(client, manager):
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/profile/",
        {"username": "manager", "password": PASSWORD, "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"


def test_login_never_redirects_to_another_site(client, manager):
    response = client.post(
        reverse("accounts:login"),
        {"username": "manager", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("core:dashboard")


@pytest.mark.parametrize(
    ("username", "password"),
    [("manager", "wrong-password"), ("nobody", PASSWORD), ("manager", "")],
)
def test_wrong_credentials_show_a_russian_error(client, manager, username, password):
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert "Неверное имя пользователя или пароль." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_inactive_user_cannot_log_in(client, manager):
    manager.is_active = False
    manager.save()
    response = client.post(reverse("accounts:login"), {"username": "manager", "password": PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_a_logged_in_user_is_sent_from_the_login_page_to_the_dashboard(client, manager):
    client.force_login(manager)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


def test_logout_is_post_only(client, manager):
    client.force_login(manager)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session[SESSION_KEY] == str(manager.pk)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_password_change(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Новый-пароль-2026",
            "new_password2": "Новый-пароль-2026",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert User.objects.get(pk=manager.pk).check_password("Новый-пароль-2026")
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("wrong", "Новый-пароль-2026", "Новый-пароль-2026", "Ваш старый пароль введен неправильно"),
        (PASSWORD, "Новый-пароль-2026", "Другой-пароль-2026", "Введенные пароли не совпадают."),
        (PASSWORD, "Коротк1", "Коротк1", "Введённый пароль слишком короткий."),
    ],
)
def test_password_change_errors_change_nothing(client, manager, old, new1, new2, message):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=manager.pk).check_password(PASSWORD)


def test_password_reset_sends_a_link_that_sets_a_new_password(client, manager):
    response = client.post(reverse("accounts:password_reset"), {"email": "manager@svod.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["manager@svod.test"]
    assert message.subject == "Свод CRM: восстановление пароля"
    assert "Ваше имя пользователя: manager" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Сброшенный-2026", "new_password2": "Сброшенный-2026"}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(pk=manager.pk).check_password("Сброшенный-2026")


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, manager):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@svod.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_deactivated_users_session_stops_working_at_once(client, administrator, manager):
    client.login(username="manager", password=PASSWORD)
    assert client.get(reverse("core:dashboard")).status_code == 200

    user_update(by=administrator, user=manager, role=Role.MANAGER, is_active=False)

    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/"

"""The interface follows the user's language and time zone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from crm.accounts.middleware import UserPreferencesMiddleware
from crm.accounts.models import User


def _seen(user) -> str:
    def view(request):
        return HttpResponse(f"{translation.get_language()} {timezone.get_current_timezone_name()}")

    request = RequestFactory().get("/")
    request.user = user
    try:
        with translation.override("ru"):
            return UserPreferencesMiddleware(view)(request).content.decode()
    finally:
        timezone.deactivate()


@pytest.mark.parametrize(
    ("language", "time_zone", "expected"),
    [
        ("en", "Asia/Vladivostok", "en Asia/Vladivostok"),
        ("ru", "Europe/Kaliningrad", "ru Europe/Kaliningrad"),
        ("", "UTC", "ru UTC"),
    ],
)
def test_a_logged_in_user_gets_their_language_and_time_zone(language, time_zone, expected):
    user = User(username="u", language=language, time_zone=time_zone)
    assert _seen(user) == expected


def test_a_broken_time_zone_falls_back_to_the_company_one():
    assert _seen(User(username="u", time_zone="Nowhere/Land")) == "ru Europe/Moscow"


def test_an_anonymous_visitor_gets_the_defaults():
    assert _seen(AnonymousUser()) == "ru Europe/Moscow"


@pytest.mark.django_db
def test_pages_are_shown_in_english_to_an_english_speaking_user(client, manager):
    manager.language = "en"
    manager.save()
    client.force_login(manager)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="en"' in html

"""The shell: dashboard, navigation, placeholders of sections to come, global search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.core import registry
from crm.core.models import Notification

pytestmark = pytest.mark.django_db


def test_dashboard_needs_a_login(client):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/"


def test_dashboard_greets_the_user_and_shows_the_latest_notifications(client, manager):
    for n in range(7):
        Notification.objects.create(user=manager, title=f"Уведомление {n}")
    client.force_login(manager)

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Добрый день, Анна" in html
    assert [n.title for n in response.context["notifications"]] == [
        f"Уведомление {n}" for n in (6, 5, 4, 3, 2)
    ]
    assert "dashboard" not in [section.code for section in response.context["sections"]]


def test_navigation_marks_the_current_section_active(client, manager):
    client.force_login(manager)
    response = client.get(reverse("core:dashboard"))
    items = {item["code"]: item for item in response.context["nav_sections"]}
    assert items["dashboard"]["active"] is True
    assert items["dashboard"]["url"] == "/"
    assert [code for code, item in items.items() if item["active"]] == ["dashboard"]


@pytest.fixture
def soon_section():
    section = registry.Section(code="test-soon", title="Склад", icon="box", order=99)
    registry.register_section(section)
    yield section
    registry._sections.pop("test-soon")


def test_a_section_to_come_is_marked_soon_in_the_navigation(client, manager, soon_section):
    client.force_login(manager)
    response = client.get(reverse("core:dashboard"))
    items = {item["code"]: item for item in response.context["nav_sections"]}
    assert items["test-soon"]["soon"] is True
    assert items["test-soon"]["url"] == "/soon/test-soon/"
    assert items["dashboard"]["soon"] is False


def test_a_section_to_come_has_a_placeholder_page(client, manager, soon_section):
    client.force_login(manager)
    response = client.get(reverse("core:section", args=["test-soon"]))
    assert response.status_code == 200
    assert "Раздел скоро появится" in response.content.decode()
    assert "<title>Склад" in response.content.decode()
    assert response.context["section"] is soon_section


@pytest.mark.parametrize("code", ["dashboard", "no-such-section"])
def test_placeholder_of_a_working_or_unknown_section_is_404(client, manager, code):
    client.force_login(manager)
    assert client.get(reverse("core:section", args=[code])).status_code == 404


@pytest.mark.parametrize("query", ["", "a", " я "])
def test_search_asks_for_two_characters(client, manager, query):
    client.force_login(manager)
    response = client.get(reverse("core:search"), {"q": query}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["hits"] == []
    assert "Введите не меньше двух символов." in response.content.decode()


def test_search_page_and_fragment(client, manager):
    client.force_login(manager)
    page = client.get(reverse("core:search"), {"q": "Несуществующий"})
    fragment = client.get(reverse("core:search"), {"q": "Несуществующий"}, HTTP_HX_REQUEST="true")
    assert page.templates[0].name == "core/search.html"
    assert fragment.templates[0].name == "core/partials/_search_results.html"
    assert "Ничего не найдено." in fragment.content.decode()


def test_sections_are_sorted_by_order_then_code():
    ordered = registry.sections()
    keys = [(section.order, section.code) for section in ordered]
    assert keys == sorted(keys)
    assert ordered[0].code == "dashboard"

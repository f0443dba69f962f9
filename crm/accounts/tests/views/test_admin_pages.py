"""The administrator's pages: users, departments, roles and the settings section."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from crm.accounts.models import Department, User
from crm.accounts.roles import Role
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    ("accounts:user_list", None),
    ("accounts:user_create", None),
    ("accounts:user_edit", "manager"),
    ("accounts:department_list", None),
    ("accounts:department_create", None),
    ("accounts:department_edit", "department"),
    ("accounts:role_list", None),
    ("accounts:role_edit", "role"),
]


def page_url(request, name: str, arg: str | None) -> str:
    if arg is None:
        return reverse(name)
    if arg == "role":
        return reverse(name, args=["manager"])
    return reverse(name, args=[request.getfixturevalue(arg).pk])


@pytest.mark.parametrize(("name", "arg"), ADMIN_PAGES)
@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_admin_pages_are_forbidden_to_other_roles(client, request, name, arg, who):
    url = page_url(request, name, arg)
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Взлом", "username": "x"}).status_code == 403
    assert not User.objects.filter(username="x").exists()
    assert not Department.objects.filter(name="Взлом").exists()


@pytest.mark.parametrize(("name", "arg"), ADMIN_PAGES)
def test_admin_pages_open_for_an_administrator(client, request, administrator, name, arg):
    url = page_url(request, name, arg)
    client.force_login(administrator)
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "arg"), ADMIN_PAGES)
def test_admin_pages_need_a_login(client, request, name, arg):
    response = client.get(page_url(request, name, arg))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/settings/users/999999/",
        "/accounts/settings/departments/999999/",
        "/accounts/settings/roles/boss/",
    ],
)
def test_missing_objects_are_404(client, administrator, url):
    client.force_login(administrator)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "sees_settings"),
    [("manager", False), ("head", False), ("accountant", False), ("administrator", True)],
)
def test_settings_section_is_in_the_navigation_only_for_administrators(
    client, request, who, sees_settings
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("core:dashboard"))
    codes = [item["code"] for item in response.context["nav_sections"]]
    assert ("settings" in codes) is sees_settings
    assert ('data-section="settings"' in response.content.decode()) is sees_settings


NEW_USER = {
    "username": "petrova",
    "last_name": "Петрова",
    "first_name": "Мария",
    "middle_name": "",
    "email": "petrova@svod.test",
    "position": "Менеджер",
    "phone": "",
    "is_active": "on",
    "role": "head_of_sales",
    "password": "Надёжный-пароль-2026",
}


def test_creating_a_user_with_a_role(client, administrator, department):
    client.force_login(administrator)

    response = client.post(
        reverse("accounts:user_create"), {**NEW_USER, "department": department.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_list")
    user = User.objects.get(username="petrova")
    assert list(user.groups.values_list("name", flat=True)) == ["head_of_sales"]
    assert user.role == Role.HEAD_OF_SALES
    assert user.department == department
    assert user.check_password("Надёжный-пароль-2026")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.source, entry.object_id) == (
        administrator,
        "create",
        "web",
        str(user.pk),
    )
    assert entry.changes["role"] == [None, "Руководитель отдела продаж"]
    assert entry.changes["department"] == [None, "Отдел продаж «Москва»"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": "Коротк1"}, "password", "Введённый пароль слишком короткий."),
        ({"password": ""}, "password", "Обязательное поле."),
        ({"password": "8274619305817"}, "password", "Введённый пароль состоит только из цифр."),
        ({"username": "manager"}, "username", "Пользователь с таким именем уже существует."),
        ({"role": "superuser"}, "role", "Выберите корректный вариант."),
        ({"email": "почта"}, "email", "Введите правильный адрес электронной почты."),
    ],
)
def test_bad_new_user_shows_a_russian_error_and_creates_nothing(
    client, administrator, manager, changes, field, message
):
    client.force_login(administrator)
    users_before = User.objects.count()

    response = client.post(reverse("accounts:user_create"), {**NEW_USER, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors[field][0].startswith(message[:-1])
    assert User.objects.count() == users_before
    assert not User.objects.filter(username="petrova").exists()
    assert AuditEntry.objects.count() == 0


def _edit_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "email": user.email,
        "position": user.position,
        "phone": user.phone,
        "department": user.department_id or "",
        "is_active": "on" if user.is_active else "",
        "role": user.role.value if user.role else "",
        "password": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_editing_a_user_changes_role_and_department_and_audits(
    client, administrator, manager, other_department
):
    client.force_login(administrator)

    response = client.post(
        reverse("accounts:user_edit", args=[manager.pk]),
        _edit_data(manager, role="accountant", department=other_department.pk),
    )

    assert response.status_code == 302
    user = User.objects.get(pk=manager.pk)
    assert (user.role, user.department) == (Role.ACCOUNTANT, other_department)
    assert user.check_password("secret-pass-123")  # an empty password field keeps it
    assert AuditEntry.objects.get().changes == {
        "department": ["Отдел продаж «Москва»", "Отдел продаж «Регионы»"],
        "role": ["Менеджер", "Бухгалтер"],
    }


def test_editing_a_user_can_set_a_new_password(client, administrator, manager):
    client.force_login(administrator)
    response = client.post(
        reverse("accounts:user_edit", args=[manager.pk]),
        _edit_data(manager, password="Выданный-пароль-2026"),
    )
    assert response.status_code == 302
    assert User.objects.get(pk=manager.pk).check_password("Выданный-пароль-2026")


def test_editing_a_user_without_changes_writes_no_history(client, administrator, manager):
    client.force_login(administrator)
    response = client.post(reverse("accounts:user_edit", args=[manager.pk]), _edit_data(manager))
    assert response.status_code == 302
    assert AuditEntry.objects.count() == 0


def test_deactivating_a_user_on_the_page_ends_their_access(client, administrator, manager):
    Token.objects.create(user=manager)
    their_client = client.__class__()
    their_client.login(username="manager", password="secret-pass-123")
    client.force_login(administrator)

    response = client.post(
        reverse("accounts:user_edit", args=[manager.pk]), _edit_data(manager, is_active="")
    )

    assert response.status_code == 302
    assert User.objects.get(pk=manager.pk).is_active is False
    assert Token.objects.filter(user=manager).count() == 0
    assert AuditEntry.objects.get().changes == {"is_active": [True, False]}
    assert their_client.get(reverse("core:dashboard")).status_code == 302


def test_an_edit_with_an_error_changes_nothing(client, administrator, manager, colleague):
    client.force_login(administrator)
    response = client.post(
        reverse("accounts:user_edit", args=[manager.pk]),
        _edit_data(manager, username="colleague", role="administrator"),
    )
    assert response.status_code == 200
    user = User.objects.get(pk=manager.pk)
    assert (user.username, user.role) == ("manager", Role.MANAGER)
    assert AuditEntry.objects.count() == 0


def test_user_list_filters_and_answers_htmx_with_rows(client, administrator, manager, head):
    client.force_login(administrator)
    page = client.get(reverse("accounts:user_list"), {"role": "head_of_sales"})
    assert [u.username for u in page.context["page"]] == ["head"]
    fragment = client.get(reverse("accounts:user_list"), {"q": "manager"}, HTTP_HX_REQUEST="true")
    assert fragment.templates[0].name == "accounts/partials/_user_rows.html"
    assert [u.username for u in fragment.context["page"]] == ["manager"]
    assert "Руководитель отдела продаж" in page.content.decode()


def _user_list_queries(client, count: int) -> int:
    roles = list(Role)
    for n in range(User.objects.count(), count):
        UserFactory(department=DepartmentFactory(), role=roles[n % len(roles)])
    assert User.objects.count() == count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert len(response.context["page"]) == count
    return len(queries)


def test_user_list_query_count_does_not_grow_with_rows(client, administrator):
    client.force_login(administrator)
    client.get(reverse("accounts:user_list"))  # warm the caches of the first request
    assert _user_list_queries(client, 3) == _user_list_queries(client, 30)


def test_creating_and_renaming_a_department(client, administrator, head):
    client.force_login(administrator)

    created = client.post(
        reverse("accounts:department_create"), {"name": "Опт", "head": head.pk, "is_active": "on"}
    )
    department = Department.objects.get(name="Опт")
    renamed = client.post(
        reverse("accounts:department_edit", args=[department.pk]),
        {"name": "Оптовый отдел", "head": head.pk, "is_active": "on"},
    )

    assert (created.status_code, renamed.status_code) == (302, 302)
    assert renamed["Location"] == reverse("accounts:department_list")
    department.refresh_from_db()
    assert (department.name, department.head) == ("Оптовый отдел", head)
    assert [(e.action, e.changes) for e in AuditEntry.objects.order_by("id")] == [
        ("create", {"name": [None, "Опт"], "head": [None, str(head)], "is_active": [None, True]}),
        ("update", {"name": ["Опт", "Оптовый отдел"]}),
    ]


def test_a_department_name_must_be_unique(client, administrator, department):
    client.force_login(administrator)
    response = client.post(
        reverse("accounts:department_create"), {"name": department.name, "is_active": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Отдел с таким Название уже существует."]
    assert Department.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_department_list_shows_active_member_counts(client, administrator, manager, colleague):
    client.force_login(administrator)
    response = client.get(reverse("accounts:department_list"))
    assert {d.name: d.member_count for d in response.context["departments"]} == {
        "Отдел продаж «Москва»": 2
    }


def test_role_list_shows_every_role_with_its_scopes(client, administrator, manager):
    client.force_login(administrator)
    response = client.get(reverse("accounts:role_list"))
    roles = {str(r["label"]): r for r in response.context["roles"]}
    assert list(roles) == ["Менеджер", "Руководитель отдела продаж", "Бухгалтер", "Администратор"]
    assert [(str(a), str(s)) for a, s in roles["Менеджер"]["scopes"]] == [
        ("Клиенты, события, сделки", "свои"),
        ("Договоры, счета, оплаты", "свои"),
        ("Пользователи и настройки", "нет доступа"),
    ]
    assert roles["Менеджер"]["members"] == 1
    assert roles["Администратор"]["members"] == 1


def test_editing_a_roles_permissions(client, administrator):
    client.force_login(administrator)
    view_job = Permission.objects.get(content_type__app_label="core", codename="view_job")
    view_user = Permission.objects.get(content_type__app_label="accounts", codename="view_user")

    response = client.post(
        reverse("accounts:role_edit", args=["accountant"]),
        {"permissions": [view_job.pk, view_user.pk]},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:role_list")
    group = Group.objects.get(name="accountant")
    assert set(group.permissions.all()) == {view_job, view_user}
    assert AuditEntry.objects.get().changes["permissions"][1] == ["view_job", "view_user"]


def test_a_permission_outside_the_crm_apps_cannot_be_given(client, administrator):
    client.force_login(administrator)
    foreign = Permission.objects.get(content_type__app_label="auth", codename="add_group")
    before = set(Group.objects.get(name="manager").permissions.all())

    response = client.post(
        reverse("accounts:role_edit", args=["manager"]), {"permissions": [foreign.pk]}
    )

    assert response.status_code == 200
    assert "permissions" in response.context["form"].errors
    assert set(Group.objects.get(name="manager").permissions.all()) == before
    assert AuditEntry.objects.count() == 0

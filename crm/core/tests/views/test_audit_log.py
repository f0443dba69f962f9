"""The audit log and the job journal pages (administrators only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts.models import User
from crm.accounts.tests.factories import DepartmentFactory, UserFactory
from crm.core.models import AuditEntry, Job, JobStatus

pytestmark = pytest.mark.django_db


def _entry(actor, instance, **fields):
    return AuditEntry.objects.create(
        actor=actor,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance),
        **{"action": "update", "source": "web", **fields},
    )


@pytest.mark.parametrize("name", ["core:audit_log", "core:jobs"])
@pytest.mark.parametrize("who", ["manager", "head", "accountant"])
def test_settings_pages_of_core_are_forbidden_to_non_administrators(client, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["core:audit_log", "core:jobs"])
def test_settings_pages_of_core_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_audit_log_lists_entries_with_their_changes(client, administrator, manager, department):
    _entry(
        manager,
        department,
        changes={"name": ["Опт", "Отдел продаж «Москва»"]},
        source="api",
        at=dt.datetime(2026, 11, 26, 7, 5, 9, tzinfo=dt.UTC),
    )
    client.force_login(administrator)

    response = client.get(reverse("core:audit_log"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Журнал изменений" in html
    assert "26.11.2026 10:05:09" in html  # shown in the user's time zone (Europe/Moscow)
    assert "<del>Опт</del> → <ins>Отдел продаж «Москва»</ins>" in html
    assert str(manager) in html
    assert "API" in html


@pytest.fixture
def log(administrator, manager, department, other_department):
    return {
        "manager-web": _entry(manager, department, action="create"),
        "admin-api": _entry(administrator, other_department, source="api"),
        "system-worker": _entry(None, manager, source="worker"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"manager-web", "admin-api", "system-worker"}),
        ("?source=api", {"admin-api"}),
        ("?action=create", {"manager-web"}),
        ("?action=drop-table", {"manager-web", "admin-api", "system-worker"}),
        ("?source=nowhere", {"manager-web", "admin-api", "system-worker"}),
        ("?from=not-a-date", {"manager-web", "admin-api", "system-worker"}),
        ("?from=2999-01-01", set()),
        ("?q=Регионы", {"admin-api"}),
        ("?actor=abc", {"manager-web", "admin-api", "system-worker"}),
    ],
)
def test_audit_log_filters_from_the_query_string(client, administrator, log, query, expected):
    client.force_login(administrator)
    response = client.get(reverse("core:audit_log") + query)
    assert response.status_code == 200
    names = {entry.pk: name for name, entry in log.items()}
    assert {names[entry.pk] for entry in response.context["page"]} == expected


def test_audit_log_filters_by_actor_and_type(client, administrator, manager, log):
    client.force_login(administrator)
    user_type = ContentType.objects.get_for_model(User)
    url = reverse("core:audit_log")
    by_actor = client.get(url, {"actor": manager.pk}).context["page"]
    assert [entry.pk for entry in by_actor] == [log["manager-web"].pk]
    by_type = client.get(url, {"type": user_type.pk}).context["page"]
    assert [entry.pk for entry in by_type] == [log["system-worker"].pk]


def test_audit_log_answers_htmx_with_the_rows_only(client, administrator, log):
    client.force_login(administrator)
    response = client.get(reverse("core:audit_log"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "core/partials/_audit_rows.html"
    assert "<html" not in response.content.decode()


def _audit_page_queries(client, count: int) -> int:
    existing = AuditEntry.objects.count()
    for n in range(existing, count):
        actor = UserFactory(department=DepartmentFactory())
        instance = actor if n % 2 else actor.department
        _entry(actor, instance, changes={"name": [f"было {n}", f"стало {n}"]})
    assert AuditEntry.objects.count() == count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("core:audit_log"))
    assert response.status_code == 200
    assert len(response.context["page"]) == count
    return len(queries)


def test_audit_log_query_count_does_not_grow_with_rows(client, administrator):
    client.force_login(administrator)
    client.get(reverse("core:audit_log"))  # warm the caches of the first request
    assert _audit_page_queries(client, 3) == _audit_page_queries(client, 30)


def test_job_journal_lists_and_filters_by_status(client, administrator):
    Job.objects.create(kind="core.send_email", status=JobStatus.DONE)
    Job.objects.create(
        kind="clients.import", status=JobStatus.FAILED, error="Строка 7: неверный ИНН"
    )
    client.force_login(administrator)

    everything = client.get(reverse("core:jobs"))
    failed = client.get(reverse("core:jobs"), {"status": "failed"})
    bogus = client.get(reverse("core:jobs"), {"status": "bogus"})

    assert {job.kind for job in everything.context["page"]} == {"clients.import", "core.send_email"}
    assert [job.kind for job in failed.context["page"]] == ["clients.import"]
    assert "Строка 7: неверный ИНН" in failed.content.decode()
    assert bogus.context["status"] == ""
    assert len(bogus.context["page"]) == 2

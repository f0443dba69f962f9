"""The audit mechanism: snapshots, one row per change, and the path a change came from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from crm.accounts.models import Department, User
from crm.core.audit import (
    audit_record,
    audit_records_bulk,
    audit_saved,
    audit_source,
    current_audit_source,
    snapshot,
)
from crm.core.jobs import job_enqueue, run_pending
from crm.core.middleware import AuditSourceMiddleware
from crm.core.models import AuditAction, AuditEntry, AuditSource, JobStatus

pytestmark = pytest.mark.django_db


def test_audit_record_writes_who_what_and_from_where(manager, department):
    before = {"name": "Отдел продаж «Москва»", "is_active": True}
    after = {"name": "Отдел продаж «Центр»", "is_active": True}

    entry = audit_record(
        actor=manager, action=AuditAction.UPDATE, instance=department, before=before, after=after
    )

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == manager
    assert entry.source == AuditSource.SYSTEM
    assert entry.action == AuditAction.UPDATE
    assert entry.content_type == ContentType.objects.get_for_model(Department)
    assert entry.object_id == str(department.pk)
    assert entry.object_repr == "Отдел продаж «Москва»"
    assert entry.changes == {"name": ["Отдел продаж «Москва»", "Отдел продаж «Центр»"]}
    assert entry.comment == ""


def test_an_update_that_changes_nothing_writes_no_row(manager, department):
    same = {"name": "Отдел", "is_active": True}
    result = audit_record(
        actor=manager, action=AuditAction.UPDATE, instance=department, before=same, after=same
    )
    assert result is None
    assert AuditEntry.objects.count() == 0


def test_audit_saved_writes_a_creation_without_before_and_an_update_with_it(manager, department):
    created = audit_saved(
        actor=manager, instance=department, before=None, after={"name": "Отдел"}, comment="новый"
    )
    updated = audit_saved(
        actor=manager, instance=department, before={"name": "Отдел"}, after={"name": "Центр"}
    )
    unchanged = audit_saved(
        actor=manager, instance=department, before={"name": "Центр"}, after={"name": "Центр"}
    )

    assert created is not None and updated is not None and unchanged is None
    assert (created.action, created.changes, created.comment) == (
        AuditAction.CREATE,
        {"name": [None, "Отдел"]},
        "новый",
    )
    assert (updated.action, updated.changes) == (AuditAction.UPDATE, {"name": ["Отдел", "Центр"]})
    assert AuditEntry.objects.count() == 2


@pytest.mark.parametrize("action", [AuditAction.DELETE, AuditAction.ARCHIVE, AuditAction.LOGIN])
def test_other_actions_are_written_even_without_field_changes(manager, department, action):
    entry = audit_record(actor=manager, action=action, instance=department, comment="вручную")
    assert AuditEntry.objects.get().pk == entry.pk
    assert (entry.action, entry.changes, entry.comment) == (action, {}, "вручную")


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_a_change_without_a_person_has_no_actor(department, actor):
    entry = audit_record(actor=actor, action=AuditAction.CREATE, instance=department)
    assert AuditEntry.objects.get(pk=entry.pk).actor is None


def test_long_text_is_cut_to_the_column_size(manager):
    department = Department.objects.create(name="Д" * 150)
    entry = audit_record(
        actor=manager, action=AuditAction.OTHER, instance=department, comment="к" * 300
    )
    entry.refresh_from_db()
    assert entry.comment == "к" * 255
    assert entry.object_repr == "Д" * 150


def test_snapshot_shows_relations_by_their_text_and_many_to_many_sorted(manager):
    manager.groups.add(Group.objects.get(name="head_of_sales"))
    manager.date_joined = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
    assert snapshot(manager, ("username", "department", "groups", "is_active", "date_joined")) == {
        "username": "manager",
        "department": "Отдел продаж «Москва»",
        "groups": ["head_of_sales", "manager"],
        "is_active": True,
        "date_joined": "2026-01-15T09:30:00+00:00",
    }


def test_snapshot_of_an_empty_relation_is_none(accountant):
    assert snapshot(accountant, ("department", "groups")) == {
        "department": None,
        "groups": ["accountant"],
    }


def test_bulk_writes_one_row_per_changed_object_and_skips_unchanged(manager, department):
    second = Department.objects.create(name="Опт")
    third = Department.objects.create(name="Розница")
    rows = [
        (department, {"is_active": True}, {"is_active": False}),
        (second, {"is_active": True}, {"is_active": True}),
        (third, {"is_active": True}, {"is_active": False}),
    ]

    with audit_source(AuditSource.IMPORT):
        written = audit_records_bulk(
            actor=manager, action=AuditAction.ARCHIVE, rows=rows, comment="групповое"
        )

    assert written == 2
    entries = AuditEntry.objects.order_by("object_repr")
    assert [(e.object_repr, e.changes, e.source, e.actor_id, e.comment) for e in entries] == [
        ("Отдел продаж «Москва»", {"is_active": [True, False]}, "import", manager.pk, "групповое"),
        ("Розница", {"is_active": [True, False]}, "import", manager.pk, "групповое"),
    ]


def test_bulk_with_nothing_changed_writes_nothing(manager, department):
    written = audit_records_bulk(
        actor=manager,
        action=AuditAction.UPDATE,
        rows=[(department, {"name": "a"}, {"name": "a"})],
        comment="",
    )
    assert written == 0
    assert AuditEntry.objects.count() == 0


# --- where a change came from ------------------------------------------------------------------


def test_source_is_system_by_default_and_restored_after_a_block(department):
    assert current_audit_source() == AuditSource.SYSTEM
    with audit_source(AuditSource.IMPORT):
        assert current_audit_source() == AuditSource.IMPORT
        with audit_source(AuditSource.WORKER):
            assert current_audit_source() == AuditSource.WORKER
        assert current_audit_source() == AuditSource.IMPORT
    assert current_audit_source() == AuditSource.SYSTEM

    with pytest.raises(RuntimeError), audit_source(AuditSource.WEB):
        raise RuntimeError
    assert current_audit_source() == AuditSource.SYSTEM


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("/", AuditSource.WEB),
        ("/accounts/profile/", AuditSource.WEB),
        ("/api/v1/me/", AuditSource.API),
        ("/api/", AuditSource.API),
        ("/api", AuditSource.WEB),
        ("/apiary/", AuditSource.WEB),
    ],
)
def test_middleware_marks_api_paths_as_api_and_others_as_web(path, source):
    seen = []

    def view(request):
        seen.append(current_audit_source())
        return HttpResponse()

    AuditSourceMiddleware(view)(RequestFactory().get(path))
    assert seen == [source]
    assert current_audit_source() == AuditSource.SYSTEM


def test_a_change_made_on_a_page_is_recorded_as_web(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:profile"),
        {"last_name": "Петрова", "time_zone": "Europe/Moscow", "language": "ru"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.actor, entry.action) == ("web", manager, "update")


def test_a_change_made_through_the_api_is_recorded_as_api(client, manager):
    client.force_login(manager)
    response = client.patch(
        "/api/v1/me/", {"position": "Старший менеджер"}, content_type="application/json"
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.actor, entry.changes) == (
        "api",
        manager,
        {"position": ["", "Старший менеджер"]},
    )


@pytest.mark.usefixtures("no_periodic_jobs")
def test_a_change_made_by_a_job_is_recorded_as_worker(register_job_kind, department):
    def rename(job):
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            instance=department,
            before={"name": department.name},
            after={"name": job.payload["name"]},
        )
        return {}

    register_job_kind("test.rename", rename)
    job = job_enqueue(kind="test.rename", payload={"name": "Опт"})
    assert run_pending(worker_id="w") == 1

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.actor, entry.changes) == (
        "worker",
        None,
        {"name": ["Отдел продаж «Москва»", "Опт"]},
    )
    assert current_audit_source() == AuditSource.SYSTEM


def test_audit_entry_str(manager):
    entry = audit_record(
        actor=manager,
        action=AuditAction.CREATE,
        instance=User.objects.get(pk=manager.pk),
    )
    entry.at = dt.datetime(2026, 11, 26, 10, 5, tzinfo=dt.UTC)
    assert str(entry) == f"2026-11-26 10:05 create {manager}"

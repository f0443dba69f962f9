"""Reads of core: object history, the audit log filters, the bell, the job journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from crm.accounts.models import Department, User
from crm.core import selectors
from crm.core.models import AuditEntry, Job, JobStatus, Notification

pytestmark = pytest.mark.django_db


def _entry(actor, instance, *, at, action="update", source="web", repr_=None):
    return AuditEntry.objects.create(
        actor=actor,
        at=at,
        action=action,
        source=source,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=repr_ or str(instance),
    )


@pytest.fixture
def entries(manager, administrator, department, other_department):
    day = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    return {
        "a": _entry(manager, department, at=day, action="create", source="web"),
        "b": _entry(administrator, department, at=day + dt.timedelta(days=1), source="api"),
        "c": _entry(administrator, other_department, at=day + dt.timedelta(days=2)),
        "d": _entry(None, manager, at=day + dt.timedelta(days=3), source="worker"),
    }


def _names(queryset, entries):
    ids = {entry.pk: name for name, entry in entries.items()}
    return [ids[entry.pk] for entry in queryset]


def test_history_of_one_object_newest_first(entries, department):
    assert _names(selectors.audit_history(department), entries) == ["b", "a"]


def test_history_of_an_object_without_changes_is_empty(entries, head):
    assert list(selectors.audit_history(head)) == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["d", "c", "b", "a"]),
        ({"action": "create"}, ["a"]),
        ({"source": "api"}, ["b"]),
        ({"source": "worker"}, ["d"]),
        ({"date_from": dt.date(2026, 11, 21)}, ["d", "c", "b"]),
        ({"date_to": dt.date(2026, 11, 21)}, ["b", "a"]),
        ({"date_from": dt.date(2026, 11, 21), "date_to": dt.date(2026, 11, 22)}, ["c", "b"]),
        ({"query": "Регионы"}, ["c"]),
        ({"query": "продаж «"}, ["c", "b", "a"]),
        ({"query": "manager"}, []),
        ({"query": "регионы"}, ["c"]),  # Cyrillic case is folded on SQLite too (core.db)
        ({"query": "МОСКВА"}, ["b", "a"]),
        ({"query": "отдел продаж"}, ["c", "b", "a"]),
        ({"query": "%"}, []),
        ({"query": "_"}, []),
    ],
)
def test_audit_log_filters(entries, filters, expected):
    assert _names(selectors.audit_log(**filters), entries) == expected


def test_audit_log_filters_by_actor_and_type(entries, administrator):
    assert _names(selectors.audit_log(actor_id=administrator.pk), entries) == ["c", "b"]
    user_type = ContentType.objects.get_for_model(User)
    assert _names(selectors.audit_log(content_type_id=user_type.pk), entries) == ["d"]


def test_audited_content_types_lists_each_type_once(entries):
    assert list(selectors.audited_content_types()) == [
        ContentType.objects.get_for_model(Department),
        ContentType.objects.get_for_model(User),
    ]


def test_unread_notification_count_is_per_user(manager, colleague):
    Notification.objects.create(user=manager, title="1")
    Notification.objects.create(user=manager, title="2")
    Notification.objects.create(user=manager, title="3", read_at=dt.datetime.now(dt.UTC))
    Notification.objects.create(user=colleague, title="4")
    assert selectors.unread_notification_count(manager) == 2
    assert [n.title for n in selectors.notifications_for(manager)] == ["3", "2", "1"]


def test_job_list_filters_by_status():
    queued = Job.objects.create(kind="a")
    failed = Job.objects.create(kind="b", status=JobStatus.FAILED)
    assert set(selectors.job_list()) == {queued, failed}
    assert list(selectors.job_list(status=JobStatus.FAILED)) == [failed]

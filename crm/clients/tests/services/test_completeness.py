"""The stored score follows every service that changes its inputs; the bulk recompute and the
administrator's weights (defaults of migration 0002: inn 20, decision_maker 20, address 10,
source 10, industry 10, phone 10, email 5, registration 5, bank_account 5, region 5)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.clients import services
from crm.clients.models import Client, CompletenessCriterion, Industry
from crm.clients.services.completeness import (
    RECOMPUTE_JOB,
    client_refresh_completeness,
    completeness_recompute_all,
    completeness_weights_save,
)
from crm.clients.tests.factories import ClientFactory, LeadSourceFactory
from crm.core.jobs import run_pending
from crm.core.models import AuditEntry, Job, JobStatus

pytestmark = pytest.mark.django_db

VALID_INN = "7707083893"


def stored(client: Client) -> tuple[int, list[str]]:
    client.refresh_from_db()
    return client.completeness, client.completeness_missing


def default_weights() -> dict[str, tuple[int, bool]]:
    return {c.code: (c.weight, c.is_active) for c in CompletenessCriterion.objects.all()}


def test_every_service_updates_the_score(manager):
    source = LeadSourceFactory(name="Сайт")
    client = services.client_create(
        by=manager, name="ООО «Ромашка»", inn=VALID_INN, kpp="773601001", source=source
    )
    assert stored(client) == (
        30,
        [
            "decision_maker",
            "address",
            "industry",
            "phone",
            "email",
            "registration",
            "bank_account",
            "region",
        ],
    )

    services.client_update(
        by=manager,
        client=client,
        industry=Industry.objects.create(name="Строительство"),
        region="Москва",
        legal_address="г. Москва, ул. Тверская, д. 1",
    )
    assert stored(client) == (
        55,
        ["decision_maker", "phone", "email", "registration", "bank_account"],
    )

    services.bank_account_add(
        by=manager, client=client, bik="044525225", account="40702810200000000001"
    )
    assert stored(client) == (60, ["decision_maker", "phone", "email", "registration"])

    # A contact who is not the decision maker, or has no way to reach them, does not count.
    services.contact_add(by=manager, client=client, first_name="Ольга", phone="+74951112233")
    services.contact_add(by=manager, client=client, first_name="Пётр", is_decision_maker=True)
    assert stored(client)[0] == 60

    services.contact_add(
        by=manager,
        client=client,
        first_name="Игорь",
        is_decision_maker=True,
        email="igor@romashka.ru",
    )
    assert stored(client) == (80, ["phone", "email", "registration"])

    services.client_update(
        by=manager,
        client=client,
        phone="+74951234567",
        email="info@romashka.ru",
        ogrn="1027700132195",
    )
    assert stored(client) == (100, [])


def test_the_score_is_not_audited(manager):
    client = ClientFactory(owner=manager, name="ООО «Тихо»")
    client_refresh_completeness(client)
    assert AuditEntry.objects.count() == 0
    assert stored(client)[0] == 20  # only the ИНН (a КПП without ОГРН is no registration)


def test_recompute_all_writes_only_changed_cards_and_is_idempotent(manager):
    clients = ClientFactory.create_batch(3, owner=manager, kpp="", region="Москва")
    assert [c.completeness for c in clients] == [0, 0, 0]
    assert completeness_recompute_all() == 3
    assert [stored(c) for c in clients] == [
        (
            25,
            [
                "decision_maker",
                "address",
                "source",
                "industry",
                "phone",
                "email",
                "registration",
                "bank_account",
            ],
        )
    ] * 3
    assert completeness_recompute_all() == 0

    CompletenessCriterion.objects.filter(code="region").update(weight=55)  # total 150
    assert completeness_recompute_all() == 3
    assert stored(clients[0])[0] == 50  # (20 + 55) / 150


def test_recompute_all_reads_a_fixed_number_of_queries(manager):
    ClientFactory.create_batch(3, owner=manager)
    with CaptureQueriesContext(connection) as few:
        completeness_recompute_all()
    ClientFactory.create_batch(40, owner=manager)
    with CaptureQueriesContext(connection) as many:
        completeness_recompute_all()
    assert len(many) == len(few)


def test_bad_weight_is_refused_naming_the_criterion(administrator):
    before = default_weights()
    with pytest.raises(ValidationError) as error:
        completeness_weights_save(
            by=administrator,
            criteria={"inn": ("двадцать", True), "region": ("101", True), "email": ("-1", True)},
        )
    assert error.value.message_dict == {
        "inn": ["ИНН: вес — целое число от 0 до 100"],
        "region": ["Регион: вес — целое число от 0 до 100"],
        "email": ["E-mail: вес — целое число от 0 до 100"],
    }
    assert default_weights() == before
    assert AuditEntry.objects.count() == 0


def test_all_weights_zero_is_refused(administrator):
    criteria = dict.fromkeys(default_weights(), ("0", True))
    with pytest.raises(ValidationError) as error:
        completeness_weights_save(by=administrator, criteria=criteria)
    assert error.value.messages == [
        "Хотя бы один учитываемый критерий должен иметь вес больше нуля"
    ]
    assert CompletenessCriterion.objects.filter(weight=0).count() == 0


def test_saving_weights_audits_and_queues_the_recompute(
    administrator, manager, django_capture_on_commit_callbacks
):
    client = ClientFactory(owner=manager, kpp="")
    with django_capture_on_commit_callbacks(execute=True):
        changed = completeness_weights_save(
            by=administrator, criteria={"inn": ("60", True), "region": (" 5 ", False)}
        )
    assert sorted(row.code for row in changed) == ["inn", "region"]
    entries = AuditEntry.objects.filter(content_type__model="completenesscriterion")
    assert sorted((entry.changes for entry in entries), key=str) == [
        {"is_active": [True, False]},
        {"weight": [20, 60]},
    ]
    job = Job.objects.get(kind=RECOMPUTE_JOB)
    assert job.status == JobStatus.QUEUED

    # Saving again while one waits does not queue a second.
    with django_capture_on_commit_callbacks(execute=True):
        completeness_weights_save(by=administrator, criteria={"inn": ("61", True)})
    assert Job.objects.filter(kind=RECOMPUTE_JOB).count() == 1

    run_pending(worker_id="t")
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.DONE, {"changed": 1})
    assert stored(client)[0] == 45  # ИНН 61 of 136 = 44.85 (the region no longer counts)


def test_saving_the_same_weights_changes_nothing(administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        changed = completeness_weights_save(by=administrator, criteria={"inn": ("20", True)})
    assert changed == []
    assert not Job.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_recompute_job_is_registered_when_django_starts():
    """The worker only runs kinds registered at start-up (not just when a view is imported)."""
    code = (
        "import django; django.setup(); from crm.core.jobs import registered_kinds; "
        "print(' '.join(registered_kinds()))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert RECOMPUTE_JOB in result.stdout.split()

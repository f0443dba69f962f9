"""The demo base's real-looking duplicates are found by the full scan, and nothing else."""

from __future__ import annotations

import pytest

from crm.clients.models import Client, ClientDuplicate, ClientKind, DuplicateStatus
from crm.clients.services.duplicates import duplicate_scan
from crm.demo.seed import seed

pytestmark = pytest.mark.django_db
COPY_COMMENT = "Заведён повторно при входящем звонке"


def test_scan_of_the_demo_base_finds_exactly_its_three_duplicates():
    seed("small")
    copies = list(Client.objects.filter(comment=COPY_COMMENT).order_by("id"))
    # The copies were made of the first three companies with an ИНН (crm.demo.seed).
    originals = list(
        Client.objects.filter(kind=ClientKind.COMPANY)
        .exclude(inn="")
        .exclude(comment=COPY_COMMENT)[:3]
    )
    expected = {tuple(sorted((o.pk, c.pk))) for o, c in zip(originals, copies, strict=True)}

    result = duplicate_scan()

    found = set(
        ClientDuplicate.objects.filter(status=DuplicateStatus.NEW).values_list(
            "first_id", "second_id"
        )
    )
    assert found == expected
    assert result["clients"]["new"] == 3
    assert set(ClientDuplicate.objects.values_list("score", flat=True)) == {100}

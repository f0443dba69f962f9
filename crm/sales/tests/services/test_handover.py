"""The deals part of a handover: the open deals of the handed-over clients move with them."""

from __future__ import annotations

import pytest

from crm.activities.services.handover import handover_apply, handover_preview
from crm.core.models import AuditEntry
from crm.sales.tests.factories import DealFactory, stage

pytestmark = pytest.mark.django_db


def test_open_deals_move_with_the_clients(head, manager, colleague):
    open_deal = DealFactory(manager=manager)
    won = DealFactory(manager=manager, client=open_deal.client, stage=stage("won"))
    preview = handover_preview(by=head, from_user=manager, client_ids=[open_deal.client_id])
    assert preview.counts()["deals"] == 1
    handover = handover_apply(
        by=head, from_user=manager, to_user=colleague, client_ids=[open_deal.client_id]
    )
    assert handover.moved["deals"] == 1
    open_deal.refresh_from_db()
    won.refresh_from_db()
    assert (open_deal.manager, open_deal.department) == (colleague, colleague.department)
    assert won.manager == manager  # a closed deal stays with who closed it
    entry = AuditEntry.objects.filter(
        content_type__model="deal", object_id=str(open_deal.pk)
    ).latest("id")
    assert entry.changes["manager"] == [str(manager), str(colleague)]
    assert entry.comment.startswith("Передача дел:")

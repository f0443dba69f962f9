"""Periodic work of the sale process, run by the worker (crm.core.jobs): the check for deals
that stayed on a stage longer than its limit. Imported in SalesConfig.ready."""

from __future__ import annotations

from typing import Any

from crm.core.jobs import periodic_job
from crm.core.models import Job

OVERDUE_CHECK_SECONDS = 15 * 60


@periodic_job("sales.check_overdue_stages", every_seconds=OVERDUE_CHECK_SECONDS)
def check_overdue_stages_job(job: Job) -> dict[str, Any]:
    """Idempotent: each notice has its key (rule, deal, stay), a rerun adds nothing."""
    from crm.sales.services.automation import check_overdue_stages

    return {"runs": check_overdue_stages()}

"""What the proposal pages add to the shell: the history of a proposal (the same access as
its page). Called from SalesConfig.ready."""

from __future__ import annotations

from typing import Any

from crm.sales.models import Proposal


def proposal_history_access(user: Any, object_id: str) -> Proposal:
    from crm.sales.selectors.proposals import proposal_get

    return proposal_get(user=user, pk=object_id)


def register() -> None:
    from crm.core.registry import register_history

    register_history(Proposal, proposal_history_access)

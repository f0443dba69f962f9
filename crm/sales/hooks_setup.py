"""What the sale-process settings add to the shell: the settings tab «Воронки продаж» and the
history of pipelines, stages, lost reasons and automatic steps (administrators only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import can_administer
from crm.core.registry import SettingsTab, register_history, register_settings_tab


def _admin_only(model: type[models.Model]) -> Any:
    def access(user: Any, object_id: str) -> models.Model:
        if not can_administer(user):
            raise PermissionDenied
        try:
            return model._default_manager.get(pk=object_id)
        except (ObjectDoesNotExist, ValueError) as error:
            raise Http404 from error

    return access


def register() -> None:
    from crm.sales.models import AutomationRule, LostReason, Pipeline, Stage
    from crm.sales.views.setup import PIPELINE_URL_NAMES

    register_settings_tab(
        SettingsTab(_("Воронки продаж"), "sales:setup_pipelines", PIPELINE_URL_NAMES, order=62)
    )
    for model in (Pipeline, Stage, LostReason, AutomationRule):
        register_history(model, _admin_only(model))

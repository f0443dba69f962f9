"""The settings tab «Воронки продаж» (administrators only): pipelines with their ordered
stages, lost reasons and automatic steps. The pages only parse and show; the rules and the
audit are in `crm.sales.services.setup`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.decorators import administrator_required
from crm.core.forms import apply_errors as _apply_errors
from crm.core.i18n import translated
from crm.sales.documents import document_title
from crm.sales.domain.rules import DEAL_FIELDS
from crm.sales.forms_setup import AutomationRuleForm, LostReasonForm, PipelineForm, StageForm
from crm.sales.models import AutomationRule, LostReason, Pipeline, RequirementKind, Stage
from crm.sales.services import setup as services

PIPELINE_URL_NAMES = (
    "sales:setup_pipelines",
    "sales:setup_pipeline_create",
    "sales:setup_pipeline_edit",
    "sales:setup_stage_create",
    "sales:setup_stage_edit",
    "sales:setup_lost_reasons",
    "sales:setup_lost_reason_create",
    "sales:setup_lost_reason_edit",
    "sales:setup_rules",
    "sales:setup_rule_create",
    "sales:setup_rule_edit",
)


def _requirements(stage: Stage) -> list[str]:
    return [
        document_title(requirement.document)
        if requirement.kind == RequirementKind.DOCUMENT
        else str(requirement.activity_kind)
        for requirement in stage.requirements.all()
    ]


@administrator_required
def pipeline_list(request: HttpRequest) -> HttpResponse:
    pipelines = list(
        Pipeline.objects.prefetch_related("stages__requirements__activity_kind").order_by(
            "order", "name"
        )
    )
    rows = [
        {
            "pipeline": pipeline,
            "stages": [
                {
                    "stage": stage,
                    "first": index == 0,
                    "last": index == len(stages) - 1,
                    "fields": [
                        translated(DEAL_FIELDS.get(code, code)) for code in stage.required_fields
                    ],
                    "requirements": _requirements(stage),
                }
                for index, stage in enumerate(stages)
            ],
        }
        for pipeline in pipelines
        for stages in [sorted(pipeline.stages.all(), key=lambda s: (s.order, s.pk))]
    ]
    return render(request, "sales/setup/pipeline_list.html", {"rows": rows})


@administrator_required
def pipeline_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_active": True, "order": 100}
    if pipeline is not None:
        initial = {name: getattr(pipeline, name) for name in services.PIPELINE_FIELDS}
    form = PipelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.pipeline_save(
                by=request.user, pipeline=pipeline, data=form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Воронка «%(name)s» сохранена.") % {"name": saved.name})
            return redirect("sales:setup_pipelines")
    return render(request, "sales/setup/pipeline_form.html", {"form": form, "object": pipeline})


@administrator_required
def stage_edit(
    request: HttpRequest, pipeline_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk) if pk else None
    pipeline = stage.pipeline if stage else get_object_or_404(Pipeline, pk=pipeline_pk)
    initial: dict[str, Any] = {"kind": "open", "may_skip": True, "color": "#2f6fed"}
    if stage is not None:
        initial = {name: getattr(stage, name) for name in services.STAGE_FIELDS}
        requirements = list(stage.requirements.all())
        initial["documents"] = [r.document for r in requirements if r.kind == "document"]
        initial["activity_kinds"] = [r.activity_kind_id for r in requirements if r.activity_kind_id]
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.stage_save(
                by=request.user, pipeline=pipeline, stage=stage, data=form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Этап «%(name)s» сохранён.") % {"name": saved.name})
            return redirect("sales:setup_pipelines")
    return render(
        request,
        "sales/setup/stage_form.html",
        {"form": form, "object": stage, "pipeline": pipeline},
    )


@administrator_required
@require_POST
def stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk)
    services.stage_move(by=request.user, stage=stage, direction=request.POST.get("direction", ""))
    return redirect(f"{reverse('sales:setup_pipelines')}#pipeline-{stage.pipeline_id}")


@administrator_required
@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk)
    name = stage.name
    try:
        services.stage_delete(by=request.user, stage=stage)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Этап «%(name)s» удалён.") % {"name": name})
    return redirect("sales:setup_pipelines")


@administrator_required
def lost_reason_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sales/setup/lost_reason_list.html",
        {"reasons": LostReason.objects.order_by("order", "name")},
    )


@administrator_required
def lost_reason_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_active": True, "order": 100}
    if reason is not None:
        initial = {name: getattr(reason, name) for name in services.LOST_REASON_FIELDS}
    form = LostReasonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.lost_reason_save(by=request.user, reason=reason, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Причина сохранена."))
            return redirect("sales:setup_lost_reasons")
    return render(request, "sales/setup/lost_reason_form.html", {"form": form, "object": reason})


@administrator_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = AutomationRule.objects.select_related(
        "pipeline", "stage", "activity_kind", "user"
    ).order_by("order", "id")
    return render(request, "sales/setup/rule_list.html", {"rules": rules})


@administrator_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AutomationRule, pk=pk) if pk else None
    initial: dict[str, Any] = {"is_active": True, "order": 100, "delay_working_days": 0}
    if rule is not None:
        initial = {name: getattr(rule, name) for name in services.RULE_FIELDS}
    form = AutomationRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.automation_rule_save(by=request.user, rule=rule, data=form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Автоматический шаг сохранён."))
            return redirect("sales:setup_rules")
    return render(request, "sales/setup/rule_form.html", {"form": form, "object": rule})


@administrator_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AutomationRule, pk=pk)
    try:
        services.automation_rule_delete(by=request.user, rule=rule)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:setup_rule_edit", pk=pk)
    messages.success(request, _("Автоматический шаг удалён."))
    return redirect("sales:setup_rules")

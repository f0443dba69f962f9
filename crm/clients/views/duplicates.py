"""Pages of the duplicate review: the pairs (or groups) the full scan found, the scan itself
with its progress, "не дубли", the side-by-side merge of two cards and its undo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.access import scope_condition
from crm.accounts.http import AuthenticatedRequest
from crm.clients.domain.normalize import format_phone
from crm.clients.models import Client, ClientStatus, ContactPerson
from crm.clients.selectors import duplicate_review as review
from crm.clients.services import duplicates as duplicate_services
from crm.clients.services import merge as merge_services
from crm.core.htmx import paginate, render_page_or_partial
from crm.core.models import Job, JobStatus

SCORE_FILTERS = (0, 70, 85, 95)
GROUPS_PER_PAGE = 20


def _min_score(request: AuthenticatedRequest) -> int:
    try:
        value = int(request.GET.get("min_score", "0"))
    except ValueError:
        return 0
    return max(0, min(100, value))


def _is_htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _scan_context(user: Any, job: Job | None = None) -> dict[str, Any]:
    """The scan panel: its state; the totals of the whole base only for who sees all of it."""
    job = job or review.latest_duplicate_scan()
    return {
        "scan": job,
        "scan_running": job is not None and _running(job.status),
        "scan_totals": scope_condition(user, Client) is None,
    }


def _running(status: str) -> bool:
    return status in (JobStatus.QUEUED, JobStatus.RUNNING)


@login_required
def duplicate_list(request: AuthenticatedRequest, what: str = "clients") -> HttpResponse:
    """NEW pairs the user may see, best first, filtered by the minimum score; clients also as
    groups of connected pairs (?view=groups)."""
    min_score = _min_score(request)
    view = request.GET.get("view", "pairs") if what == "clients" else "pairs"
    context: dict[str, Any] = {
        "what": what,
        "view": view,
        "min_score": min_score,
        "score_filters": SCORE_FILTERS,
        **_scan_context(request.user),
    }
    if what == "contacts":
        context["page"] = paginate(
            request, review.contact_duplicate_pairs(user=request.user, min_score=min_score)
        )
        partial = "clients/partials/_contact_duplicate_rows.html"
    elif view == "groups":
        groups = review.client_duplicate_groups(user=request.user, min_score=min_score)
        page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["groups"] = review.client_duplicate_group_page(
            user=request.user, groups=list(page.object_list), min_score=min_score
        )
        partial = "clients/partials/_duplicate_groups.html"
    else:
        context["page"] = paginate(
            request, review.client_duplicate_pairs(user=request.user, min_score=min_score)
        )
        partial = "clients/partials/_duplicate_rows.html"
    context["partial"] = partial
    return render_page_or_partial(request, "clients/duplicate_list.html", partial, context)


@login_required
@require_POST
def duplicate_scan_start(request: AuthenticatedRequest) -> HttpResponse:
    job = duplicate_services.duplicate_scan_start(by=request.user)
    if _is_htmx(request):
        return render(
            request, "clients/partials/_duplicate_scan.html", _scan_context(request.user, job)
        )
    messages.info(request, _("Поиск дублей запущен: он идёт в фоне, страницу можно закрыть."))
    return redirect("clients:duplicates")


@login_required
def duplicate_scan_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The scan's progress (polled by htmx while it runs); once it is done, the lists on the
    page reload themselves (the HX-Trigger event)."""
    job = review.duplicate_scan_job_get(pk)
    context = _scan_context(request.user, job)
    response = render(request, "clients/partials/_duplicate_scan.html", context)
    if not context["scan_running"] and request.GET.get("polling"):
        response["HX-Trigger"] = "duplicates-scan-done"
    return response


def _after_dismiss(request: AuthenticatedRequest, what: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("Пара отмечена: это не дубли."))
    url = reverse("clients:duplicates" if what == "clients" else "clients:contact_duplicates")
    return redirect(url)


@login_required
@require_POST
def client_duplicate_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pair = review.client_duplicate_get(user=request.user, pk=pk)
    duplicate_services.client_duplicate_dismiss(by=request.user, pair=pair)
    return _after_dismiss(request, "clients")


@login_required
@require_POST
def contact_duplicate_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pair = review.contact_duplicate_get(user=request.user, pk=pk)
    duplicate_services.contact_duplicate_dismiss(by=request.user, pair=pair)
    return _after_dismiss(request, "contacts")


# Merge ---------------------------------------------------------------------------------------


def _field(model: type[models.Model], name: str) -> models.Field:
    return cast(models.Field, model._meta.get_field(name))


def _display(card: models.Model, name: str) -> str:
    field = card._meta.get_field(name)
    value = getattr(card, name)
    if value in (None, ""):
        return ""
    if getattr(field, "choices", None):
        return str(getattr(card, f"get_{name}_display")())
    if name in ("phone", "mobile_phone"):
        return format_phone(value)
    if name == "owner":
        return str(value.full_name)
    if hasattr(value, "strftime"):
        return str(value.strftime("%d.%m.%Y"))
    return str(value)


def _merge_rows(
    kept: models.Model, merged: models.Model, fields: Sequence[str], chosen: dict[str, str]
) -> list[dict[str, Any]]:
    differing = set(merge_services.merge_differing_fields(kept, merged, fields))
    return [
        {
            "name": name,
            "label": str(_field(type(kept), name).verbose_name),
            "kept": _display(kept, name),
            "merged": _display(merged, name),
            "differs": name in differing,
            "choice": chosen.get(name, merge_services.KEPT),
        }
        for name in fields
    ]


def _moving(model: type[models.Model], card: models.Model) -> list[tuple[str, int]]:
    """What hangs on the card, by kind (what the merge moves): [(label, count)]."""
    counts = []
    for related, field in merge_services.references_to(model):
        count = related._base_manager.filter(**{field.attname: card.pk}).count()
        if count:
            counts.append((merge_services.relation_title(related), count))
    return counts


def _merge_page(
    request: AuthenticatedRequest,
    *,
    kind: str,
    kept: models.Model,
    merged: models.Model,
    fields: Sequence[str],
    merge_action: Any,
    swap_url: str,
) -> HttpResponse:
    defaults = merge_services.merge_default_choices(kept, merged, fields)
    chosen = dict(defaults)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        for name in fields:
            value = request.POST.get(f"choice_{name}")
            if value in (merge_services.KEPT, merge_services.MERGED):
                chosen[name] = value
        try:
            merge = merge_action(by=request.user, kept=kept, merged=merged, choices=chosen)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(
                request,
                _("Карточки объединены. Если это ошибка, объединение можно отменить."),
            )
            return redirect("clients:merge_detail", pk=merge.pk)
    unavailable = ""
    if kind == merge_services.KIND_CLIENT and ClientStatus.MERGED in (
        getattr(kept, "status", ""),
        getattr(merged, "status", ""),
    ):
        unavailable = _("Одна из карточек уже объединена с другой.")
    rows = _merge_rows(kept, merged, fields, chosen)
    for row in rows:
        row["errors"] = errors.get(row["name"], [])
    model = type(kept)
    return render(
        request,
        "clients/merge_form.html",
        {
            "kind": kind,
            "kept": kept,
            "merged": merged,
            "rows": [row for row in rows if row["differs"]],
            "same_rows": [row for row in rows if not row["differs"] and row["kept"]],
            "moving": _moving(model, merged),
            "errors": errors,
            "error_list": [message for messages_ in errors.values() for message in messages_],
            "swap_url": swap_url,
            "unavailable": unavailable,
        },
        status=400 if errors else 200,
    )


@login_required
def client_merge(request: AuthenticatedRequest, kept_pk: int, merged_pk: int) -> HttpResponse:
    """Side by side: for each differing field the user chooses which value stays."""
    if kept_pk == merged_pk:
        raise Http404
    kept = review.client_for_merge(user=request.user, pk=kept_pk)
    merged = review.client_for_merge(user=request.user, pk=merged_pk)
    return _merge_page(
        request,
        kind=merge_services.KIND_CLIENT,
        kept=kept,
        merged=merged,
        fields=merge_services.CLIENT_MERGE_FIELDS,
        merge_action=merge_services.client_merge,
        swap_url=reverse("clients:merge", args=[merged.pk, kept.pk]),
    )


@login_required
def contact_merge(request: AuthenticatedRequest, kept_pk: int, merged_pk: int) -> HttpResponse:
    if kept_pk == merged_pk:
        raise Http404
    kept = review.contact_get(user=request.user, pk=kept_pk)
    merged = review.contact_get(user=request.user, pk=merged_pk)
    return _merge_page(
        request,
        kind=merge_services.KIND_CONTACT,
        kept=kept,
        merged=merged,
        fields=merge_services.CONTACT_MERGE_FIELDS,
        merge_action=merge_services.contact_merge,
        swap_url=reverse("clients:contact_merge", args=[merged.pk, kept.pk]),
    )


def _raw_display(model: type[models.Model], name: str, value: Any) -> str:
    """A value as the Merge row keeps it (a reference as an id) shown as people read it."""
    if value in (None, ""):
        return "—"
    field = _field(model, name)
    if field.is_relation and field.related_model is not None:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if getattr(field, "choices", None):
        return str(dict(field.choices or []).get(value, value))
    return str(value)


@login_required
def merge_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    merge = review.merge_get(user=request.user, pk=pk)
    kept, merged = review.merge_cards(merge)
    model: type[models.Model] = (
        Client if merge.kind == merge_services.KIND_CLIENT else ContactPerson
    )
    moved = [
        (merge_services.relation_title(apps.get_model(label)), len(ids))
        for label, _name, ids in merge.moved
    ]
    changed = [
        {
            "label": str(_field(model, name).verbose_name),
            "before": _raw_display(model, name, merge.kept_before.get("fields", {}).get(name)),
        }
        for name in merge.kept_before.get("changed", [])
    ]
    return render(
        request,
        "clients/merge_detail.html",
        {
            "merge": merge,
            "kept": kept,
            "merged": merged,
            "moved": moved,
            "changed": changed,
            "is_client": merge.kind == merge_services.KIND_CLIENT,
        },
    )


@login_required
@require_POST
def merge_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    merge = review.merge_get(user=request.user, pk=pk)
    try:
        merge_services.merge_undo(by=request.user, merge=merge)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Объединение отменено: карточки снова раздельные."))
    return redirect("clients:merge_detail", pk=merge.pk)

"""Pages of the shell: dashboard, placeholders of sections to come, global search, the bell,
object history, the audit log and the job journal."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.core import registry, selectors, services
from crm.core.htmx import paginate, render_page_or_partial
from crm.core.models import AuditAction, AuditSource, JobStatus


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/dashboard.html",
        {
            "notifications": selectors.notifications_for(request.user)[:5],
            "sections": [s for s in registry.sections() if s.code != "dashboard"],
        },
    )


@login_required
def section_soon(request: HttpRequest, code: str) -> HttpResponse:
    section = registry.section(code)
    if section is None or section.url_name is not None:
        raise Http404
    return render(request, "core/section_soon.html", {"section": section})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    hits = registry.search_all(request.user, query) if len(query) >= 2 else []
    return render_page_or_partial(
        request,
        "core/search.html",
        "core/partials/_search_results.html",
        {"query": query, "hits": hits},
    )


@login_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    notifications = list(selectors.notifications_for(request.user)[:8])
    actions = registry.notification_actions(request.user, notifications)
    return render(
        request,
        "core/partials/_bell.html",
        {
            "unread": selectors.unread_notification_count(request.user),
            "notifications": [(n, actions.get(n.pk, [])) for n in notifications],
        },
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications_for(request.user), per_page=30)
    return render(request, "core/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)
    if getattr(request, "htmx", False):
        return notification_bell(request)
    return redirect("core:notifications")


@login_required
def object_history(request: HttpRequest, label: str, object_id: str) -> HttpResponse:
    access = registry.history_access(label)
    if access is None:
        raise Http404
    instance = access(request.user, object_id)
    entries = selectors.audit_history(instance)[:200]
    return render(
        request, "core/partials/_history.html", {"entries": entries, "instance": instance}
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@login_required
@permission_required("core.view_auditentry", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    params = request.GET
    entries = selectors.audit_log(
        actor_id=_int(params.get("actor", "")),
        content_type_id=_int(params.get("type", "")),
        action=params.get("action", "") if params.get("action") in AuditAction.values else "",
        source=params.get("source", "") if params.get("source") in AuditSource.values else "",
        date_from=_date(params.get("from", "")),
        date_to=_date(params.get("to", "")),
        query=params.get("q", "").strip()[:100],
    )
    from django.contrib.auth import get_user_model

    return render_page_or_partial(
        request,
        "core/audit_log.html",
        "core/partials/_audit_rows.html",
        {
            "page": paginate(request, entries),
            "actors": get_user_model().objects.order_by("last_name", "first_name"),
            "types": selectors.audited_content_types(),
            "actions": AuditAction.choices,
            "sources": AuditSource.choices,
            "params": params,
            "title": _("Журнал изменений"),
        },
    )


@login_required
@permission_required("core.view_job", raise_exception=True)
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in JobStatus.values else ""
    return render(
        request,
        "core/job_list.html",
        {
            "page": paginate(request, selectors.job_list(status=status)),
            "statuses": JobStatus.choices,
            "status": status,
        },
    )

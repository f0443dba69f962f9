"""Pages of the client import (upload → mapping → preview → apply) and the export of the
filtered client list to CSV/XLSX."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.access import visible_to
from crm.accounts.http import AuthenticatedRequest
from crm.clients.forms import ClientFilterForm
from crm.clients.forms_imports import ImportUploadForm
from crm.clients.models import Client, ImportBatch, ImportStatus
from crm.clients.selectors import lead_sources
from crm.clients.selectors.exports import client_export_rows, export_header, export_widths
from crm.clients.selectors.imports import (
    import_apply_job_of,
    import_batch_get,
    import_batches_of,
)
from crm.clients.services import imports as services
from crm.core.domain.spreadsheet import csv_lines, xlsx_bytes
from crm.core.forms import apply_errors as _form_errors
from crm.core.models import JobStatus

PREVIEW_LIST_LIMIT = 500  # errors and duplicates listed on the page; the rest are counted
PREVIEW_SAMPLE_ROWS = 20
MAPPING_SAMPLES = 3
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Size and type first, so a 500 MB file is refused before it is read.
            services.check_upload(upload.name, upload.size)
            batch = services.import_upload(
                by=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("clients:import_mapping", pk=batch.pk)
    return render(
        request,
        "clients/import_upload.html",
        {"form": form, "batches": import_batches_of(request.user)[:10]},
    )


def _mapping_columns(batch: ImportBatch, mapping: dict[str, str]) -> list[dict[str, Any]]:
    table = services.batch_table(batch)
    columns = []
    for index, _name in enumerate(table.header):
        samples = [row.cells[index] for row in table.rows[:MAPPING_SAMPLES] if row.cells[index]]
        columns.append(
            {
                "index": index,
                "title": services.column_title(table.header, index),
                "samples": samples,
                "selected": mapping.get(str(index), ""),
            }
        )
    return columns


@login_required
def import_mapping(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = import_batch_get(user=request.user, pk=pk)
    if batch.status == ImportStatus.APPLIED:
        return redirect("clients:import_preview", pk=batch.pk)
    mapping = dict(batch.mapping)
    errors: list[str] = []
    if request.method == "POST":
        width = len(services.batch_table(batch).header)
        mapping = {str(i): request.POST.get(f"column_{i}", "") for i in range(width)}
        mapping[services.OPTION_DEFAULT_SOURCE] = request.POST.get("source_default", "")
        try:
            services.import_set_mapping(by=request.user, batch=batch, mapping=mapping)
        except ValidationError as error:
            errors = [message for messages_ in error.message_dict.values() for message in messages_]
        else:
            return redirect("clients:import_preview", pk=batch.pk)
    fields = services.importable_fields(batch.kind, request.user)
    return render(
        request,
        "clients/import_mapping.html",
        {
            "batch": batch,
            "columns": _mapping_columns(batch, mapping),
            "fields": [(item.code, item.label) for item in fields],
            "required": [item.label for item in fields if item.required],
            "errors": errors,
            "can_assign_owner": services.can_assign_owner(request.user),
            "sources": lead_sources() if batch.kind == services.KIND_CLIENTS else [],
            "source_default": mapping.get(services.OPTION_DEFAULT_SOURCE, ""),
        },
    )


def _preview_context(preview: services.ImportPreview, skip_duplicates: bool) -> dict[str, Any]:
    errors = preview.errors
    duplicates = preview.duplicates
    alike = preview.alike
    return {
        "batch": preview.batch,
        "preview": preview,
        "fields": preview.mapped_fields,
        "errors": errors[:PREVIEW_LIST_LIMIT],
        "errors_count": len(errors),
        "error_rows_count": len({error.row for error in errors}),
        "duplicates": duplicates[:PREVIEW_LIST_LIMIT],
        "duplicates_count": len(duplicates),
        "alike": alike[:PREVIEW_LIST_LIMIT],
        "alike_count": len(alike),
        "sample": preview.rows[:PREVIEW_SAMPLE_ROWS],
        "rows_count": len(preview.rows),
        "create_count": len(preview.to_create(skip_duplicates=True)),
        "create_all_count": len(preview.rows),
        "skip_duplicates": skip_duplicates,
        "list_limit": PREVIEW_LIST_LIMIT,
        "in_background": len(preview.rows) > services.INLINE_APPLY_ROWS,
    }


@login_required
def import_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = import_batch_get(user=request.user, pk=pk)
    job = import_apply_job_of(batch)
    running = job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    if request.htmx:
        # The waiting page asks every few seconds: nothing to do until the worker is done.
        if running:
            return HttpResponse(status=204)
        return HttpResponse(headers={"HX-Refresh": "true"})
    if running:
        return render(request, "clients/import_running.html", {"batch": batch, "job": job})
    if batch.status == ImportStatus.APPLIED:
        return _import_result(request, batch)
    try:
        preview = services.import_preview(by=request.user, batch=batch)
    except ValidationError:
        # The mapping no longer fits (cannot happen through the pages): choose it again.
        return redirect("clients:import_mapping", pk=batch.pk)
    context = _preview_context(preview, True)
    context["job_failed"] = job is not None and job.status == JobStatus.FAILED
    return render(request, "clients/import_preview.html", context)


@login_required
@require_POST
def import_apply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = import_batch_get(user=request.user, pk=pk)
    skip_duplicates = request.POST.get("skip_duplicates") == "on"
    if batch.rows_total > services.INLINE_APPLY_ROWS:
        try:
            services.import_apply_enqueue(
                by=request.user, batch=batch, skip_duplicates=skip_duplicates
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("clients:import_preview", pk=batch.pk)
    try:
        preview = services.import_apply(
            by=request.user, batch=batch, skip_duplicates=skip_duplicates
        )
    except services.ImportRejected as rejected:
        messages.error(request, rejected.messages[0])
        context = _preview_context(rejected.preview, skip_duplicates)
        return render(request, "clients/import_preview.html", context, status=400)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clients:import_preview", pk=batch.pk)
    messages.success(
        request,
        _("Загружено: %(created)s, пропущено дублей: %(skipped)s.")
        % {"created": len(preview.created_ids), "skipped": len(preview.skipped_rows)},
    )
    return redirect("clients:import_preview", pk=batch.pk)


def _import_result(request: AuthenticatedRequest, batch: ImportBatch) -> HttpResponse:
    created: list[Any] = []
    if batch.kind == services.KIND_CLIENTS:
        created = list(
            visible_to(request.user, Client.objects.filter(pk__in=batch.created_ids[:50]))
            .select_related("owner")
            .order_by("name")
        )
    return render(
        request,
        "clients/import_result.html",
        {"batch": batch, "created": created, "created_count": len(batch.created_ids)},
    )


# --- Export --------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


def _chunked(lines: Iterable[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """Lines joined into blocks of about `size` bytes: fewer writes to the socket."""
    buffer: list[str] = []
    length = 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def export_file_name(file_format: str) -> str:
    return _("Клиенты %(date)s.%(ext)s") % {
        "date": timezone.localdate().isoformat(),
        "ext": file_format,
    }


def client_export_response(user: Any, params: Any, file_format: str) -> HttpResponseBase:
    """The filtered client list (the list page's filters, read from `params`) as a file."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    filters = ClientFilterForm.for_user(user, params).to_filter()
    rows = client_export_rows(user=user, filters=filters)
    disposition = content_disposition_header(True, export_file_name(file_format))
    response: HttpResponseBase
    if file_format == "csv":
        response = StreamingHttpResponse(
            _chunked(csv_lines(export_header(), rows)), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            xlsx_bytes(export_header(), rows, title=_("Клиенты"), widths=export_widths()),
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    return response


@login_required
def client_export(request: AuthenticatedRequest, file_format: str) -> HttpResponseBase:
    return client_export_response(request.user, request.GET, file_format)

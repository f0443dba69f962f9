"""Import and export of clients through the API, with the services and access rules of the
pages:

- POST /api/v1/clients/import/ — multipart: `file` (CSV/XLSX up to 10 МБ), `kind` (clients |
  contacts), optional `mapping` (JSON: {"column title or 0-based index": "field code"}; by
  default guessed from the header), `apply` (true: write all rows or none), `skip_duplicates`
  (default true). Answers the preview: per-row errors with row numbers, duplicates.
- POST /api/v1/clients/import/{id}/apply/ — apply a batch previewed before.
- GET /api/v1/clients/export.csv | export.xlsx — the filtered list (the list page's query
  parameters), only the clients the user may see."""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import renderers, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.accounts.models import User
from crm.clients.models import ImportBatch
from crm.clients.selectors import lead_sources
from crm.clients.selectors.imports import import_apply_job_of, import_batch_get
from crm.clients.services import imports as services
from crm.clients.views.imports import XLSX_CONTENT_TYPE, client_export_response

TRUE_VALUES = {"1", "true", "yes", "on", "да"}


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 или windows-1251, «;» или «,») или XLSX")
    kind = serializers.CharField(
        default="clients", help_text="clients — клиенты, contacts — контактные лица"
    )
    mapping = serializers.CharField(
        required=False,
        help_text='JSON: {"ИНН": "inn", "Наименование": "name"} — колонка (название или '
        "номер с нуля) → код поля; ключ source_default — источник (id или название) для "
        "строк без него. По умолчанию угадывается по заголовкам.",
    )
    apply = serializers.BooleanField(default=False, help_text="Загрузить: всё или ничего")
    skip_duplicates = serializers.BooleanField(default=True)


class ApplyRequestSerializer(serializers.Serializer):
    skip_duplicates = serializers.BooleanField(default=True)


class ExistingSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null — карточка вам не видна")
    name = serializers.CharField()
    owner = serializers.CharField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicateSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    existing = ExistingSerializer(allow_null=True)
    repeats_row = serializers.IntegerField(allow_null=True)
    repeats_reasons = serializers.ListField(child=serializers.CharField())


class ColumnSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    title = serializers.CharField()
    field = serializers.CharField(allow_blank=True)


ImportResultSerializer = inline_serializer(
    name="ImportResult",
    fields={
        "batch": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "file_name": serializers.CharField(),
        "status": serializers.CharField(),
        "rows_total": serializers.IntegerField(),
        "columns": ColumnSerializer(many=True),
        "errors": inline_serializer(
            name="ImportRowError",
            many=True,
            fields={
                "row": serializers.IntegerField(
                    help_text="Номер строки в файле (заголовок — строка 1)"
                ),
                "field": serializers.CharField(),
                "label": serializers.CharField(),
                "message": serializers.CharField(),
                "text": serializers.CharField(help_text="«Строка 7, ИНН: …»"),
            },
        ),
        "duplicates": DuplicateSerializer(many=True),
        "to_create": serializers.IntegerField(),
        "applied": serializers.BooleanField(),
        "created_ids": serializers.ListField(child=serializers.IntegerField()),
        "skipped_rows": serializers.ListField(child=serializers.IntegerField()),
    },
)


BatchStateSerializer = inline_serializer(
    name="ImportBatchState",
    fields={
        "batch": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "file_name": serializers.CharField(),
        "status": serializers.CharField(help_text="uploaded, previewed, applied, failed"),
        "rows_total": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "created_ids": serializers.ListField(child=serializers.IntegerField()),
        "job": inline_serializer(
            name="ImportJob",
            allow_null=True,
            fields={"id": serializers.IntegerField(), "status": serializers.CharField()},
        ),
    },
)


def _flag(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_VALUES


def _mapping_from(text: str, header: tuple[str, ...]) -> dict[str, str]:
    """{"ИНН": "inn"} or {"0": "inn"} → {"0": "inn"}."""
    try:
        given = json.loads(text)
    except ValueError as error:
        raise ValidationError({"mapping": [_("Соответствие колонок — не JSON")]}) from error
    if not isinstance(given, dict):
        raise ValidationError({"mapping": [_("Соответствие колонок — не JSON-объект")]})
    mapping: dict[str, str] = {}
    for column, code in given.items():
        column = str(column)
        if column == services.OPTION_DEFAULT_SOURCE:
            mapping[column] = _source_id(str(code or ""))
            continue
        if column in header:
            index = header.index(column)
        elif column.isdigit():
            index = int(column)
        else:
            raise ValidationError(
                {"mapping": [str(services.ERROR_MAPPING_COLUMN % {"column": column})]}
            )
        mapping[str(index)] = str(code or "")
    return mapping


def _source_id(value: str) -> str:
    """The lead source for rows without one, given by id or by name."""
    if value.isdigit() or not value:
        return value
    source = lead_sources().filter(name__iexact=value.strip()).first()
    if source is None:
        raise ValidationError({"mapping": [str(services.ERROR_UNKNOWN_SOURCE % {"value": value})]})
    return str(source.pk)


def preview_data(preview: services.ImportPreview, skip_duplicates: bool) -> dict[str, Any]:
    batch = preview.batch
    mapping = batch.mapping
    duplicates = []
    for row in preview.duplicates:
        like = row.duplicate_of
        existing = None
        if like is not None:
            existing = {
                "id": like.id if like.visible else None,
                "name": like.name,
                "owner": like.owner,
                "score": like.score,
                "reasons": list(like.reasons),
            }
        duplicates.append(
            {
                "row": row.number,
                "existing": existing,
                "repeats_row": row.repeats_row,
                "repeats_reasons": list(row.repeats_reasons),
            }
        )
    return {
        "batch": batch.pk,
        "kind": batch.kind,
        "file_name": batch.file_name,
        "status": batch.status,
        "rows_total": len(preview.rows),
        "columns": [
            {
                "index": index,
                "title": services.column_title(preview.header, index),
                "field": mapping.get(str(index), ""),
            }
            for index in range(len(preview.header))
        ],
        "errors": [{**error.as_json(), "text": error.text} for error in preview.errors],
        "duplicates": duplicates,
        "to_create": len(preview.to_create(skip_duplicates=skip_duplicates)),
        "applied": bool(preview.created_ids) or batch.status == "applied",
        "created_ids": preview.created_ids,
        "skipped_rows": preview.skipped_rows,
    }


def batch_state(batch: ImportBatch) -> dict[str, Any]:
    """What is known of a batch without checking its rows again (for a background apply)."""
    job = import_apply_job_of(batch)
    return {
        "batch": batch.pk,
        "kind": batch.kind,
        "file_name": batch.file_name,
        "status": batch.status,
        "rows_total": batch.rows_total,
        "errors": [
            {**error, "text": str(services.ROW_ERROR % {**error, "field": error["label"]})}
            for error in batch.errors
        ],
        "created_ids": batch.created_ids,
        "job": {"id": job.pk, "status": job.status} if job else None,
    }


def _apply(user: User, batch: ImportBatch, skip_duplicates: bool) -> Response:
    if batch.rows_total > services.INLINE_APPLY_ROWS:
        services.import_apply_enqueue(by=user, batch=batch, skip_duplicates=skip_duplicates)
        return Response(batch_state(batch), status=status.HTTP_202_ACCEPTED)
    try:
        preview = services.import_apply(by=user, batch=batch, skip_duplicates=skip_duplicates)
    except services.ImportRejected as rejected:
        rejected.preview.batch.refresh_from_db()
        body = preview_data(rejected.preview, skip_duplicates)
        body["error"] = {"code": "import_invalid", "message": rejected.messages[0], "fields": {}}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(preview_data(preview, skip_duplicates), status=status.HTTP_201_CREATED)


class ClientImportView(APIView):
    """Upload a file, check it (and with `apply=true` load it, all rows or none)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(ImportResultSerializer, description="Проверка без загрузки"),
            201: OpenApiResponse(ImportResultSerializer, description="Загружено"),
            202: OpenApiResponse(
                BatchStateSerializer, description="Больше 300 строк: загружается в фоне"
            ),
            400: OpenApiResponse(
                ImportResultSerializer, description="Файл не принят или в строках ошибки"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        data: Any = request.data
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Приложите файл CSV или XLSX")]})
        services.check_upload(upload.name or "", upload.size or 0)
        batch = services.import_upload(
            by=user,
            kind=str(data.get("kind") or services.KIND_CLIENTS),
            file_name=upload.name or "",
            content=upload.read(),
        )
        if mapping_text := data.get("mapping"):
            header = services.batch_table(batch).header
            mapping = _mapping_from(str(mapping_text), header)
            services.import_set_mapping(by=user, batch=batch, mapping=mapping)
        skip_duplicates = _flag(data.get("skip_duplicates"), True)
        if _flag(data.get("apply"), False):
            return _apply(user, batch, skip_duplicates)
        preview = services.import_preview(by=user, batch=batch)
        return Response(preview_data(preview, skip_duplicates))


class ClientImportDetailView(APIView):
    """The state of one of your import batches: status, errors kept from the last check or
    apply, created ids, and the background apply of a large file."""

    @extend_schema(responses=BatchStateSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(batch_state(import_batch_get(user=request.user, pk=pk)))


class ClientImportApplyView(APIView):
    """Load a batch checked before (only your own batches). A file of more than 300 rows is
    loaded by the worker: the answer is 202 and GET …/import/{id}/ tells when it is done."""

    @extend_schema(
        request=ApplyRequestSerializer,
        responses={
            201: ImportResultSerializer,
            202: BatchStateSerializer,
            400: ImportResultSerializer,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = cast(User, request.user)
        batch = import_batch_get(user=user, pk=pk)
        data: Any = request.data
        return _apply(user, batch, _flag(data.get("skip_duplicates"), True))


class CSVFileRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


class XLSXFileRenderer(CSVFileRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class ClientExportView(APIView):
    """The client list filtered like the list page (q, kind, status, owner, department,
    source, industry, tags, region, size, needs_completion, created_from, created_to, sort),
    as CSV for Excel (UTF-8 with BOM, «;») or XLSX. Text that a spreadsheet would take for a
    formula is written with a quote in front."""

    renderer_classes = [renderers.JSONRenderer, CSVFileRenderer, XLSXFileRenderer]
    file_format = "csv"

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, required=False)
            for name in ("q", "kind", "status", "owner", "department", "source", "industry")
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        return client_export_response(request.user, request.query_params, self.file_format)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response):  # an error: always JSON
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

"""/api/v1/deals/: the same selectors and services as the pages.

- list (filters: pipeline, stage, manager, source, client, status, stuck, q, created_from,
  created_to), retrieve, create, update (PATCH/PUT);
- POST {id}/move/ {"stage": id or code, "data": {...}, "comment": ""} → 200 with the deal, or
  400 {"problems": [{"code", "message", "field"}], "error": {...}} in Russian, nothing changed;
- POST {id}/close-lost/ {"reason": id, "comment": ""}, POST {id}/reopen/;
- PUT {id}/lines/ {"lines": [...]}, POST {id}/link-activity/ {"activity": id};
- GET {id}/stage-changes/ — the stage history.

The number, status, department and stage are not writable by create/update: a stage changes
through move/close-lost/reopen; the manager only by someone who may give the deal away (the
service checks). Another user's deal answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import URLPattern
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.activities.models import Activity
from crm.clients.models import Client
from crm.sales.api.common import query_int
from crm.sales.domain.rules import CODE_UNKNOWN_STAGE, MESSAGE_UNKNOWN_STAGE, Problem
from crm.sales.models import Deal, DealLine, DealStageChange, LostReason, Stage
from crm.sales.selectors import deals as selectors
from crm.sales.selectors.deals import DealFilter
from crm.sales.services import deals as services
from crm.sales.services.deals import StageMoveError, problems_payload

ERROR_NOT_WRITABLE = gettext_lazy(
    "Поле «%(field)s» здесь не меняется: этап — действием перехода, отдел — вместе с "
    "ответственным, номер и состояние — сами"
)
ERROR_BODY = gettext_lazy("Ожидался объект JSON")
ERROR_LINES = gettext_lazy("Ожидался список строк")
ERROR_REASON_REQUIRED = gettext_lazy("Укажите причину проигрыша")
ERROR_PROBLEMS = gettext_lazy("Переход невозможен")

READ_ONLY_INPUT = ("number", "status", "department", "stage", "closed_at", "lost_reason")
WRITABLE_CREATE = (*services.DEAL_EDITABLE_FIELDS, "pipeline", "stage")

LIST_PARAMETERS = [
    OpenApiParameter("pipeline", int),
    OpenApiParameter("stage", int),
    OpenApiParameter("manager", int),
    OpenApiParameter("source", int),
    OpenApiParameter("client", int),
    OpenApiParameter("status", str, enum=["open", "won", "lost"]),
    OpenApiParameter("stuck", bool, description="Срок этапа истёк"),
    OpenApiParameter("q", str, description="Номер, название или клиент"),
    OpenApiParameter("created_from", dt.date),
    OpenApiParameter("created_to", dt.date),
]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from_query(params: Any) -> DealFilter:
    stuck = params.get("stuck")
    return DealFilter(
        pipeline_id=query_int(params.get("pipeline")),
        stage_id=query_int(params.get("stage")),
        manager_id=query_int(params.get("manager")),
        source_id=query_int(params.get("source")),
        client_id=query_int(params.get("client")),
        status=params.get("status") or None,
        stuck=None if stuck in (None, "") else stuck in ("1", "true", "True", "yes"),
        query=(params.get("q") or "")[:100] or None,
        created_from=_date(params.get("created_from")),
        created_to=_date(params.get("created_to")),
    )


# --- serializers ------------------------------------------------------------------------------


class DealLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealLine
        fields = ("id", "product", "name", "quantity", "unit_name", "price", "order")
        read_only_fields = fields


class DealSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    stage_code = serializers.CharField(source="stage.code", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    manager_name = serializers.CharField(source="manager.short_name", read_only=True)
    lines = DealLineSerializer(many=True, read_only=True)

    class Meta:
        model = Deal
        fields = (
            "id",
            "number",
            "title",
            "client",
            "client_name",
            "contact",
            "pipeline",
            "stage",
            "stage_code",
            "stage_name",
            "status",
            "amount",
            "currency",
            "expected_close_date",
            "source",
            "manager",
            "manager_name",
            "department",
            "co_executors",
            "description",
            "first_step",
            "stage_entered_at",
            "stage_deadline",
            "lost_reason",
            "lost_comment",
            "closed_at",
            "created_at",
            "updated_at",
            "lines",
        )
        read_only_fields = fields


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage_name = serializers.CharField(source="from_stage.name", default=None)
    to_stage_name = serializers.CharField(source="to_stage.name")
    changed_by_name = serializers.CharField(source="changed_by.short_name", default=None)

    class Meta:
        model = DealStageChange
        fields = (
            "id",
            "from_stage",
            "from_stage_name",
            "to_stage",
            "to_stage_name",
            "changed_at",
            "changed_by",
            "changed_by_name",
            "seconds_in_stage",
            "working_days_in_stage",
            "skipped",
            "automatic",
            "comment",
        )
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="id или код этапа воронки сделки")
    data = serializers.DictField(required=False)  # type: ignore[assignment]
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CloseLostSerializer(serializers.Serializer):
    reason = serializers.IntegerField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class LinesSerializer(serializers.Serializer):
    lines = serializers.ListField(child=serializers.DictField())


class LinkActivitySerializer(serializers.Serializer):
    activity = serializers.IntegerField()


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ProblemsSerializer(serializers.Serializer):
    problems = ProblemSerializer(many=True)


# --- the viewset ------------------------------------------------------------------------------


def _problems_response(problems: list[Problem]) -> Response:
    payload = problems_payload(problems)
    fields: dict[str, list[str]] = {}
    for problem in payload:
        fields.setdefault(problem["field"] or "non_field_errors", []).append(problem["message"])
    return Response(
        {
            "problems": payload,
            "error": {
                "code": "invalid",
                "message": " ".join(problem["message"] for problem in payload)
                or str(ERROR_PROBLEMS),
                "fields": fields,
            },
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [ERROR_BODY]})
    return dict(request.data)


class DealViewSet(viewsets.GenericViewSet):
    """Deals the current user may see."""

    queryset = Deal.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = DealSerializer
    filter_backends: list[Any] = []

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self) -> Any:
        filters = filters_from_query(self.request.query_params)
        return selectors.deal_list(user=self.user, filters=filters).prefetch_related(
            "co_executors", Prefetch("lines", queryset=DealLine.objects.order_by("order", "id"))
        )

    def get_object(self) -> Deal:
        return selectors.deal_for(self.user, self.kwargs["pk"])

    def _read(self, deal: Deal) -> dict[str, Any]:
        return cast(dict[str, Any], DealSerializer(self.get_object_fresh(deal)).data)

    def get_object_fresh(self, deal: Deal) -> Deal:
        return (
            Deal.objects.select_related(*selectors.CARD_RELATED)
            .prefetch_related("co_executors", "lines")
            .get(pk=deal.pk)
        )

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DealSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self._read(self.get_object()))

    def create(self, request: Request) -> Response:
        body = _body(request)
        errors: dict[str, list[Any]] = {}
        for name in body:
            if name in READ_ONLY_INPUT and name != "stage":
                errors.setdefault(name, []).append(ERROR_NOT_WRITABLE % {"field": name})
        client = None
        client_id = query_int(body.pop("client", None))
        if client_id is not None:
            client = visible_to(self.user, Client.objects.filter(pk=client_id)).first()
        if client is None:
            errors.setdefault("client", []).append(services.ERROR_CLIENT_NOT_FOUND)
        if errors:
            raise ValidationError(errors)
        lines = body.pop("lines", None)
        if lines is not None and not isinstance(lines, list):
            raise ValidationError({"lines": [ERROR_LINES]})
        deal = services.deal_create(by=self.user, client=client, data=body, lines=lines)
        return Response(self._read(deal), status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        deal = self.get_object()
        body = _body(request)
        errors: dict[str, list[Any]] = {}
        for name in body:
            if name in READ_ONLY_INPUT or name in ("client", "pipeline", "id"):
                errors.setdefault(name, []).append(ERROR_NOT_WRITABLE % {"field": name})
        if errors:
            raise ValidationError(errors)
        deal = services.deal_update(deal=deal, by=self.user, data=body)
        return Response(self._read(deal))

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk, partial=True)

    def _stage(self, deal: Deal, value: Any) -> Stage | None:
        """A stage by id (any pipeline: the checks refuse another pipeline's) or by code."""
        stage_id = query_int(value)
        if stage_id is not None:
            return Stage.objects.filter(pk=stage_id).first()
        return Stage.objects.filter(pipeline_id=deal.pipeline_id, code=str(value)).first()

    @extend_schema(request=MoveSerializer, responses={200: DealSerializer, 400: ProblemsSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stage = self._stage(deal, data["stage"])
        if stage is None:
            return _problems_response(
                [Problem(CODE_UNKNOWN_STAGE, _(MESSAGE_UNKNOWN_STAGE), "stage")]
            )
        try:
            deal = services.deal_move_to_stage(
                deal=deal,
                stage=stage,
                by=self.user,
                data=data.get("data") or {},
                comment=data.get("comment", ""),
            )
        except StageMoveError as error:
            return _problems_response(error.problems)
        return Response(self._read(deal))

    @extend_schema(responses={200: ProblemsSerializer})
    @action(detail=True, methods=["get"], url_path="move-check")
    def move_check(self, request: Request, pk: str | None = None) -> Response:
        """The problems a move to `?stage=` would meet now (empty list: allowed)."""
        deal = self.get_object()
        stage = self._stage(deal, request.query_params.get("stage"))
        if stage is None:
            problems = [Problem(CODE_UNKNOWN_STAGE, _(MESSAGE_UNKNOWN_STAGE), "stage")]
        else:
            problems = services.deal_move_check(deal=deal, stage=stage)
        return Response({"problems": problems_payload(problems)})

    @extend_schema(
        request=CloseLostSerializer, responses={200: DealSerializer, 400: ProblemsSerializer}
    )
    @action(detail=True, methods=["post"], url_path="close-lost")
    def close_lost(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        serializer = CloseLostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reason = None
        if data.get("reason") is not None:
            reason = LostReason.objects.filter(pk=data["reason"], is_active=True).first()
            if reason is None:
                return _problems_response(
                    [Problem("invalid", str(services.ERROR_LOST_REASON), "lost_reason")]
                )
        try:
            deal = services.deal_close_lost(
                deal=deal, by=self.user, reason=reason, comment=data.get("comment", "")
            )
        except StageMoveError as error:
            return _problems_response(error.problems)
        return Response(self._read(deal))

    @extend_schema(request=None, responses={200: DealSerializer, 400: ProblemsSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        try:
            deal = services.deal_reopen(deal=deal, by=self.user)
        except StageMoveError as error:
            return _problems_response(error.problems)
        return Response(self._read(deal))

    @extend_schema(request=LinesSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["put"])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        serializer = LinesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.deal_set_lines(deal=deal, by=self.user, lines=serializer.validated_data["lines"])
        return Response(self._read(deal))

    @extend_schema(request=LinkActivitySerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"], url_path="link-activity")
    def link_activity(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        serializer = LinkActivitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = visible_to(
            self.user, Activity.objects.filter(pk=serializer.validated_data["activity"])
        ).first()
        if activity is None:
            raise ValidationError({"activity": [services.ERROR_ACTIVITY_NOT_FOUND]})
        services.deal_link_activity(deal=deal, activity=activity, by=self.user)
        return Response(self._read(deal))

    @extend_schema(responses={200: StageChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="stage-changes")
    def stage_changes(self, request: Request, pk: str | None = None) -> Response:
        deal = self.get_object()
        return Response(StageChangeSerializer(selectors.deal_timeline(deal), many=True).data)


def register(router: Any) -> None:
    router.register("deals", DealViewSet, basename="deal")


urlpatterns: list[URLPattern] = []

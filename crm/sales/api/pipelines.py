"""/api/v1/ of the sale-process settings — the same services as the settings pages. Everyone
logged in reads; only administrators write (others get 403).

- pipelines/ — list (with their stages in order), retrieve, create (gets the starting stages
  «Новая», «Успех», «Проигрыш»), update (PUT/PATCH);
- stages/ — list (?pipeline=), retrieve, create (pipeline: id), update, delete; POST
  stages/{id}/move/ {"direction": "up" | "down"};
- lost-reasons/ — list, retrieve (?active=1: only those in use).

Bad input answers 400 with Russian messages per field; nothing is changed."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.sales.api import common
from crm.sales.documents import document_title
from crm.sales.models import LostReason, Pipeline, RequirementKind, Stage, StageRequirement
from crm.sales.services import setup as services

ERROR_NOT_ADMINISTRATOR = _("Изменять воронки продаж может только администратор")
ERROR_DIRECTION = _("Направление — «up» или «down»")


class AdministratorWrites(common.AdministratorWrites):
    message = ERROR_NOT_ADMINISTRATOR


_bool = common.bool_field


def _list(label: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(),
        required=False,
        error_messages={"not_a_list": _("Поле «%(field)s»: ожидался список") % {"field": label}},
    )


class RequirementSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()

    class Meta:
        model = StageRequirement
        fields = ("kind", "document", "activity_kind", "title")
        read_only_fields = fields

    def get_title(self, requirement: StageRequirement) -> str:
        if requirement.kind == RequirementKind.DOCUMENT:
            return document_title(requirement.document)
        return str(requirement.activity_kind)


class StageSerializer(serializers.ModelSerializer):
    requirements = RequirementSerializer(many=True, read_only=True)

    class Meta:
        model = Stage
        fields = (
            "id",
            "pipeline",
            "code",
            "name",
            "order",
            "kind",
            "probability",
            "time_limit_days",
            "may_skip",
            "required_fields",
            "color",
            "requirements",
        )
        read_only_fields = fields


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ("id", "code", "name", "order", "is_default", "is_active", "stages")
        read_only_fields = fields


class PipelineWriteSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    code = serializers.CharField(required=False, allow_blank=True)
    order = serializers.CharField(required=False, allow_blank=True)
    is_default = _bool(_("По умолчанию"))
    is_active = _bool(_("Используется"))


class StageWriteSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    code = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False, allow_blank=True)
    probability = serializers.CharField(required=False, allow_blank=True)
    time_limit_days = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    may_skip = _bool(_("Можно пройти неявно"))
    required_fields = _list(_("Обязательно заполнить для выхода"))
    color = serializers.CharField(required=False, allow_blank=True)
    documents = _list(_("Документы"))
    activity_kinds = _list(_("Виды событий"))


def _value(request: Request, name: str) -> str:
    data = request.data
    return str(data.get(name, "")) if hasattr(data, "get") else ""


def _stages() -> QuerySet[Stage]:
    return Stage.objects.prefetch_related(
        Prefetch(
            "requirements",
            queryset=StageRequirement.objects.select_related("activity_kind").order_by("id"),
        )
    ).order_by("order", "id")


def _stage_data(stage: Stage) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(stage, name) for name in services.STAGE_FIELDS}
    requirements = list(stage.requirements.all())
    data["documents"] = [r.document for r in requirements if r.kind == RequirementKind.DOCUMENT]
    data["activity_kinds"] = [r.activity_kind_id for r in requirements if r.activity_kind_id]
    return data


class PipelineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Pipelines in their order, each with its stages in order and their requirements."""

    serializer_class = PipelineSerializer
    permission_classes = [AdministratorWrites]
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Pipeline]:
        return Pipeline.objects.prefetch_related(Prefetch("stages", queryset=_stages())).order_by(
            "order", "name"
        )

    def _save(self, request: Request, pipeline: Pipeline | None, partial: bool) -> Pipeline:
        serializer = PipelineWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if pipeline is not None:
            current = {name: getattr(pipeline, name) for name in services.PIPELINE_FIELDS}
            data = current | data
        saved = services.pipeline_save(by=request.user, pipeline=pipeline, data=data)
        return self.get_queryset().get(pk=saved.pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pipeline = self._save(request, None, partial=False)
        return Response(PipelineSerializer(pipeline).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pipeline = self._save(request, self.get_object(), partial=bool(kwargs.get("partial")))
        return Response(PipelineSerializer(pipeline).data)


class StageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Stages; ?pipeline= (id) narrows the list to one pipeline."""

    serializer_class = StageSerializer
    permission_classes = [AdministratorWrites]
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Stage]:
        stages = _stages().order_by("pipeline__order", "pipeline_id", "order", "id")
        pipeline = self.request.query_params.get("pipeline", "")
        if self.action == "list" and pipeline.isdigit():
            stages = stages.filter(pipeline_id=int(pipeline))
        return stages

    def _write_data(self, request: Request, partial: bool) -> dict[str, Any]:
        serializer = StageWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pipeline_id = _value(request, "pipeline")
        pipeline = (
            Pipeline.objects.filter(pk=int(pipeline_id)).first() if pipeline_id.isdigit() else None
        )
        if pipeline is None:
            raise serializers.ValidationError(
                {"pipeline": [_("Нет такой воронки: %(id)s") % {"id": pipeline_id or "—"}]}
            )
        data = self._write_data(request, partial=False)
        stage = services.stage_save(by=request.user, pipeline=pipeline, stage=None, data=data)
        return Response(
            StageSerializer(self.get_queryset().get(pk=stage.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stage = self.get_object()
        data = _stage_data(stage) | self._write_data(request, partial=bool(kwargs.get("partial")))
        services.stage_save(by=request.user, pipeline=stage.pipeline, stage=stage, data=data)
        return Response(StageSerializer(self.get_queryset().get(pk=stage.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.stage_delete(by=request.user, stage=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        direction = _value(request, "direction")
        if direction not in ("up", "down"):
            raise serializers.ValidationError({"direction": [ERROR_DIRECTION]})
        stage = self.get_object()
        services.stage_move(by=request.user, stage=stage, direction=direction)
        stages = self.get_queryset().filter(pipeline=stage.pipeline_id)
        return Response(StageSerializer(stages, many=True).data)


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ("id", "name", "order", "is_active")
        read_only_fields = fields


class LostReasonViewSet(viewsets.ReadOnlyModelViewSet):
    """Reasons a deal is lost; ?active=1 — only those in use."""

    serializer_class = LostReasonSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[LostReason]:
        reasons = LostReason.objects.order_by("order", "name")
        if self.request.query_params.get("active") == "1":
            reasons = reasons.filter(is_active=True)
        return reasons


def register(router: Any) -> None:
    router.register("pipelines", PipelineViewSet, basename="pipeline")
    router.register("stages", StageViewSet, basename="stage")
    router.register("lost-reasons", LostReasonViewSet, basename="lost-reason")


urlpatterns: list[URLPattern] = []

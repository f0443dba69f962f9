"""/api/v1/activities/ and /api/v1/activity-kinds/: the same selectors and services as the
pages. Another user's activity answers 404; bad input answers 400 naming the field in Russian."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.models import User
from crm.activities.api.serializers import (
    ActivityKindSerializer,
    ActivitySerializer,
    ActivityWriteSerializer,
    CancelSerializer,
    CompleteSerializer,
    CountsSerializer,
    RescheduleSerializer,
)
from crm.activities.models import Activity, ActivityKind, Reminder
from crm.activities.selectors import activities as selectors
from crm.activities.selectors.activities import TABS, ActivityFilter
from crm.activities.services import activities as services

LIST_PARAMETERS = [
    OpenApiParameter("tab", str, enum=[*TABS], description="Рабочий список"),
    OpenApiParameter("scope", str, enum=["mine", "department"], description="Мои или отдела"),
    OpenApiParameter("kind", str, description="Код вида: call, meeting…"),
    OpenApiParameter("client", int),
    OpenApiParameter("employee", int, description="Ответственный (для scope=department)"),
    OpenApiParameter("status", str, enum=["planned", "done", "cancelled"]),
    OpenApiParameter("direction", str, enum=["incoming", "outgoing", "none"]),
    OpenApiParameter("date_from", dt.date),
    OpenApiParameter("date_to", dt.date),
    OpenApiParameter("q", str, description="Тема или клиент"),
]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from_query(params: Any, user: User) -> ActivityFilter:
    kind_id = None
    kind = params.get("kind", "")
    if kind:
        kind_id = (
            _int(kind)
            or ActivityKind.objects.filter(code=kind).values_list("pk", flat=True).first()
            or -1
        )
    department = params.get("scope") == "department" and selectors.sees_department(user)
    return ActivityFilter(
        tab=params.get("tab", "") if params.get("tab") in TABS else "",
        department=department,
        kind_id=kind_id,
        client_id=_int(params.get("client")),
        employee_id=_int(params.get("employee")) if department else None,
        date_from=_date(params.get("date_from")),
        date_to=_date(params.get("date_to")),
        status=params.get("status", ""),
        direction=params.get("direction", ""),
        text=params.get("q", "")[:100],
    )


ROW_PREFETCH = (
    "co_executors",
    Prefetch("reminders", queryset=Reminder.objects.order_by("remind_at", "id")),
)


class ActivityViewSet(viewsets.ModelViewSet):
    """Activities the current user may see. `tab` gives a work list (overdue, today, upcoming,
    done — in the user's time zone); `scope=department` is a head's view of the department."""

    queryset = Activity.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = ActivitySerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self) -> Any:
        """A work list (selectors.ActivityRows: a union of index-friendly parts) that the
        pagination slices; relations are fetched for the page only."""
        filters = filters_from_query(self.request.query_params, self.user)
        return selectors.activity_list(user=self.user, filters=filters).prefetch_related(
            *ROW_PREFETCH
        )

    def get_object(self) -> Activity:
        return selectors.activity_get(user=self.user, pk=self.kwargs["pk"])

    def get_serializer_class(self) -> Any:
        if self.action in ("create", "update", "partial_update"):
            return ActivityWriteSerializer
        return ActivitySerializer

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer_class = self.get_serializer_class()
        kwargs.setdefault("context", self.get_serializer_context())
        if serializer_class is ActivityWriteSerializer:
            kwargs["previous_queryset"] = selectors.visible_activities(self.user)
        return serializer_class(*args, **kwargs)

    def _read(self, activity: Activity) -> dict[str, Any]:
        fresh = (
            Activity.objects.select_related(*selectors.ROW_RELATIONS)
            .prefetch_related(*ROW_PREFETCH)
            .get(pk=activity.pk)
        )
        return ActivitySerializer(fresh).data

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        activity = services.activity_create(
            by=self.user,
            co_executors=data.pop("co_executors", []),
            reminders=data.pop("reminders", []),
            **data,
        )
        return Response(self._read(activity), status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityWriteSerializer, responses={200: ActivitySerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.activity_update(
            by=self.user,
            activity=activity,
            co_executors=data.pop("co_executors", None),
            reminders=data.pop("reminders", None),
            **data,
        )
        return Response(self._read(activity))

    @extend_schema(request=ActivityWriteSerializer, responses={200: ActivitySerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.activity_delete(by=self.user, activity=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CompleteSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Complete with a result; `next` plans the follow-up in the same step (its id is in
        the answer's `next_activity`)."""
        activity = self.get_object()
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        done = services.activity_complete(by=self.user, activity=activity, **data)
        body = dict(self._read(done.activity))
        body["next_activity"] = self._read(done.next_activity) if done.next_activity else None
        return Response(body)

    @extend_schema(request=RescheduleSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        """Move to `start_at`; without `end_at` the duration is kept."""
        activity = self.get_object()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.activity_reschedule(
            by=self.user,
            activity=activity,
            start_at=data["start_at"],
            end_at=data.get("end_at"),
            keep_duration="end_at" not in data,
        )
        return Response(self._read(activity))

    @extend_schema(request=CancelSerializer, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        activity = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activity_cancel(
            by=self.user, activity=activity, reason=serializer.validated_data.get("reason", "")
        )
        return Response(self._read(activity))

    @extend_schema(parameters=LIST_PARAMETERS[1:], responses={200: CountsSerializer})
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        """How many activities are in each work list (overdue, today, upcoming, done)."""
        filters = filters_from_query(request.query_params, self.user)
        return Response(selectors.activity_counts(user=self.user, filters=filters))


class ActivityKindViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalog of activity kinds with their result codes (outcomes)."""

    queryset = ActivityKind.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = ActivityKindSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ActivityKind]:
        return selectors.activity_kinds(active_only=False).order_by("order", "name")

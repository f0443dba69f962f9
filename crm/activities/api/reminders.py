"""Reminders over the API: the user's own (and, while substituting, the absent colleague's),
snooze, mark seen, add one to an activity, remove a pending one. Someone else's reminder answers
404, as one that does not exist."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.activities.models import Activity, Reminder, ReminderStatus
from crm.activities.selectors.reminders import missed_reminders, reminders_of
from crm.activities.services import reminders as services

ERROR_ACTIVITY = gettext_lazy("Событие не найдено")


class ReminderSerializer(serializers.ModelSerializer):
    activity_subject = serializers.CharField(source="activity.subject", read_only=True)
    activity_start_at = serializers.DateTimeField(source="activity.start_at", read_only=True)
    client = serializers.IntegerField(source="activity.client_id", read_only=True)
    client_name = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = (
            "id",
            "activity",
            "activity_subject",
            "activity_start_at",
            "client",
            "client_name",
            "user",
            "remind_at",
            "offset_minutes",
            "status",
            "sent_at",
            "seen_at",
            "snooze_count",
        )
        read_only_fields = fields

    def get_client_name(self, reminder: Reminder) -> str | None:
        client = reminder.activity.client
        return client.name if client is not None else None


class ReminderCreateSerializer(serializers.Serializer):
    activity = serializers.IntegerField()
    offset_minutes = serializers.IntegerField(required=False, allow_null=True)
    remind_at = serializers.DateTimeField(required=False, allow_null=True)


class SnoozeSerializer(serializers.Serializer):
    delta = serializers.ChoiceField(
        choices=services.SNOOZE_CHOICES,
        error_messages={"invalid_choice": services.ERROR_SNOOZE_DELTA},
        help_text="5m, 15m, 1h, 1d or 1w",
    )


class ReminderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The current user's reminders, soonest first (`status`: pending, sent, cancelled;
    `missed=1`: sent and not yet answered). POST creates one for an activity the user may see
    (`offset_minutes` before the start, or at `remind_at`); DELETE removes a pending one."""

    queryset = Reminder.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = ReminderSerializer
    filter_backends: list[Any] = []

    def _user(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self) -> QuerySet[Reminder]:
        wanted = self.request.query_params.get("status", "")
        return reminders_of(self._user(), status=wanted if wanted in ReminderStatus.values else "")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ReminderStatus.values),
            OpenApiParameter("missed", bool, description="Only missed (sent, unanswered) ones"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.query_params.get("missed") in ("1", "true"):
            missed = missed_reminders(self._user())
            return Response(
                {
                    "count": len(missed),
                    "next": None,
                    "previous": None,
                    "results": ReminderSerializer(missed, many=True).data,
                }
            )
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReminderCreateSerializer, responses={201: ReminderSerializer})
    def create(self, request: Request) -> Response:
        data = ReminderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        activity = (
            visible_to(self._user(), Activity.objects.all()).filter(pk=values["activity"]).first()
        )
        if activity is None:
            raise serializers.ValidationError({"activity": [ERROR_ACTIVITY]})
        reminder = services.reminder_add(
            by=self._user(),
            activity=activity,
            offset_minutes=values.get("offset_minutes"),
            remind_at=values.get("remind_at"),
        )
        reminder = reminders_of(self._user()).get(pk=reminder.pk)
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Reminder) -> None:
        services.reminder_remove(by=self._user(), reminder=instance)

    @extend_schema(request=SnoozeSerializer, responses=ReminderSerializer)
    @action(detail=True, methods=["post"])
    def snooze(self, request: Request, pk: Any = None) -> Response:
        reminder = self.get_object()
        data = SnoozeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reminder_snooze(
            by=self._user(), reminder=reminder, delta=data.validated_data["delta"]
        )
        return Response(ReminderSerializer(self.get_queryset().get(pk=reminder.pk)).data)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ReminderSeen", {"marked": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def seen(self, request: Request, pk: Any = None) -> Response:
        marked = services.reminder_mark_seen(by=self._user(), reminders=[self.get_object()])
        return Response({"marked": marked})

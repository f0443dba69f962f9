from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.accounts.models import User
from crm.activities.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    Direction,
    Reminder,
)
from crm.activities.selectors.activities import activity_is_overdue
from crm.activities.services.activities import (
    ERROR_CLIENT_NOT_FOUND,
    ERROR_KIND_REQUIRED,
    ERROR_RESULT_REQUIRED,
    ERROR_START_REQUIRED,
    ERROR_SUBJECT_REQUIRED,
)
from crm.clients.models import Client, ContactPerson

ERROR_KIND_UNKNOWN = _("Неизвестный вид события: «{value}»")
ERROR_USER_NOT_FOUND = _("Сотрудник не найден")
ERROR_CONTACT_NOT_FOUND = _("Контактное лицо не найдено")
ERROR_OUTCOME_NOT_FOUND = _("Результат не найден")
ERROR_ACTIVITY_NOT_FOUND = _("Событие не найдено")


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityOutcome
        fields = ("id", "code", "name", "is_success")
        read_only_fields = fields


class ActivityKindSerializer(serializers.ModelSerializer):
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = ActivityKind
        fields = (
            "id",
            "code",
            "name",
            "icon",
            "color",
            "default_duration_minutes",
            "is_active",
            "outcomes",
        )
        read_only_fields = fields


class ReminderReadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ("id", "user", "remind_at", "offset_minutes", "status", "sent_at")
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    kind: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True, default=None)
    responsible_name = serializers.CharField(source="responsible.full_name", read_only=True)
    outcome_name = serializers.CharField(source="outcome.name", read_only=True, default=None)
    is_overdue = serializers.SerializerMethodField()
    reminders = ReminderReadSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = (
            "id",
            "kind",
            "kind_name",
            "direction",
            "subject",
            "goal",
            "description",
            "start_at",
            "end_at",
            "all_day",
            "status",
            "is_overdue",
            "done_at",
            "duration_minutes",
            "outcome",
            "outcome_name",
            "result",
            "client",
            "client_name",
            "contact",
            "responsible",
            "responsible_name",
            "department",
            "co_executors",
            "previous",
            "reminders",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_is_overdue(self, activity: Activity) -> bool:
        return activity_is_overdue(activity)


class ReminderSpecSerializer(serializers.Serializer):
    offset_minutes = serializers.IntegerField(required=False, min_value=0, max_value=43200)
    at = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("offset_minutes" in attrs) == ("at" in attrs):
            raise serializers.ValidationError(
                _("Укажите одно: offset_minutes (за сколько минут до начала) или at (время)")
            )
        return attrs


class KindField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="code",
            queryset=ActivityKind.objects.all(),
            error_messages={
                "does_not_exist": ERROR_KIND_UNKNOWN,
                "required": ERROR_KIND_REQUIRED,
                "null": ERROR_KIND_REQUIRED,
            },
            **kwargs,
        )


def _users() -> Any:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        error_messages={"does_not_exist": ERROR_USER_NOT_FOUND},
    )


class ActivityWriteSerializer(serializers.Serializer):
    """Create (every required field) or change (PATCH: the fields given)."""

    kind = KindField()
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    subject = serializers.CharField(
        max_length=255,
        error_messages={"required": ERROR_SUBJECT_REQUIRED, "blank": ERROR_SUBJECT_REQUIRED},
    )
    goal = serializers.CharField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    start_at = serializers.DateTimeField(
        error_messages={"required": ERROR_START_REQUIRED, "null": ERROR_START_REQUIRED}
    )
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    all_day = serializers.BooleanField(required=False)
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": ERROR_CLIENT_NOT_FOUND},
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=ContactPerson.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": ERROR_CONTACT_NOT_FOUND},
    )
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        error_messages={"does_not_exist": ERROR_USER_NOT_FOUND},
    )
    co_executors = serializers.ListField(child=_users(), required=False)
    previous = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": ERROR_ACTIVITY_NOT_FOUND},
    )
    reminders = ReminderSpecSerializer(many=True, required=False)

    def __init__(self, *args: Any, previous_queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if previous_queryset is not None:
            cast(Any, self.fields["previous"]).queryset = previous_queryset


class NextActivitySerializer(serializers.Serializer):
    kind = KindField()
    subject = serializers.CharField(max_length=255, required=False, allow_blank=True)
    start_at = serializers.DateTimeField(
        error_messages={"required": ERROR_START_REQUIRED, "null": ERROR_START_REQUIRED}
    )
    end_at = serializers.DateTimeField(required=False, allow_null=True)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    goal = serializers.CharField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        error_messages={"does_not_exist": ERROR_USER_NOT_FOUND},
    )
    reminders = ReminderSpecSerializer(many=True, required=False)


class CompleteSerializer(serializers.Serializer):
    result = serializers.CharField(
        error_messages={"required": ERROR_RESULT_REQUIRED, "blank": ERROR_RESULT_REQUIRED}
    )
    outcome = serializers.PrimaryKeyRelatedField(
        queryset=ActivityOutcome.objects.select_related("kind"),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": ERROR_OUTCOME_NOT_FOUND},
    )
    done_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1440
    )
    next = NextActivitySerializer(required=False, allow_null=True)


class RescheduleSerializer(serializers.Serializer):
    start_at = serializers.DateTimeField(
        error_messages={"required": ERROR_START_REQUIRED, "null": ERROR_START_REQUIRED}
    )
    end_at = serializers.DateTimeField(required=False, allow_null=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CountsSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    today = serializers.IntegerField()
    upcoming = serializers.IntegerField()
    done = serializers.IntegerField()

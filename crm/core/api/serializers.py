from __future__ import annotations

from rest_framework import serializers

from crm.core.models import AuditEntry, Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ("id", "title", "body", "url", "created_at", "read_at")
        read_only_fields = fields


class AuditEntrySerializer(serializers.ModelSerializer):
    actor: serializers.StringRelatedField = serializers.StringRelatedField()
    object_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = AuditEntry
        fields = (
            "id",
            "at",
            "actor",
            "source",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "comment",
        )
        read_only_fields = fields

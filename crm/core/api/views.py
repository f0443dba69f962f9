from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.core import selectors, services
from crm.core.api.serializers import AuditEntrySerializer, NotificationSerializer
from crm.core.models import AuditEntry, Notification


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The current user's notifications, newest first."""

    queryset = Notification.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = NotificationSerializer
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_for(self.request.user)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        count = services.notification_mark_read(user=request.user)
        return Response({"marked": count})


class CanViewAudit(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return bool(request.user and request.user.has_perm("core.view_auditentry"))


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log (administrators): who changed what, when, from which path."""

    queryset = AuditEntry.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = AuditEntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanViewAudit]
    filterset_fields = ("actor", "action", "source", "object_id", "content_type")

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.audit_log()

"""Handover over the API: preview what would move, apply, the journal."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import QueryDict
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.models import Department, User
from crm.activities.models import Handover
from crm.activities.selectors.handover import handovers_visible_to
from crm.activities.services import handover as services
from crm.clients.forms import ClientFilterForm
from crm.clients.selectors import ClientFilter


class HandoverSerializer(serializers.ModelSerializer):
    class Meta:
        model = Handover
        fields = (
            "id",
            "from_user",
            "to_user",
            "to_department",
            "client_ids",
            "moved",
            "comment",
            "by",
            "at",
        )
        read_only_fields = fields


class HandoverRequestSerializer(serializers.Serializer):
    from_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    to_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    to_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    client_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True
    )
    filter = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="The client list's filter: its query string or an object of its parameters; "
        "without client_ids and filter, all the employee's clients move",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


PreviewSerializer = inline_serializer(
    "HandoverPreview",
    {
        "clients": serializers.IntegerField(),
        "parts": serializers.DictField(child=serializers.IntegerField()),
    },
)


def _filters(user: Any, value: Any) -> ClientFilter | None:
    if value in (None, "", {}):
        return None
    if isinstance(value, dict):
        params = QueryDict(mutable=True)
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            params.setlist(str(key), [str(one) for one in items])
    else:
        params = QueryDict(str(value).lstrip("?"))
    return ClientFilterForm.for_user(user, params).to_filter()


class HandoverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The journal of handovers the user may see. POST moves a chosen employee's clients
    (`client_ids`, or those matching `filter`, or all) with their open activities and pending
    reminders to `to_user` (and `to_department`); POST preview/ counts what would move.
    Heads within their department and administrators only."""

    queryset = Handover.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = HandoverSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Handover]:
        return handovers_visible_to(self.request.user)

    def _request_data(self, request: Request) -> dict[str, Any]:
        if not services.handover_allowed(request.user):
            raise PermissionDenied(str(services.ERROR_NO_RIGHT))
        data = HandoverRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["filters"] = _filters(request.user, values.pop("filter", None))
        return values

    @extend_schema(request=HandoverRequestSerializer, responses={201: HandoverSerializer})
    def create(self, request: Request) -> Response:
        values = self._request_data(request)
        handover = services.handover_apply(
            by=cast(User, request.user),
            from_user=values["from_user"],
            to_user=values.get("to_user"),
            to_department=values.get("to_department"),
            client_ids=values.get("client_ids"),
            filters=values["filters"],
            comment=values.get("comment", ""),
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HandoverRequestSerializer, responses=PreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        values = self._request_data(request)
        preview = services.handover_preview(
            by=cast(User, request.user),
            from_user=values["from_user"],
            client_ids=values.get("client_ids"),
            filters=values["filters"],
        )
        return Response({"clients": len(preview.client_ids), "parts": preview.counts()})

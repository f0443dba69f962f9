"""GET /api/v1/clients/{id}/entry-rules/?point=first_invoice — which fields the client lacks
before the guarded action (an empty list: the action may go ahead)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.clients import selectors
from crm.clients.models import EntryPoint
from crm.clients.selectors.entry_rules import (
    entry_rule_message,
    entry_rule_missing,
    field_labels,
)


class EntryRuleCheckSerializer(serializers.Serializer):
    point = serializers.ChoiceField(choices=EntryPoint.choices)
    ok = serializers.BooleanField()
    codes = serializers.ListField(child=serializers.CharField())
    violations = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField(allow_blank=True)


class ClientEntryRulesView(APIView):
    """The entry rules of one point checked on a client the user may see (404 otherwise)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "point",
                OpenApiTypes.STR,
                enum=EntryPoint.values,
                description="creation, first_deal или first_invoice (по умолчанию first_invoice)",
            )
        ],
        responses=EntryRuleCheckSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        client = selectors.client_get(user=request.user, pk=pk)
        point = request.query_params.get("point", EntryPoint.FIRST_INVOICE)
        codes = entry_rule_missing(client, point)
        labels = field_labels(codes)
        return Response(
            {
                "point": point,
                "ok": not codes,
                "codes": codes,
                "violations": labels,
                "message": entry_rule_message(point, labels) if labels else "",
            }
        )

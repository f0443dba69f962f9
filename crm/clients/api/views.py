from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.models import User
from crm.clients import selectors, services
from crm.clients.api.serializers import (
    ClientDetailSerializer,
    ClientSerializer,
    LeadSourceSerializer,
)
from crm.clients.models import Client, LeadSource
from crm.clients.selectors import ClientFilter


class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients the current user may see. `q` searches name, ИНН, phone and e-mail; archived
    clients are listed with `status=archived`."""

    queryset = Client.objects.none()  # for the schema; rows come from get_queryset
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> type[ClientSerializer]:
        return ClientDetailSerializer if self.action == "retrieve" else ClientSerializer

    def get_queryset(self) -> QuerySet[Client]:
        params = self.request.query_params
        status_param = params.get("status", "active")
        filters = ClientFilter(
            query=params.get("q", "")[:100],
            kind=params.get("kind", ""),
            status=status_param if status_param in ("active", "archived") else "active",
            sort=params.get("ordering", "name"),
        )
        clients = selectors.client_list(user=self.request.user, filters=filters)
        clients = clients.prefetch_related("tags")
        if self.action == "retrieve":
            clients = clients.prefetch_related("contact_links__contact")
        return clients

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = services.client_create(
            by=cast(User, request.user), tags=data.pop("tags", []), **data
        )
        return Response(ClientSerializer(client).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        client = self.get_object()
        serializer = self.get_serializer(client, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        tags = data.pop("tags", None)
        client = services.client_update(
            by=cast(User, request.user), client=client, tags=tags, **data
        )
        return Response(ClientSerializer(client).data)


class LeadSourceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = LeadSource.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = LeadSourceSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[LeadSource]:
        return selectors.lead_sources()

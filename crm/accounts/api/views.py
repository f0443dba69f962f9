from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts import selectors, services
from crm.accounts.api.serializers import DepartmentSerializer, ProfileSerializer, UserSerializer
from crm.accounts.models import Department, User


class MeView(generics.GenericAPIView):
    """The current user's profile."""

    serializer_class = ProfileSerializer

    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=cast(User, request.user), **serializer.validated_data)
        return Response(self.get_serializer(user).data)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Employees the current user may see: self, the department for a head of sales, everyone
    for an accountant or administrator."""

    queryset = User.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = UserSerializer
    filterset_fields = ("department", "is_active")
    ordering_fields = ("last_name", "username")

    def get_queryset(self) -> QuerySet[User]:
        return selectors.colleagues_visible_to(self.request.user).prefetch_related("groups")


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = DepartmentSerializer

    def get_queryset(self) -> QuerySet[Department]:
        return Department.objects.filter(is_active=True)

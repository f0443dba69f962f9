"""Absences over the API: the current and coming ones the user may see, a new one, cancelling
(DELETE). The rules are crm.accounts.services.absence_create / absence_cancel."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts import services as accounts_services
from crm.accounts.models import Absence, User
from crm.accounts.selectors import absence_list


class AbsenceSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    substitute = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    class Meta:
        model = Absence
        fields = ("id", "user", "substitute", "date_from", "date_to", "reason", "created_by")
        read_only_fields = ("id", "created_by")
        validators: list[Any] = []  # the service checks the dates and the people, in Russian


class AbsenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Absences (substitution) the user may see: their own, where they stand in, their
    department's for a head, all for an administrator. `all=1` includes those already over.
    DELETE cancels: one that has not started is removed, one in force ends yesterday."""

    queryset = Absence.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = AbsenceSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Absence]:
        everything = self.request.query_params.get("all") in ("1", "true")
        return absence_list(user=self.request.user, current_only=not everything)

    @extend_schema(parameters=[OpenApiParameter("all", bool, description="Include past ones")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AbsenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        absence = accounts_services.absence_create(
            by=cast(User, request.user), **data.validated_data
        )
        return Response(AbsenceSerializer(absence).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Absence) -> None:
        if not accounts_services.absence_can_manage(self.request.user, instance.user):
            raise Http404
        accounts_services.absence_cancel(by=cast(User, self.request.user), absence=instance)

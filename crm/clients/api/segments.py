"""Segments over the API: saved filters (own only), group change and its undo, the tag and
industry catalogs."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.clients import selectors
from crm.clients.forms import ClientFilterForm
from crm.clients.models import Client, ClientStatus, GroupChange, Industry, SavedFilter, Tag
from crm.clients.selectors.segments import saved_filters_of
from crm.clients.services import group_changes
from crm.clients.services.saved_filters import saved_filter_create, saved_filter_delete

ERROR_NO_TARGET = gettext_lazy("Укажите карточки (ids) или фильтр списка (filter)")


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("id", "name")


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ("id", "name")


class TagViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Tag.objects.all().order_by("name")
    serializer_class = TagSerializer
    pagination_class = None
    filter_backends: list[Any] = []


class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Industry.objects.all().order_by("name")
    serializer_class = IndustrySerializer
    pagination_class = None
    filter_backends: list[Any] = []


class SavedFilterSerializer(serializers.ModelSerializer):
    name = serializers.CharField(allow_blank=True, max_length=200)
    query = serializers.CharField(allow_blank=True, max_length=4000)

    class Meta:
        model = SavedFilter
        fields = ("id", "name", "query", "created_at")
        read_only_fields = ("created_at",)


class SavedFilterViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The current user's saved filters of the client list (`query` is the list's query
    string); another user's filter answers 404."""

    queryset = SavedFilter.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = SavedFilterSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SavedFilter]:
        return saved_filters_of(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = saved_filter_create(by=cast(User, request.user), **serializer.validated_data)
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: SavedFilter) -> None:
        saved_filter_delete(by=cast(User, self.request.user), saved_filter=instance)


class GroupChangeRequestSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    filter = serializers.JSONField(
        required=False,
        help_text="The client list's filter: its query string or an object of its parameters",
    )
    action = serializers.ChoiceField(choices=group_changes.ACTION_CHOICES)
    value = serializers.JSONField(required=False, allow_null=True)
    preview = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("ids") and attrs.get("filter") is None:
            raise serializers.ValidationError({"ids": [ERROR_NO_TARGET]})
        return attrs


class GroupChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = GroupChange
        fields = ("id", "action", "description", "count", "at", "undone_at")


def _filter_params(value: Any) -> QueryDict:
    if isinstance(value, dict):
        params = QueryDict(mutable=True)
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            params.setlist(str(key), [str(one) for one in items])
        return params
    return QueryDict(str(value or "").lstrip("?"))


def _target(user: Any, data: dict[str, Any]) -> QuerySet[Client]:
    if data.get("ids"):
        clients = visible_to(user, Client.objects.filter(pk__in=data["ids"]))
        return clients.exclude(status=ClientStatus.MERGED)
    form = ClientFilterForm.for_user(user, _filter_params(data["filter"]))
    return selectors.client_list(user=user, filters=form.to_filter())


class GroupChangeView(APIView):
    """Change one field (or the tags) of many clients: the `ids` given or every client of the
    list's `filter`, within what the user may see. `preview: true` only counts the cards that
    would change. Actions: owner and department (heads and administrators; value — an id),
    add_tags / remove_tags (a list of tag ids), industry, source (an id or null), region,
    size, archive, restore."""

    @extend_schema(request=GroupChangeRequestSerializer, responses=GroupChangeSerializer)
    def post(self, request: Request) -> Response:
        serializer = GroupChangeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = cast(User, request.user)
        clients = _target(user, data)
        if data["preview"]:
            count = group_changes.group_change_preview(
                by=user, clients=clients, action=data["action"], value=data.get("value")
            )
            return Response({"count": count, "message": group_changes.preview_message(count)})
        change = group_changes.group_change_apply(
            by=user, clients=clients, action=data["action"], value=data.get("value")
        )
        return Response(GroupChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class GroupChangeUndoView(APIView):
    """Undo the current user's last group change (400 naming how many cards changed since,
    when any did)."""

    @extend_schema(request=None, responses=GroupChangeSerializer)
    def post(self, request: Request) -> Response:
        change = group_changes.group_change_undo(by=cast(User, request.user))
        return Response(GroupChangeSerializer(change).data)

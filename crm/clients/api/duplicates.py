"""API of duplicates: the check before entering a client, the pairs of the full scan, merge
and undo — the same selectors and services as the pages, the same access rules."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.clients.api.serializers import ClientSerializer
from crm.clients.domain.normalize import PhoneError, normalize_phone
from crm.clients.models import Client, ClientDuplicate, Merge
from crm.clients.selectors import duplicate_review as review
from crm.clients.selectors.duplicates import client_duplicate_candidates
from crm.clients.services import merge as merge_services

ERROR_NOTHING_TO_CHECK = _("Укажите хотя бы одно: наименование, ИНН, телефон или e-mail")
ERROR_INN = _("ИНН — 10 цифр у организации или 12 у ИП и физического лица")
ERROR_KPP = _("КПП — 9 знаков")
ERROR_EMAIL = _("«%(value)s» — не адрес e-mail")


class DuplicateCheckSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    inn = serializers.CharField(required=False, allow_blank=True, max_length=12)
    kpp = serializers.CharField(required=False, allow_blank=True, max_length=9)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)

    def validate_inn(self, value: str) -> str:
        value = value.strip()
        if value and (not value.isdigit() or len(value) not in (10, 12)):
            raise serializers.ValidationError(str(ERROR_INN))
        return value

    def validate_kpp(self, value: str) -> str:
        value = value.strip().upper()
        if value and (len(value) != 9 or not value.isalnum()):
            raise serializers.ValidationError(str(ERROR_KPP))
        return value

    def validate_phone(self, value: str) -> str:
        value = value.strip()
        if value:
            try:
                normalize_phone(value)
            except PhoneError as error:
                raise serializers.ValidationError(str(error)) from error
        return value

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError(str(ERROR_EMAIL) % {"value": value}) from error
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(attrs.get(name) for name in ("name", "inn", "phone", "email")):
            raise serializers.ValidationError(str(ERROR_NOTHING_TO_CHECK))
        return attrs


class DuplicateCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    inn = serializers.CharField()
    owner = serializers.CharField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    can_open = serializers.BooleanField(help_text="Может ли пользователь открыть карточку")


class DuplicateCheckResultSerializer(serializers.Serializer):
    candidates = DuplicateCandidateSerializer(many=True)


class ClientDuplicateCheckView(APIView):
    """Clients like the one about to be entered (by ИНН+КПП, phone, e-mail, similar name),
    best first, with the score and reasons. The whole base is searched — a manager must learn
    that the caller is a colleague's client — and `can_open` says whether the user may open
    the card."""

    @extend_schema(request=DuplicateCheckSerializer, responses=DuplicateCheckResultSerializer)
    def post(self, request: Request) -> Response:
        serializer = DuplicateCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        candidates = client_duplicate_candidates(**serializer.validated_data)
        ids = [candidate.client.pk for candidate in candidates]
        may_open = set(
            visible_to(request.user, Client.objects.filter(pk__in=ids)).values_list("pk", flat=True)
        )
        return Response(
            {
                "candidates": [
                    {
                        "id": candidate.client.pk,
                        "name": candidate.client.name,
                        "inn": candidate.client.inn,
                        "owner": candidate.client.owner.full_name,
                        "score": candidate.match.score,
                        "reasons": list(candidate.match.reasons),
                        "can_open": candidate.client.pk in may_open,
                    }
                    for candidate in candidates
                ]
            }
        )


class PairCardSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)

    class Meta:
        model = Client
        fields = ("id", "name", "inn", "kpp", "phone", "email", "owner", "owner_name")


class ClientDuplicateSerializer(serializers.ModelSerializer):
    first = PairCardSerializer(read_only=True)
    second = PairCardSerializer(read_only=True)

    class Meta:
        model = ClientDuplicate
        fields = ("id", "first", "second", "score", "reasons", "status", "found_at")


class ClientDuplicateListView(generics.ListAPIView):
    """NEW pairs of the last full scan whose both cards the user may see, best first.
    `min_score` (0–100) leaves out weaker pairs."""

    serializer_class = ClientDuplicateSerializer
    queryset = ClientDuplicate.objects.none()  # for the schema; rows come from get_queryset
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ClientDuplicate]:
        raw = self.request.query_params.get("min_score", "0")
        try:
            min_score = max(0, min(100, int(raw)))
        except ValueError as error:
            raise serializers.ValidationError(
                {"min_score": [str(_("Минимальное сходство — целое число от 0 до 100"))]}
            ) from error
        return review.client_duplicate_pairs(user=self.request.user, min_score=min_score)


class MergeRequestSerializer(serializers.Serializer):
    kept = serializers.IntegerField(help_text="Карточка, которая остаётся")
    merged = serializers.IntegerField(help_text="Карточка, которая присоединяется")
    choices = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='{поле: "kept" или "merged"}; по умолчанию — значение оставляемой карточки, '
        "а если оно пустое — присоединяемой",
    )


class MergedClientSerializer(ClientSerializer):
    merge_id = serializers.IntegerField(read_only=True)

    class Meta(ClientSerializer.Meta):
        fields = (*ClientSerializer.Meta.fields, "merge_id")  # type: ignore[assignment]


class ClientMergeView(APIView):
    """Merge client `merged` into `kept` (both must be visible to the user, else 404); every
    reference moves to the kept card in one transaction. Answers the kept card with the id of
    the merge (for undo)."""

    @extend_schema(request=MergeRequestSerializer, responses=MergedClientSerializer)
    def post(self, request: Request) -> Response:
        serializer = MergeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kept = review.client_for_merge(user=request.user, pk=data["kept"])
        merged = review.client_for_merge(user=request.user, pk=data["merged"])
        merge = merge_services.client_merge(
            by=cast(User, request.user), kept=kept, merged=merged, choices=data.get("choices")
        )
        kept.refresh_from_db()
        kept.merge_id = merge.pk  # type: ignore[attr-defined]
        return Response(MergedClientSerializer(kept).data)


class MergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merge
        fields = ("id", "kind", "kept_id", "merged_id", "moved", "at", "undone_at")


class MergeUndoView(APIView):
    """Undo a merge (clients or contact persons): the moved references go back, the kept
    card's changed fields and the merged card's status are restored."""

    @extend_schema(request=None, responses=MergeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        merge = review.merge_get(user=request.user, pk=pk)
        merge = merge_services.merge_undo(by=cast(User, request.user), merge=merge)
        return Response(MergeSerializer(merge).data)

"""/api/v1/proposals/: commercial proposals through the same selectors and services as the
pages.

- list (filters: deal, client, status), retrieve — what the user may see (another's answers 404);
- POST {"deal": id, …header} creates a draft from the deal's lines;
- PATCH/PUT {id}/ changes a draft's header and, with "lines", replaces its lines
  (an issued proposal answers 400 in Russian, nothing changed);
- POST {id}/issue/, {id}/new-version/, {id}/accept/, {id}/reject/;
- POST {id}/send/ {"to": [...], "subject": "", "body": ""} — the e-mail with the PDF, logged as
  an activity of the deal (its id is in the answer's `activity`);
- GET {id}/pdf/ — the print form (application/pdf)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import URLPattern
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.models import User
from crm.clients.models import ContactPerson
from crm.sales.api.common import query_int
from crm.sales.models import Organization, Proposal, ProposalLine, ProposalStatus
from crm.sales.selectors import deals as deal_selectors
from crm.sales.selectors import proposals as selectors
from crm.sales.services import proposals as services
from crm.sales.views.proposals import content_disposition

ERROR_DEAL_NOT_FOUND = gettext_lazy("Сделка не найдена")

LIST_PARAMETERS = [
    OpenApiParameter("deal", int),
    OpenApiParameter("client", int),
    OpenApiParameter("status", str, enum=list(ProposalStatus.values)),
]


class ProposalLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalLine
        fields = (
            "order",
            "product",
            "name",
            "quantity",
            "unit_name",
            "okei_code",
            "price",
            "discount_percent",
            "vat_rate",
            "amount_without_vat",
            "vat_amount",
            "total",
        )
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    lines = ProposalLineSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    file_name = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields: tuple[str, ...] = (
            "id",
            "deal",
            "client",
            "organization",
            "manager",
            "contact",
            "number",
            "date",
            "valid_until",
            "version",
            "previous",
            "status",
            "status_display",
            "currency",
            "prices_include_vat",
            "terms",
            "amount_without_vat",
            "vat_amount",
            "total",
            "seller",
            "buyer",
            "issued_at",
            "sent_at",
            "file_name",
            "lines",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_file_name(self, proposal: Proposal) -> str:
        return services.file_name(proposal)


class LineWriteSerializer(serializers.Serializer):
    """Numbers as text or numbers: the service checks them and names the line."""

    product = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    quantity = serializers.CharField(required=False, allow_blank=True, max_length=40)
    unit_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    okei_code = serializers.CharField(required=False, allow_blank=True, max_length=4)
    price = serializers.CharField(required=False, allow_blank=True, max_length=40)
    discount_percent = serializers.CharField(required=False, allow_blank=True, max_length=40)
    vat_rate = serializers.CharField(required=False, allow_blank=True, max_length=8)


class HeaderSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=ContactPerson.objects.all(), required=False, allow_null=True
    )
    currency = serializers.CharField(required=False, max_length=3)
    prices_include_vat = serializers.BooleanField(required=False)
    terms = serializers.CharField(required=False, allow_blank=True)


class ProposalCreateSerializer(HeaderSerializer):
    deal = serializers.IntegerField()


class ProposalUpdateSerializer(HeaderSerializer):
    lines = LineWriteSerializer(many=True, required=False)


class SendSerializer(serializers.Serializer):
    to = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=254), allow_empty=True
    )
    subject = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    body = serializers.CharField(required=False, allow_blank=True)


class SendResultSerializer(ProposalSerializer):
    activity = serializers.IntegerField(read_only=True)

    class Meta(ProposalSerializer.Meta):
        fields: tuple[str, ...] = (*ProposalSerializer.Meta.fields, "activity")
        read_only_fields: tuple[str, ...] = fields


class PDFRenderer(BaseRenderer):
    """Lets a client ask for application/pdf; an error still answers JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class ProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Proposals the current user may see (by their manager or their deal)."""

    queryset = Proposal.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = ProposalSerializer
    filter_backends: list[Any] = []

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.proposal_list(
            user=self.user,
            deal_id=query_int(params.get("deal")),
            client_id=query_int(params.get("client")),
            status=params.get("status", "")
            if params.get("status") in ProposalStatus.values
            else "",
        ).prefetch_related("lines")

    def get_object(self) -> Proposal:
        return selectors.proposal_get(user=self.user, pk=self.kwargs["pk"])

    def _read(self, proposal: Proposal) -> dict[str, Any]:
        return dict(ProposalSerializer(selectors.proposal_get(user=self.user, pk=proposal.pk)).data)

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer})
    def create(self, request: Request) -> Response:
        serializer = ProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            deal = deal_selectors.deal_for(self.user, data.pop("deal"))
        except Http404 as error:
            raise ValidationError({"deal": [ERROR_DEAL_NOT_FOUND]}) from error
        proposal = services.proposal_create(deal=deal, by=self.user, data=data)
        return Response(self._read(proposal), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProposalUpdateSerializer, responses={200: ProposalSerializer})
    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        proposal = self.get_object()
        serializer = ProposalUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        services.proposal_save_draft(proposal=proposal, by=self.user, data=data, lines=lines)
        return Response(self._read(proposal))

    @extend_schema(request=ProposalUpdateSerializer, responses={200: ProposalSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk, partial=True)

    @extend_schema(request=None, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Number it, copy both parties' requisites; from now on it does not change."""
        proposal = self.get_object()
        services.proposal_issue(proposal=proposal, by=self.user)
        return Response(self._read(proposal))

    @extend_schema(request=None, responses={201: ProposalSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """A new draft copied from an issued proposal (version + 1)."""
        draft = services.proposal_new_version(proposal=self.get_object(), by=self.user)
        return Response(self._read(draft), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        services.proposal_accept(proposal=proposal, by=self.user)
        return Response(self._read(proposal))

    @extend_schema(request=None, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        services.proposal_reject(proposal=proposal, by=self.user)
        return Response(self._read(proposal))

    @extend_schema(request=SendSerializer, responses={200: SendResultSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """E-mail it with the PDF (a draft is issued first); empty subject and body get the
        default texts with the number."""
        proposal = self.get_object()
        serializer = SendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        activity = services.proposal_send(
            proposal=proposal,
            by=self.user,
            to=data["to"],
            subject=data.get("subject", ""),
            body=data.get("body", ""),
        )
        body = self._read(proposal)
        body["activity"] = activity.pk
        return Response(body)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="Печатная форма"
            )
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer, JSONRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        proposal = self.get_object()
        response = HttpResponse(services.proposal_pdf(proposal), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(
            services.file_name(proposal), attachment=True
        )
        return response


def register(router: Any) -> None:
    router.register("proposals", ProposalViewSet, basename="proposal")


urlpatterns: list[URLPattern] = []

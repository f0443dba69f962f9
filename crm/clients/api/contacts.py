"""Contact persons over the API: the people of the clients the user may see."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from crm.accounts.access import access_object, scope_condition, visible_to
from crm.accounts.models import User
from crm.clients import services
from crm.clients.models import Client, ClientContact, ContactPerson
from crm.clients.services import CONTACT_AUDIT_FIELDS
from crm.clients.services.contacts import contact_update

ERROR_CLIENT = gettext_lazy("Клиент не найден или недоступен вам")


class ContactClientSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="client.id", read_only=True)
    name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = ClientContact
        fields = ("id", "name", "position", "is_main", "is_decision_maker")


class ContactSerializer(serializers.Serializer):
    """A person; `clients` lists the places at the clients the user may see. On creation
    `client` (an id the user may see), `position`, `is_main` and `is_decision_maker` say
    where the person works. Phones, e-mail and the name are checked by the service."""

    id = serializers.IntegerField(read_only=True)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    middle_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    full_name = serializers.CharField(read_only=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    mobile_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    birthday = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    clients = ContactClientSerializer(source="visible_links", many=True, read_only=True)
    client = serializers.IntegerField(write_only=True, required=False)
    position = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=150
    )
    is_main = serializers.BooleanField(write_only=True, required=False, default=False)
    is_decision_maker = serializers.BooleanField(write_only=True, required=False, default=False)


def _visible_clients(user: Any) -> QuerySet[Client]:
    return visible_to(user, Client.objects.all())


class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Contact persons of the clients the current user may see. `client=<id>` narrows to one
    client, `q` searches the name, phones and e-mail. Changing a person: PATCH."""

    queryset = ContactPerson.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = ContactSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ContactPerson]:
        user = self.request.user
        clients = _visible_clients(user)
        contacts = ContactPerson.objects.all()
        if scope_condition(user, Client) is not None:
            contacts = contacts.filter(
                Exists(ClientContact.objects.filter(contact=OuterRef("pk"), client__in=clients))
            )
        params = self.request.query_params
        client_id = params.get("client", "")
        if client_id.isdigit():
            contacts = contacts.filter(
                Exists(ClientContact.objects.filter(contact=OuterRef("pk"), client_id=client_id))
            )
        query = params.get("q", "").strip()[:100]
        if query:
            condition = (
                Q(last_name__icontains=query)
                | Q(first_name__icontains=query)
                | Q(email__iexact=query.lower())
            )
            digits = "".join(ch for ch in query if ch.isdigit())
            if len(digits) >= 4:
                condition |= Q(phone__contains=digits) | Q(mobile_phone__contains=digits)
            contacts = contacts.filter(condition)
        return contacts.prefetch_related(
            Prefetch(
                "links",
                queryset=ClientContact.objects.filter(client__in=clients)
                .select_related("client")
                .order_by("-is_main", "client__name"),
                to_attr="visible_links",
            )
        ).order_by("last_name", "first_name", "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            client = access_object(request.user, Client.objects.all(), data.pop("client", None))
        except Http404:
            raise ValidationError({"client": [ERROR_CLIENT]}) from None
        data.setdefault("first_name", "")
        contact = services.contact_add(by=cast(User, request.user), client=client, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=contact.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        contact = self.get_object()
        serializer = self.get_serializer(contact, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            name: value
            for name, value in serializer.validated_data.items()
            if name in CONTACT_AUDIT_FIELDS
        }
        contact_update(by=cast(User, request.user), contact=contact, **fields)
        return Response(self.get_serializer(self.get_queryset().get(pk=contact.pk)).data)

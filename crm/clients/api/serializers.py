from __future__ import annotations

from rest_framework import serializers

from crm.clients.models import Client, ClientContact, LeadSource, Tag


class LeadSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadSource
        fields = ("id", "name")


class ClientContactSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="contact.id", read_only=True)
    full_name = serializers.CharField(source="contact.full_name", read_only=True)
    phone = serializers.CharField(source="contact.phone", read_only=True)
    mobile_phone = serializers.CharField(source="contact.mobile_phone", read_only=True)
    email = serializers.CharField(source="contact.email", read_only=True)

    class Meta:
        model = ClientContact
        fields = (
            "id",
            "full_name",
            "position",
            "phone",
            "mobile_phone",
            "email",
            "is_main",
            "is_decision_maker",
        )


class ClientSerializer(serializers.ModelSerializer):
    """Owner and department are read-only here: reassigning is a separate action with its own
    rights (handover)."""

    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    source_name = serializers.CharField(source="source.name", read_only=True, default=None)
    tags = serializers.SlugRelatedField(
        slug_field="name", many=True, queryset=Tag.objects.all(), required=False
    )

    class Meta:
        model = Client
        fields = (
            "id",
            "kind",
            "name",
            "full_name",
            "inn",
            "kpp",
            "ogrn",
            "legal_address",
            "actual_address",
            "phone",
            "email",
            "website",
            "industry",
            "region",
            "size",
            "tags",
            "source",
            "source_name",
            "owner",
            "owner_name",
            "department",
            "status",
            "comment",
            "completeness",
            "completeness_missing",
            "needs_completion",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "owner",
            "department",
            "status",
            "completeness",
            "completeness_missing",
            "needs_completion",
            "created_at",
            "updated_at",
        )


class ClientDetailSerializer(ClientSerializer):
    contacts = ClientContactSerializer(source="contact_links", many=True, read_only=True)

    class Meta(ClientSerializer.Meta):
        fields = (*ClientSerializer.Meta.fields, "contacts")  # type: ignore[assignment]

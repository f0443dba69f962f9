from __future__ import annotations

from rest_framework import serializers

from crm.accounts.models import Department, User


class UserSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="role.value", read_only=True, allow_null=True)
    full_name = serializers.CharField(read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default="")

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "full_name",
            "last_name",
            "first_name",
            "middle_name",
            "email",
            "position",
            "phone",
            "department",
            "department_name",
            "role",
            "is_active",
        )
        read_only_fields = fields


class ProfileSerializer(serializers.ModelSerializer):
    """What a user may change about themselves; role and department are not here."""

    role = serializers.CharField(source="role.value", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "last_name",
            "first_name",
            "middle_name",
            "email",
            "position",
            "phone",
            "email_signature",
            "time_zone",
            "language",
            "role",
            "department",
        )
        read_only_fields = ("id", "username", "role", "department")


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ("id", "name", "head", "is_active")
        read_only_fields = fields

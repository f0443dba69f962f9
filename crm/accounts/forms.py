from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department, User
from crm.accounts.roles import ROLE_LABELS, Role
from crm.accounts.services import PROFILE_FIELDS

ROLE_CHOICES = [("", _("— без роли —"))] + [(role.value, ROLE_LABELS[role]) for role in Role]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {"email_signature": forms.Textarea(attrs={"rows": 4})}


class UserForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("роль"), choices=ROLE_CHOICES, required=False)
    password = forms.CharField(
        label=_("пароль"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Не менее 10 символов. Оставьте пустым, чтобы не менять."),
    )

    class Meta:
        model = User
        fields = (
            "username",
            "last_name",
            "first_name",
            "middle_name",
            "email",
            "position",
            "phone",
            "department",
            "is_active",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        if self.instance.pk:
            self.initial["role"] = self.instance.role.value if self.instance.role else ""
        else:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Не менее 10 символов.")

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password, self.instance)
        return password

    def role_value(self) -> Role | None:
        value = self.cleaned_data.get("role")
        return Role(value) if value else None


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("name", "head", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = User.objects.filter(is_active=True)


class RolePermissionsForm(forms.Form):
    permissions = forms.ModelMultipleChoiceField(
        label=_("права"),
        queryset=Permission.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = (
            Permission.objects.filter(
                content_type__app_label__in=[
                    "accounts",
                    "core",
                    "clients",
                    "activities",
                    "sales",
                    "billing",
                    "onec",
                    "analytics",
                ]
            )
            .select_related("content_type")
            .order_by("content_type__app_label", "codename")
        )

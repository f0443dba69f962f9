from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Работа"),
            {
                "fields": (
                    "middle_name",
                    "position",
                    "phone",
                    "department",
                    "email_signature",
                    "time_zone",
                    "language",
                )
            },
        ),
    )
    list_display = ("username", "last_name", "first_name", "department", "is_active")
    list_filter = ("department", "groups", "is_active")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "head", "is_active")

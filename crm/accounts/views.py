"""Login, profile and the administrator's pages for users, departments and roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from crm.accounts import selectors, services
from crm.accounts.decorators import administrator_required
from crm.accounts.forms import DepartmentForm, ProfileForm, RolePermissionsForm, UserForm
from crm.accounts.http import AuthenticatedRequest
from crm.accounts.models import Department, User
from crm.accounts.roles import (
    AREA_LABELS,
    ROLE_DESCRIPTIONS,
    ROLE_LABELS,
    ROLE_SCOPES,
    SCOPE_LABELS,
    Role,
)
from crm.core.forms import apply_errors as _apply_errors
from crm.core.htmx import paginate, render_page_or_partial


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Профиль сохранён."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@administrator_required
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    params = request.GET
    active = {"1": True, "0": False}.get(params.get("active", ""))
    department = params.get("department", "")
    users = selectors.user_list(
        query=params.get("q", "").strip()[:100],
        department_id=int(department) if department.isdigit() else None,
        role=params.get("role", ""),
        active=active,
    )
    return render_page_or_partial(
        request,
        "accounts/user_list.html",
        "accounts/partials/_user_rows.html",
        {
            "page": paginate(request, users),
            "departments": Department.objects.all(),
            "roles": [(role.value, ROLE_LABELS[role]) for role in Role],
            "params": params,
        },
    )


@administrator_required
def user_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    user = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password")
        data.pop("role")
        try:
            if user is None:
                user = services.user_create(
                    by=request.user, password=password, role=form.role_value(), **data
                )
                messages.success(request, _("Пользователь создан."))
            else:
                if password:
                    user.set_password(password)
                services.user_update(by=request.user, user=user, role=form.role_value(), **data)
                messages.success(request, _("Изменения сохранены."))
            return redirect("accounts:user_list")
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "accounts/user_form.html", {"form": form, "object": user})


@administrator_required
def department_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "accounts/department_list.html", {"departments": selectors.department_list()}
    )


@administrator_required
def department_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk) if pk else None
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_save(by=request.user, department=department, **form.cleaned_data)
            messages.success(request, _("Отдел сохранён."))
            return redirect("accounts:department_list")
        except ValidationError as error:
            _apply_errors(form, error)
    return render(request, "accounts/department_form.html", {"form": form, "object": department})


@administrator_required
def role_list(request: AuthenticatedRequest) -> HttpResponse:
    roles = [
        {
            "role": role,
            "label": ROLE_LABELS[role],
            "description": ROLE_DESCRIPTIONS[role],
            "scopes": [
                (AREA_LABELS[area], SCOPE_LABELS[scope])
                for area, scope in ROLE_SCOPES[role].items()
            ],
            "permissions": group.permissions.all(),
            "members": group.user_set.filter(is_active=True).count(),
        }
        for role, group in selectors.role_groups()
    ]
    return render(request, "accounts/role_list.html", {"roles": roles})


@administrator_required
def role_edit(request: AuthenticatedRequest, code: str) -> HttpResponse:
    groups = {role.value: (role, group) for role, group in selectors.role_groups()}
    if code not in groups:
        raise Http404
    role, group = groups[code]
    form = RolePermissionsForm(
        request.POST or None, initial={"permissions": list(group.permissions.all())}
    )
    if request.method == "POST" and form.is_valid():
        services.role_set_permissions(
            by=request.user, role=role, permissions=list(form.cleaned_data["permissions"])
        )
        messages.success(request, _("Права роли сохранены."))
        return redirect("accounts:role_list")
    return render(
        request,
        "accounts/role_form.html",
        {"form": form, "role": role, "label": ROLE_LABELS[role]},
    )

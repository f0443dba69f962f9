"""Pages of the catalog (номенклатура) under /deals/catalog/: the product list with search and
filters, the product form, product groups, units of measure, the import from CSV/XLSX, and
the JSON search used by the line editors of deals and proposals. Everyone logged in reads;
only administrators change (others get 403 on the pages that write)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.accounts.access import can_administer
from crm.accounts.decorators import administrator_required
from crm.accounts.http import AuthenticatedRequest
from crm.core.forms import apply_errors
from crm.core.htmx import paginate, render_page_or_partial
from crm.sales.forms_catalog import (
    GroupForm,
    ImportUploadForm,
    ProductFilterForm,
    ProductForm,
    UnitForm,
)
from crm.sales.models import Product, ProductGroup, Unit
from crm.sales.selectors import catalog as selectors
from crm.sales.services import catalog as services
from crm.sales.services import catalog_import

IMPORT_SESSION_KEY = "sales_catalog_import"
PREVIEW_LIST_LIMIT = 500


# --- Products -------------------------------------------------------------------------------


@login_required
def product_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    filters = selectors.ProductFilter()
    if form.is_valid():
        filters = selectors.ProductFilter(
            query=form.cleaned_data["q"],
            group_id=form.cleaned_data["group"],
            kind=form.cleaned_data["kind"],
            active=form.active_value(),
        )
    else:
        filters = selectors.ProductFilter(active=True)
    page = paginate(request, selectors.product_list(filters))
    context = {
        "form": form,
        "page": page,
        "can_edit": can_administer(request.user),
    }
    return render_page_or_partial(
        request, "sales/catalog/product_list.html", "sales/catalog/_product_rows.html", context
    )


@login_required
@require_GET
def product_search_json(request: AuthenticatedRequest) -> JsonResponse:
    """GET ?q= → a JSON list of active products (see selectors.catalog.product_search)."""
    query = request.GET.get("q", "")[:100]
    try:
        limit = max(1, min(int(request.GET.get("limit", 20)), 50))
    except ValueError:
        limit = 20
    return JsonResponse(selectors.product_search(query, limit=limit), safe=False)


def _product_initial(product: Product | None) -> dict[str, Any]:
    if product is None:
        unit = Unit.objects.filter(okei_code="796").first()
        return {"unit": unit, "currency": "RUB", "price": "0,00", "is_active": True}
    return {
        "name": product.name,
        "kind": product.kind,
        "article": product.article,
        "unit": product.unit,
        "price": f"{product.price:.2f}".replace(".", ","),
        "currency": product.currency,
        "vat_kind": product.vat_kind,
        "group": product.group,
        "description": product.description,
        "is_active": product.is_active,
    }


@login_required
def product_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    """The product card: a form for administrators, read-only for everyone else (who cannot
    open «new» nor post at all)."""
    product = (
        get_object_or_404(Product.objects.select_related("unit", "group"), pk=pk) if pk else None
    )
    can_edit = can_administer(request.user)
    if not can_edit and (product is None or request.method == "POST"):
        raise PermissionDenied
    form = ProductForm(request.POST or None, initial=_product_initial(product))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.product_save(by=request.user, data=form.cleaned_data, product=product)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Сохранено: «%(name)s».") % {"name": saved.name})
            if "save_and_new" in request.POST:
                return redirect("sales:product_create")
            return redirect("sales:catalog")
    return render(
        request,
        "sales/catalog/product_form.html",
        {"form": form, "object": product, "can_edit": can_edit},
    )


# --- Groups ---------------------------------------------------------------------------------


@login_required
def group_list(request: AuthenticatedRequest) -> HttpResponse:
    counts = selectors.group_product_counts()
    return render(
        request,
        "sales/catalog/group_list.html",
        {
            "rows": [
                (group, depth, counts.get(group.pk, 0)) for group, depth in selectors.group_tree()
            ],
            "can_edit": can_administer(request.user),
        },
    )


@administrator_required
def group_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    group = get_object_or_404(ProductGroup, pk=pk) if pk else None
    initial = {"name": group.name, "parent": group.parent, "order": group.order} if group else {}
    form = GroupForm(request.POST or None, initial=initial or {"order": 100})
    if request.method == "POST" and form.is_valid():
        try:
            services.group_save(by=request.user, group=group, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Сохранено."))
            return redirect("sales:product_groups")
    return render(request, "sales/catalog/group_form.html", {"form": form, "object": group})


@administrator_required
@require_POST
def group_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(ProductGroup, pk=pk)
    name = group.name
    try:
        services.group_delete(by=request.user, group=group)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:product_group_edit", pk=pk)
    messages.success(request, _("Группа «%(name)s» удалена.") % {"name": name})
    return redirect("sales:product_groups")


# --- Units ----------------------------------------------------------------------------------


@login_required
def unit_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "sales/catalog/unit_list.html",
        {"rows": selectors.unit_list_with_usage(), "can_edit": can_administer(request.user)},
    )


@administrator_required
def unit_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    initial = (
        {"okei_code": unit.okei_code, "name": unit.name, "full_name": unit.full_name}
        if unit
        else {}
    )
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_save(by=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Сохранено."))
            return redirect("sales:units")
    return render(request, "sales/catalog/unit_form.html", {"form": form, "object": unit})


@administrator_required
@require_POST
def unit_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    name = unit.name
    try:
        services.unit_delete(by=request.user, unit=unit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:unit_edit", pk=pk)
    messages.success(request, _("Единица «%(name)s» удалена.") % {"name": name})
    return redirect("sales:units")


# --- Import ---------------------------------------------------------------------------------


def _stored_file(request: AuthenticatedRequest) -> tuple[str, bytes] | None:
    stored = request.session.get(IMPORT_SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        content = base64.b64decode(stored["content"])
    except (KeyError, ValueError, TypeError):
        return None
    if hashlib.sha256(content).hexdigest() != stored.get("sha256"):
        return None
    return str(stored.get("name", "")), content


@administrator_required
def product_import(request: AuthenticatedRequest) -> HttpResponse:
    """Upload → preview (nothing written) → apply (all or nothing). The uploaded file waits
    in the session between the two steps; apply reads and checks it again."""
    form = ImportUploadForm()
    plan = None
    file_name = ""
    if request.method == "POST" and request.POST.get("step") == "apply":
        stored = _stored_file(request)
        if stored is None:
            messages.error(request, _("Файл не найден — загрузите его снова."))
            return redirect("sales:product_import")
        file_name, content = stored
        try:
            plan = catalog_import.import_apply(
                by=request.user, file_name=file_name, content=content
            )
        except catalog_import.ImportRejected as error:
            plan = error.plan
            messages.error(request, " ".join(error.messages))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.success(
                request,
                _("Загружено: создано %(created)s, изменено %(updated)s, без изменений %(same)s.")
                % {
                    "created": len(plan.to_create),
                    "updated": len(plan.to_update),
                    "same": len(plan.unchanged),
                },
            )
            return redirect("sales:catalog")
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                catalog_import.check_upload(upload.name, upload.size)
                content = upload.read()
                plan = catalog_import.import_preview(
                    by=request.user, file_name=upload.name, content=content
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                file_name = upload.name
                request.session[IMPORT_SESSION_KEY] = {
                    "name": upload.name,
                    "content": base64.b64encode(content).decode("ascii"),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
    return render(
        request,
        "sales/catalog/import.html",
        {
            "form": form,
            "plan": plan,
            "file_name": file_name,
            "limit": PREVIEW_LIST_LIMIT,
        },
    )

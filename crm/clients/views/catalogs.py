"""The administrator's catalogs of the client base under /clients/settings/: lead sources,
industries, tags — a list and a create/edit page each, one set of views for the three."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm.accounts.decorators import administrator_required
from crm.accounts.http import AuthenticatedRequest
from crm.clients.forms_segments import LeadSourceForm, NameForm
from crm.clients.models import Industry, LeadSource, Tag
from crm.clients.selectors import segments
from crm.clients.services import catalogs


@dataclass(frozen=True)
class Catalog:
    kind: str
    model: type[models.Model]
    title: Promise
    new_title: Promise
    empty: Promise
    form: type[forms.Form]
    rows: Callable[[], models.QuerySet[Any]]
    save: Callable[..., Any]
    instance_arg: str  # the service's keyword for the row being changed
    url_list: str
    url_create: str
    url_edit: str
    url_delete: str


CATALOGS = {
    "sources": Catalog(
        kind="sources",
        model=LeadSource,
        title=gettext_lazy("Источники клиентов"),
        new_title=gettext_lazy("Новый источник"),
        empty=gettext_lazy("Источников пока нет."),
        form=LeadSourceForm,
        rows=segments.lead_sources_with_usage,
        save=catalogs.lead_source_save,
        instance_arg="source",
        url_list="clients:catalog_sources",
        url_create="clients:catalog_source_create",
        url_edit="clients:catalog_source_edit",
        url_delete="clients:catalog_source_delete",
    ),
    "industries": Catalog(
        kind="industries",
        model=Industry,
        title=gettext_lazy("Отрасли"),
        new_title=gettext_lazy("Новая отрасль"),
        empty=gettext_lazy("Отраслей пока нет."),
        form=NameForm,
        rows=segments.industries_with_usage,
        save=catalogs.industry_save,
        instance_arg="industry",
        url_list="clients:catalog_industries",
        url_create="clients:catalog_industry_create",
        url_edit="clients:catalog_industry_edit",
        url_delete="clients:catalog_industry_delete",
    ),
    "tags": Catalog(
        kind="tags",
        model=Tag,
        title=gettext_lazy("Метки"),
        new_title=gettext_lazy("Новая метка"),
        empty=gettext_lazy("Меток пока нет."),
        form=NameForm,
        rows=segments.tags_with_usage,
        save=catalogs.tag_save,
        instance_arg="tag",
        url_list="clients:catalog_tags",
        url_create="clients:catalog_tag_create",
        url_edit="clients:catalog_tag_edit",
        url_delete="clients:catalog_tag_delete",
    ),
}


def _catalog(kind: str) -> Catalog:
    if kind not in CATALOGS:
        raise Http404
    return CATALOGS[kind]


@administrator_required
def catalog_list(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    catalog = _catalog(kind)
    return render(
        request,
        "clients/catalog_list.html",
        {"catalog": catalog, "rows": catalog.rows(), "catalogs": CATALOGS.values()},
    )


@administrator_required
def catalog_edit(request: AuthenticatedRequest, kind: str, pk: int | None = None) -> HttpResponse:
    catalog = _catalog(kind)
    instance = get_object_or_404(catalog.model, pk=pk) if pk else None
    initial = {}
    if instance is not None:
        initial = {name: getattr(instance, name) for name in catalog.form.base_fields}
    form = catalog.form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            catalog.save(by=request.user, **{catalog.instance_arg: instance}, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Сохранено."))
            return redirect(catalog.url_list)
    return render(
        request,
        "clients/catalog_form.html",
        {
            "catalog": catalog,
            "form": form,
            "object": instance,
            "used": catalogs.usage_count(instance) if instance else 0,
            "history_label": catalog.model._meta.label_lower,
        },
    )


@administrator_required
@require_POST
def catalog_delete(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    catalog = _catalog(kind)
    instance = get_object_or_404(catalog.model, pk=pk)
    name = str(instance)
    try:
        if isinstance(instance, LeadSource):
            deleted = catalogs.lead_source_delete(by=request.user, source=instance)
        elif isinstance(instance, Industry):
            catalogs.industry_delete(by=request.user, industry=instance)
            deleted = True
        elif isinstance(instance, Tag):
            catalogs.tag_delete(by=request.user, tag=instance)
            deleted = True
        else:  # pragma: no cover - CATALOGS holds the three models above
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(catalog.url_edit, pk=pk)
    if deleted:
        messages.success(request, _("Запись «%(name)s» удалена из справочника.") % {"name": name})
    else:
        messages.info(
            request,
            _("Источник «%(name)s» указан в карточках, поэтому он отключён, а не удалён.")
            % {"name": name},
        )
    return redirect(catalog.url_list)

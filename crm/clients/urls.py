from django.urls import path

from crm.clients import views
from crm.clients.views import (
    catalogs,
    completeness,
    duplicates,
    imports,
    purge,
    quick_registration,
    segments,
)

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_edit, name="create"),
    path("quick/", quick_registration.client_quick, name="quick"),
    path(
        "quick/duplicates/",
        quick_registration.client_quick_duplicates,
        name="quick_duplicates",
    ),
    path("completeness/", completeness.completeness_report, name="completeness"),
    path(
        "settings/completeness/",
        completeness.completeness_settings,
        name="completeness_settings",
    ),
    path("settings/entry-rules/", completeness.entry_rules_settings, name="entry_rules_settings"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/bank-accounts/new/", views.bank_account_add, name="bank_account_add"),
    path("<int:pk>/tab/<slug:tab>/", views.client_tab, name="tab"),
]

# Segments, group processing, purge, catalogs.
urlpatterns += [
    path("filters/save/", segments.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", segments.saved_filter_delete, name="saved_filter_delete"),
    path("group/", segments.group_change, name="group_change"),
    path("group/undo/", segments.group_change_undo, name="group_change_undo"),
    path("purge/", purge.purge_list, name="purge_list"),
    path("<int:pk>/purge/", purge.purge_confirm, name="purge"),
]
for kind, one in (("sources", "source"), ("industries", "industry"), ("tags", "tag")):
    urlpatterns += [
        path(f"settings/{kind}/", catalogs.catalog_list, {"kind": kind}, name=f"catalog_{kind}"),
        path(
            f"settings/{kind}/new/",
            catalogs.catalog_edit,
            {"kind": kind},
            name=f"catalog_{one}_create",
        ),
        path(
            f"settings/{kind}/<int:pk>/",
            catalogs.catalog_edit,
            {"kind": kind},
            name=f"catalog_{one}_edit",
        ),
        path(
            f"settings/{kind}/<int:pk>/delete/",
            catalogs.catalog_delete,
            {"kind": kind},
            name=f"catalog_{one}_delete",
        ),
    ]

# Import and export.
urlpatterns += [
    path("import/", imports.import_upload, name="import"),
    path("import/<int:pk>/mapping/", imports.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", imports.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", imports.import_apply, name="import_apply"),
    path("export.<str:file_format>", imports.client_export, name="export"),
]

# Duplicates: the review of the full scan, merge and its undo.
urlpatterns += [
    path("duplicates/", duplicates.duplicate_list, name="duplicates"),
    path(
        "duplicates/contacts/",
        duplicates.duplicate_list,
        {"what": "contacts"},
        name="contact_duplicates",
    ),
    path("duplicates/scan/", duplicates.duplicate_scan_start, name="duplicate_scan"),
    path(
        "duplicates/scan/<int:pk>/",
        duplicates.duplicate_scan_status,
        name="duplicate_scan_status",
    ),
    path(
        "duplicates/<int:pk>/dismiss/",
        duplicates.client_duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path(
        "duplicates/contacts/<int:pk>/dismiss/",
        duplicates.contact_duplicate_dismiss,
        name="contact_duplicate_dismiss",
    ),
    path("merge/<int:kept_pk>/<int:merged_pk>/", duplicates.client_merge, name="merge"),
    path(
        "contacts/merge/<int:kept_pk>/<int:merged_pk>/",
        duplicates.contact_merge,
        name="contact_merge",
    ),
    path("merges/<int:pk>/", duplicates.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/undo/", duplicates.merge_undo, name="merge_undo"),
]

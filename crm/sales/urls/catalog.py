from django.urls import path

from crm.sales.views import catalog, organizations

urlpatterns = [
    path("", catalog.product_list, name="catalog"),
    path("search/", catalog.product_search_json, name="product_search"),
    path("new/", catalog.product_edit, name="product_create"),
    path("<int:pk>/", catalog.product_edit, name="product_edit"),
    path("import/", catalog.product_import, name="product_import"),
    path("groups/", catalog.group_list, name="product_groups"),
    path("groups/new/", catalog.group_edit, name="product_group_create"),
    path("groups/<int:pk>/", catalog.group_edit, name="product_group_edit"),
    path("groups/<int:pk>/delete/", catalog.group_delete, name="product_group_delete"),
    path("units/", catalog.unit_list, name="units"),
    path("units/new/", catalog.unit_edit, name="unit_create"),
    path("units/<int:pk>/", catalog.unit_edit, name="unit_edit"),
    path("units/<int:pk>/delete/", catalog.unit_delete, name="unit_delete"),
    path("organizations/", organizations.organization_list, name="organizations"),
    path("organizations/new/", organizations.organization_edit, name="organization_create"),
    path("organizations/<int:pk>/", organizations.organization_edit, name="organization_edit"),
    path(
        "organizations/<int:pk>/default/",
        organizations.organization_make_default,
        name="organization_make_default",
    ),
    path(
        "organizations/<int:pk>/accounts/new/",
        organizations.bank_account_edit,
        name="organization_account_create",
    ),
    path(
        "organizations/<int:pk>/accounts/<int:account_pk>/",
        organizations.bank_account_edit,
        name="organization_account_edit",
    ),
    path(
        "organizations/<int:pk>/accounts/<int:account_pk>/delete/",
        organizations.bank_account_delete,
        name="organization_account_delete",
    ),
]

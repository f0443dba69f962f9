"""The pages of the sale process; each part has its own module so they grow apart."""

from django.urls import include, path

app_name = "sales"

urlpatterns = [
    path("", include("crm.sales.urls.deals")),
    path("catalog/", include("crm.sales.urls.catalog")),
    path("proposals/", include("crm.sales.urls.proposals")),
    path("settings/", include("crm.sales.urls.setup")),
]

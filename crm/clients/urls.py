from django.urls import path

from crm.clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_edit, name="create"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/bank-accounts/new/", views.bank_account_add, name="bank_account_add"),
    path("<int:pk>/tab/<slug:tab>/", views.client_tab, name="tab"),
]

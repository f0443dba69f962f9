"""Every endpoint of /api/v1/ is registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from crm.accounts.api.views import DepartmentViewSet, MeView, UserViewSet
from crm.clients.api.views import ClientViewSet, LeadSourceViewSet
from crm.core.api.views import AuditEntryViewSet, NotificationViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("departments", DepartmentViewSet, basename="department")
router.register("clients", ClientViewSet, basename="client")
router.register("lead-sources", LeadSourceViewSet, basename="lead-source")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("audit", AuditEntryViewSet, basename="audit")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]

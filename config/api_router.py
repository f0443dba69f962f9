"""Every endpoint of /api/v1/ is registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from crm.accounts.api.views import DepartmentViewSet, MeView, UserViewSet
from crm.activities.api.absences import AbsenceViewSet
from crm.activities.api.feed import CalendarFeedRotateView, CalendarFeedView
from crm.activities.api.handover import HandoverViewSet
from crm.activities.api.reminders import ReminderViewSet
from crm.activities.api.views import ActivityKindViewSet, ActivityViewSet
from crm.clients.api.contacts import ContactViewSet
from crm.clients.api.duplicates import (
    ClientDuplicateCheckView,
    ClientDuplicateListView,
    ClientMergeView,
    MergeUndoView,
)
from crm.clients.api.entry_rules import ClientEntryRulesView
from crm.clients.api.imports import (
    ClientExportView,
    ClientImportApplyView,
    ClientImportDetailView,
    ClientImportView,
)
from crm.clients.api.segments import (
    GroupChangeUndoView,
    GroupChangeView,
    IndustryViewSet,
    SavedFilterViewSet,
    TagViewSet,
)
from crm.clients.api.views import ClientViewSet, LeadSourceViewSet
from crm.core.api.views import AuditEntryViewSet, NotificationViewSet
from crm.sales.api import catalog as sales_catalog
from crm.sales.api import deals as sales_deals
from crm.sales.api import pipelines as sales_pipelines
from crm.sales.api import proposals as sales_proposals

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("departments", DepartmentViewSet, basename="department")
router.register("clients", ClientViewSet, basename="client")
router.register("lead-sources", LeadSourceViewSet, basename="lead-source")
router.register("contacts", ContactViewSet, basename="contact")
router.register("saved-filters", SavedFilterViewSet, basename="saved-filter")
router.register("tags", TagViewSet, basename="tag")
router.register("industries", IndustryViewSet, basename="industry")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("activities", ActivityViewSet, basename="activity")
router.register("activity-kinds", ActivityKindViewSet, basename="activity-kind")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("handover", HandoverViewSet, basename="handover")
router.register("absences", AbsenceViewSet, basename="absence")
for part in (sales_pipelines, sales_deals, sales_catalog, sales_proposals):
    part.register(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("calendar-feed/", CalendarFeedView.as_view(), name="calendar-feed"),
    path("calendar-feed/rotate/", CalendarFeedRotateView.as_view(), name="calendar-feed-rotate"),
    path(
        "clients/<int:pk>/entry-rules/",
        ClientEntryRulesView.as_view(),
        name="client-entry-rules",
    ),
    # Import and export come before the router: "clients/export.csv" would match its
    # "clients/{pk}.{format}" route.
    path("clients/import/", ClientImportView.as_view(), name="client-import"),
    path(
        "clients/import/<int:pk>/",
        ClientImportDetailView.as_view(),
        name="client-import-detail",
    ),
    path(
        "clients/import/<int:pk>/apply/",
        ClientImportApplyView.as_view(),
        name="client-import-apply",
    ),
    path(
        "clients/export.csv",
        ClientExportView.as_view(file_format="csv"),
        name="client-export-csv",
    ),
    path(
        "clients/export.xlsx",
        ClientExportView.as_view(file_format="xlsx"),
        name="client-export-xlsx",
    ),
    # Before the router too: its "clients/{pk}/" would take "group-change".
    path("clients/group-change/", GroupChangeView.as_view(), name="client-group-change"),
    path(
        "clients/group-change/undo/",
        GroupChangeUndoView.as_view(),
        name="client-group-change-undo",
    ),
    # Duplicates and merge, before the router as well ("clients/{pk}/").
    path(
        "clients/duplicate-check/",
        ClientDuplicateCheckView.as_view(),
        name="client-duplicate-check",
    ),
    path("clients/merge/", ClientMergeView.as_view(), name="client-merge"),
    path("client-duplicates/", ClientDuplicateListView.as_view(), name="client-duplicates"),
    path("merges/<int:pk>/undo/", MergeUndoView.as_view(), name="merge-undo"),
    *sales_pipelines.urlpatterns,
    *sales_deals.urlpatterns,
    *sales_catalog.urlpatterns,
    *sales_proposals.urlpatterns,
    *router.urls,
]

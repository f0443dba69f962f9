from django.urls import path

from crm.core import views, views_workdays

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("soon/<slug:code>/", views.section_soon, name="section"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="bell"),
    path("notifications/read/", views.notification_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("history/<str:label>/<str:object_id>/", views.object_history, name="history"),
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("settings/jobs/", views.job_list, name="jobs"),
    path("settings/calendar/", views_workdays.workday_calendar, name="workday_calendar"),
    path(
        "settings/calendar/<int:pk>/delete/",
        views_workdays.workday_correction_delete,
        name="workday_correction_delete",
    ),
]

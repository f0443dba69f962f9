from django.urls import path

from crm.activities.views import (
    absences,
    activities,
    attachments,
    calendar,
    feed,
    handover,
    reminders,
)

app_name = "activities"

urlpatterns = [
    path("", activities.activity_list, name="list"),
    path("new/", activities.activity_create, name="create"),
    path("bulk/", activities.activity_bulk, name="bulk"),
    path("pick/clients/", activities.client_search, name="client_search"),
    path("pick/contacts/", activities.contact_options, name="contacts"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar_events"),
    path("calendar/<int:pk>/move/", calendar.calendar_move, name="calendar_move"),
    path("<int:pk>/", activities.activity_detail, name="detail"),
    path("<int:pk>/edit/", activities.activity_edit, name="edit"),
    path("<int:pk>/complete/", activities.activity_complete, name="complete"),
    path("<int:pk>/cancel/", activities.activity_cancel, name="cancel"),
    path("<int:pk>/reschedule/", activities.activity_reschedule, name="reschedule"),
    path("<int:pk>/files/", attachments.attachment_upload, name="attachment_upload"),
    path(
        "<int:pk>/files/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    # Reminders, handover, absences, the calendar feed's URL (services/delivery.py and others).
    path("reminders/<int:pk>/snooze/", reminders.reminder_snooze, name="reminder_snooze"),
    path("reminders/<int:pk>/seen/", reminders.reminder_seen, name="reminder_seen"),
    path("reminders/<int:pk>/open/", reminders.reminder_open, name="reminder_open"),
    path("reminders/seen/", reminders.reminders_seen_all, name="reminders_seen_all"),
    path("handover/", handover.handover_page, name="handover"),
    path("handover/journal/", handover.handover_journal, name="handover_journal"),
    path("handover/<int:pk>/", handover.handover_detail, name="handover_detail"),
    path("absences/", absences.absence_page, name="absences"),
    path("absences/<int:pk>/cancel/", absences.absence_cancel, name="absence_cancel"),
    path("calendar-feed/rotate/", feed.calendar_feed_rotate, name="calendar_feed_rotate"),
]

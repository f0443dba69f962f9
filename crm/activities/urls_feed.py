"""The public address of the calendar feeds: /calendar/feed/<secret token>.ics (no login)."""

from django.urls import path

from crm.activities.views import feed

app_name = "calendar_feed"

urlpatterns = [
    path("<str:token>.ics", feed.calendar_feed_ics, name="ics"),
]

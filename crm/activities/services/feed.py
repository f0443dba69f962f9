"""The secret calendar feed of each user: an iCalendar (RFC 5545) document of their planned
activities that phones and Outlook subscribe to by URL, without a login.

The URL carries a random token (CalendarFeed.token, 256 bits); rotating it gives a new URL and
the old one answers 404 from then on. The feed holds the planned activities where the user is
responsible or co-executor — and, while substituting, the absent colleague's — from 30 days back
to 180 days ahead; each event keeps its UID (`activity-<id>@svod`) so a calendar updates it in
place, times are in UTC, and every pending reminder of the user is an alarm relative to the
start."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import icalendar
from django.db import models, transaction
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.access import acting_for
from crm.accounts.models import User
from crm.activities.models import Activity, ActivityStatus, CalendarFeed, Reminder, ReminderStatus
from crm.core.audit import audit_record
from crm.core.models import AuditAction

DAYS_BACK = 30
DAYS_AHEAD = 180
MAX_EVENTS = 10_000
DEFAULT_MINUTES = 30
UID_DOMAIN = "svod"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        return feed
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": _new_token()})
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=user, token=_new_token())
        comment = _("Создана ссылка на календарь")
    else:
        feed.token = _new_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
        comment = _("Ссылка на календарь заменена, старая больше не работает")
    # The token itself is a secret: the history says that it changed, not what it is.
    audit_record(actor=user, action=AuditAction.OTHER, instance=feed, comment=comment)
    return feed


def feed_user(token: str) -> User | None:
    """The working user whose feed `token` opens, or None."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user")
    found = feed.first()
    return found.user if found is not None else None


def feed_activities(user: User, *, now: dt.datetime) -> models.QuerySet[Activity]:
    people = acting_for(user)
    helpers = Activity.co_executors.through.objects.filter(user_id__in=people).values("activity_id")
    return (
        Activity.objects.filter(
            models.Q(responsible_id__in=people) | models.Q(pk__in=helpers),
            status=ActivityStatus.PLANNED,
            start_at__gte=now - dt.timedelta(days=DAYS_BACK),
            start_at__lte=now + dt.timedelta(days=DAYS_AHEAD),
        )
        .select_related("kind", "client", "responsible")
        .prefetch_related(
            Prefetch(
                "reminders",
                queryset=Reminder.objects.filter(
                    status=ReminderStatus.PENDING, user_id__in=people
                ).order_by("remind_at", "pk"),
                to_attr="feed_reminders",
            )
        )
        .order_by("start_at", "pk")
    )


def activity_link(activity: Activity) -> str:
    """The activity's page; the client card while the activity page is not there."""
    try:
        return reverse("activities:detail", args=[activity.pk])
    except NoReverseMatch:
        if activity.client_id:
            return reverse("clients:detail", args=[activity.client_id])
        return reverse("core:dashboard")


def _event(activity: Activity, *, user: User, base_url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"activity-{activity.pk}@{UID_DOMAIN}")
    event.add("dtstamp", activity.updated_at.astimezone(dt.UTC))
    event.add("last-modified", activity.updated_at.astimezone(dt.UTC))
    summary = f"{activity.kind.name}: {activity.subject}"
    event.add("summary", summary)
    start = activity.start_at.astimezone(dt.UTC)
    if activity.all_day:
        day = timezone.localtime(activity.start_at, timezone.get_default_timezone()).date()
        last = (
            timezone.localtime(activity.end_at, timezone.get_default_timezone()).date()
            if activity.end_at
            else day
        )
        event.add("dtstart", day)
        event.add("dtend", last + dt.timedelta(days=1))
    else:
        minutes = activity.duration_minutes or activity.kind.default_duration_minutes
        end = activity.end_at or activity.start_at + dt.timedelta(
            minutes=minutes or DEFAULT_MINUTES
        )
        event.add("dtstart", start)
        event.add("dtend", end.astimezone(dt.UTC))
    lines = []
    if activity.client_id:
        lines.append(_("Клиент: %(client)s") % {"client": activity.client})
    if activity.goal:
        lines.append(_("Цель: %(goal)s") % {"goal": activity.goal})
    if activity.responsible_id != user.pk:
        lines.append(_("Ответственный: %(name)s") % {"name": activity.responsible.full_name})
    if lines:
        event.add("description", "\n".join(lines))
    event.add("url", base_url + activity_link(activity))
    event.add("status", "CONFIRMED")
    event.add("categories", [activity.kind.name])
    for reminder in getattr(activity, "feed_reminders", []):
        alarm = icalendar.Alarm()
        alarm.add("uid", f"reminder-{reminder.pk}@{UID_DOMAIN}")
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", reminder.remind_at - activity.start_at)  # related to the start
        event.add_component(alarm)
    return event


def feed_render(*, user: User, base_url: str, now: dt.datetime | None = None) -> bytes:
    """The user's feed as iCalendar bytes; `base_url` ("https://crm.example.ru") makes the
    links absolute."""
    now = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Svod CRM//Activities//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Свод: %(name)s") % {"name": user.short_name})
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("refresh-interval", dt.timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    for activity in feed_activities(user, now=now)[:MAX_EVENTS]:
        calendar.add_component(_event(activity, user=user, base_url=base_url))
    return bytes(calendar.to_ical())


def feed_url(feed: CalendarFeed, *, base_url: str) -> str:
    return base_url + reverse("calendar_feed:ics", args=[feed.token])


def feed_context(user: Any, *, base_url: str) -> dict[str, Any]:
    feed = calendar_feed_get_or_create(user=user)
    return {"feed": feed, "feed_url": feed_url(feed, base_url=base_url)}

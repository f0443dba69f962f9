"""Delivery of due reminders by the worker: at least once, yet shown once.

Every 30 seconds the worker runs `activities.send_reminders` (crm.core.jobs.periodic_job). It
takes the due PENDING reminders in batches, in the order they fall due, and delivers each one in
its own savepoint (a transaction commits a few of them at a time):

1. the recipient is the reminder's user, or — while that user is away (an Absence in force
   today) — the substitute, who is told whose work it is;
2. the bell notification is created with the key `reminder:<id>:<remind_at>` and the e-mail job
   is queued with the key `reminder-email:<id>:<remind_at>` — inside the same savepoint, so
   neither can exist without the other and a second attempt finds both instead of adding more;
3. the reminder is marked SENT with a conditional UPDATE (still PENDING, same remind_at). When
   that finds nothing — another worker delivered it, or it was snoozed meanwhile — the
   savepoint is rolled back and nothing of this attempt remains.

A worker that dies anywhere in between leaves nothing committed: the reminder is still PENDING
and the next run (of any worker) delivers it. Two workers racing for the same reminder meet at
the unique keys and the conditional UPDATE: one notification and one e-mail. Reminders of
activities that are done or cancelled are not sent: they are cancelled. Someone who has left
still gets the bell (nobody reads it) but no e-mail."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.accounts.models import Absence, User
from crm.activities.models import Activity, ActivityStatus, Reminder, ReminderStatus
from crm.activities.selectors.activities import user_zone
from crm.core.jobs import job_enqueue, periodic_job
from crm.core.models import Job
from crm.core.services import notification_create

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_BATCHES = 50  # at most 10 000 reminders per run; the next run takes the rest
COMMIT_EVERY = 25  # reminders per transaction (each one in its own savepoint)
PERIOD_SECONDS = 30


def reminder_notification_key(reminder: Reminder) -> str:
    """The key of the bell notification of one firing of a reminder: a snoozed reminder fires
    again at another time, under another key."""
    return f"reminder:{reminder.pk}:{reminder.remind_at.isoformat()}"


def reminder_email_key(reminder: Reminder) -> str:
    return f"reminder-email:{reminder.pk}:{reminder.remind_at.isoformat()}"


def reminder_open_url(reminder: Reminder) -> str:
    from django.urls import reverse

    return reverse("activities:reminder_open", args=[reminder.pk])


# --- the text ------------------------------------------------------------------------------


def format_when(activity: Activity, recipient: User) -> str:
    """The activity's start in the recipient's time zone: «26.11.2026 13:00»; an all-day one
    by its date in the company's time zone (the day it was planned for)."""
    if activity.all_day:
        day = timezone.localtime(activity.start_at, timezone.get_default_timezone())
        return _("%(date)s, весь день") % {"date": f"{day:%d.%m.%Y}"}
    local = activity.start_at.astimezone(user_zone(recipient))
    return f"{local:%d.%m.%Y %H:%M}"


def reminder_text(
    reminder: Reminder, *, recipient: User, absent: User | None = None
) -> tuple[str, str]:
    """The title and body of the reminder's notification, in the recipient's language."""
    activity = reminder.activity
    with translation.override(getattr(recipient, "language", "") or "ru"):
        if activity.subject.casefold().startswith(activity.kind.name.casefold()):
            title = activity.subject  # «Звонок: ООО «Ромашка»» already says what it is
        else:
            title = _("%(kind)s: %(subject)s") % {
                "kind": activity.kind.name,
                "subject": activity.subject,
            }
        if absent is not None:
            title = _("%(title)s (за %(name)s)") % {"title": title, "name": absent.short_name}
        lines = [_("Когда: %(when)s") % {"when": format_when(activity, recipient)}]
        if activity.client_id:
            lines.append(_("Клиент: %(client)s") % {"client": activity.client})
        if activity.goal:
            lines.append(_("Цель: %(goal)s") % {"goal": activity.goal})
        if absent is not None:
            lines.append(
                _("Вы получили это напоминание как замещающий: событие сотрудника %(name)s.")
                % {"name": absent.full_name}
            )
    return title[:200], "\n".join(lines)


# --- who gets it ----------------------------------------------------------------------------


def substitutes_today(user_ids: set[int], *, today: dt.date) -> dict[int, User]:
    """{absent user id: their working substitute} for the absences in force on `today`."""
    absences = (
        Absence.objects.filter(
            user_id__in=user_ids,
            date_from__lte=today,
            date_to__gte=today,
            substitute__is_active=True,
        )
        .select_related("substitute")
        .order_by("date_from", "id")
    )
    return {absence.user_id: absence.substitute for absence in absences}


# --- delivery -------------------------------------------------------------------------------


def _due(now: dt.datetime) -> models.QuerySet[Reminder]:
    return Reminder.objects.filter(status=ReminderStatus.PENDING, remind_at__lte=now)


def cancel_reminders_of_finished_activities(*, now: dt.datetime) -> int:
    """Due reminders of done or cancelled activities are never sent."""
    finished = _due(now).exclude(activity__status=ActivityStatus.PLANNED)
    return Reminder.objects.filter(
        pk__in=list(finished.values_list("pk", flat=True)[: BATCH_SIZE * MAX_BATCHES]),
        status=ReminderStatus.PENDING,
    ).update(status=ReminderStatus.CANCELLED)


def _batches(now: dt.datetime) -> Iterator[list[Reminder]]:
    """Due reminders in the order they fell due, a batch at a time (keyset pagination: a
    reminder that failed stays behind the cursor and is retried on the next run)."""
    cursor: tuple[dt.datetime, int] | None = None
    for _batch in range(MAX_BATCHES):
        due = _due(now).filter(activity__status=ActivityStatus.PLANNED)
        if cursor is not None:
            at, pk = cursor
            due = due.filter(models.Q(remind_at__gt=at) | models.Q(remind_at=at, pk__gt=pk))
        batch = list(
            due.select_related("activity__kind", "activity__client", "user").order_by(
                "remind_at", "pk"
            )[:BATCH_SIZE]
        )
        if not batch:
            return
        yield batch
        cursor = (batch[-1].remind_at, batch[-1].pk)


def _mark_sent(reminder: Reminder, *, now: dt.datetime) -> bool:
    """Still PENDING at the same time → SENT; False when another worker was first or the
    reminder was snoozed or cancelled meanwhile."""
    updated = Reminder.objects.filter(
        pk=reminder.pk, status=ReminderStatus.PENDING, remind_at=reminder.remind_at
    ).update(status=ReminderStatus.SENT, sent_at=now, seen_at=None)
    return updated == 1


class _Superseded(Exception):
    """Raised inside a delivery's transaction to roll it back when the reminder was taken."""


def deliver_reminder(
    reminder: Reminder, *, recipient: User, absent: User | None, now: dt.datetime
) -> bool:
    """Deliver one reminder, all or nothing (a savepoint inside the caller's transaction); True
    when this call delivered it."""
    title, body = reminder_text(reminder, recipient=recipient, absent=absent)
    try:
        with transaction.atomic():
            notification_create(
                user=recipient,
                title=title,
                body=body,
                url=reminder_open_url(reminder),
                email=False,  # queued below, in this transaction, under the reminder's own key
                key=reminder_notification_key(reminder),
            )
            if recipient.email and recipient.is_active:  # no mail to someone who left
                job_enqueue(
                    kind="core.send_email",
                    payload={"subject": title, "body": body, "to": [recipient.email]},
                    key=reminder_email_key(reminder),
                )
            if not _mark_sent(reminder, now=now):
                raise _Superseded
    except _Superseded:
        return False
    return True


def deliver_due_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every reminder due at `now`; returns counts for the job journal."""
    now = now or timezone.now()
    result = {"sent": 0, "skipped": 0, "failed": 0}
    result["cancelled"] = cancel_reminders_of_finished_activities(now=now)
    today = timezone.localdate(now)
    for batch in _batches(now):
        substitutes = substitutes_today({reminder.user_id for reminder in batch}, today=today)
        for start in range(0, len(batch), COMMIT_EVERY):
            # One commit for several reminders, each in its own savepoint: a worker dying
            # rolls back the whole group, which stays PENDING for the next run.
            with transaction.atomic():
                for reminder in batch[start : start + COMMIT_EVERY]:
                    substitute = substitutes.get(reminder.user_id)
                    recipient = substitute or reminder.user
                    absent = reminder.user if substitute is not None else None
                    try:
                        delivered = deliver_reminder(
                            reminder, recipient=recipient, absent=absent, now=now
                        )
                    except Exception:  # one broken reminder must not hold back the others
                        logger.exception("Reminder %s was not delivered", reminder.pk)
                        result["failed"] += 1
                        continue
                    result["sent" if delivered else "skipped"] += 1
    return result


@periodic_job("activities.send_reminders", every_seconds=PERIOD_SECONDS)
def send_reminders_job(job: Job) -> dict[str, Any]:
    return deliver_due_reminders()

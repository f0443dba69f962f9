"""Pages and fragments of reminders: snooze (from the bell, the "Пока вас не было" panel or the
activity page), mark seen, open (marks seen, goes to the activity)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.http import AuthenticatedRequest
from crm.activities.selectors.reminders import missed_reminders, reminder_get
from crm.activities.services import reminders as services
from crm.activities.services.feed import activity_link
from crm.activities.shell_reminders import MISSED_SHOWN, snooze_choices
from crm.core.views import notification_bell

ORIGIN_BELL = "bell"
ORIGIN_MISSED = "missed"


def _back(request: AuthenticatedRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("core:dashboard")


def _missed_panel(request: AuthenticatedRequest) -> HttpResponse:
    missed = missed_reminders(request.user)
    return render(
        request,
        "activities/partials/_missed_reminders.html",
        {
            "missed": missed[:MISSED_SHOWN],
            "missed_total": len(missed),
            "snooze_choices": snooze_choices(),
        },
    )


def _answer(request: AuthenticatedRequest, done: str, error: str = "") -> HttpResponse:
    """htmx: the fragment the request came from, drawn again; otherwise back to the page."""
    origin = request.POST.get("origin", "")
    if request.htmx and origin == ORIGIN_BELL:
        return notification_bell(request)
    if request.htmx and origin == ORIGIN_MISSED:
        return _missed_panel(request)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        (messages.error if error else messages.success)(request, error or done)
        return response
    (messages.error if error else messages.success)(request, error or done)
    return _back(request)


@login_required
@require_POST
def reminder_snooze(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    reminder = reminder_get(user=request.user, pk=pk)
    try:
        reminder = services.reminder_snooze(
            by=request.user, reminder=reminder, delta=request.POST.get("delta", "")
        )
    except ValidationError as error:
        return _answer(request, "", error=" ".join(error.messages))
    when = timezone.localtime(reminder.remind_at)
    return _answer(request, _("Напомню снова %(when)s.") % {"when": f"{when:%d.%m.%Y в %H:%M}"})


@login_required
@require_POST
def reminder_seen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    reminder = reminder_get(user=request.user, pk=pk)
    services.reminder_mark_seen(by=request.user, reminders=[reminder])
    return _answer(request, _("Напоминание скрыто."))


@login_required
@require_POST
def reminders_seen_all(request: AuthenticatedRequest) -> HttpResponse:
    services.reminder_mark_seen(by=request.user, reminders=missed_reminders(request.user))
    return _answer(request, _("Пропущенные напоминания скрыты."))


@login_required
def reminder_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Where a reminder's notification leads: marks it seen, then shows the activity."""
    reminder = reminder_get(user=request.user, pk=pk)
    services.reminder_mark_seen(by=request.user, reminders=[reminder])
    return redirect(activity_link(reminder.activity))

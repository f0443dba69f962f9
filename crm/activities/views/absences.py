"""Absences (отсутствие и замещение): the current and coming ones, a new one, cancelling.
The rules are crm.accounts.services.absence_create / absence_cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts import services as accounts_services
from crm.accounts.http import AuthenticatedRequest
from crm.accounts.selectors import absence_list
from crm.activities.forms_handover import AbsenceForm
from crm.core.forms import apply_errors


@login_required
def absence_page(request: AuthenticatedRequest) -> HttpResponse:
    form = AbsenceForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            absence = accounts_services.absence_create(by=request.user, **values)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Отсутствие отмечено: %(user)s, %(start)s–%(end)s, замещает %(substitute)s.")
                % {
                    "user": absence.user.full_name,
                    "start": f"{absence.date_from:%d.%m.%Y}",
                    "end": f"{absence.date_to:%d.%m.%Y}",
                    "substitute": absence.substitute.full_name,
                },
            )
            return redirect("activities:absences")
    absences = list(absence_list(user=request.user))
    today = timezone.localdate()
    return render(
        request,
        "activities/absence_list.html",
        {
            "form": form,
            "absences": [
                (
                    absence,
                    absence.date_from <= today,
                    accounts_services.absence_can_manage(request.user, absence.user),
                )
                for absence in absences
            ],
        },
    )


@login_required
@require_POST
def absence_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    absence = absence_list(user=request.user).filter(pk=pk).first()
    if absence is None or not accounts_services.absence_can_manage(request.user, absence.user):
        raise Http404
    try:
        accounts_services.absence_cancel(by=request.user, absence=absence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Отсутствие отменено."))
    return redirect("activities:absences")

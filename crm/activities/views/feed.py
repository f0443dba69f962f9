"""The calendar feed: the .ics answered without a login to whoever holds the secret URL, and
replacing the URL from the profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.accounts.http import AuthenticatedRequest
from crm.activities.services import feed as services


def base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    user = services.feed_user(token)
    if user is None:
        raise Http404
    content = services.feed_render(user=user, base_url=base_url(request))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="svod.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def calendar_feed_rotate(request: AuthenticatedRequest) -> HttpResponse:
    feed = services.calendar_feed_rotate(user=request.user)
    if request.htmx:
        return render(
            request, "activities/partials/_feed_panel.html", {"feed": feed, "rotated": True}
        )
    messages.success(request, _("Ссылка заменена: старая больше не работает."))
    return redirect("accounts:profile")

"""Files attached to an activity: upload, and download only through this view, which opens the
activity with the user's access checked first (a guessed id answers 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.http import AuthenticatedRequest
from crm.activities.selectors import activities as selectors
from crm.activities.services import activities as services


@login_required
@require_POST
def attachment_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Выберите файл."))
    else:
        try:
            services.attachment_add(by=request.user, activity=activity, file=upload)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Файл «%(name)s» прикреплён.") % {"name": upload.name})
    return redirect(services.activity_url(activity))


@login_required
def attachment_download(
    request: AuthenticatedRequest, pk: int, attachment_id: int
) -> HttpResponseBase:
    activity = selectors.activity_get(user=request.user, pk=pk)
    attachment = activity.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=attachment.name)

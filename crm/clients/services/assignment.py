"""The notice to an employee made responsible for clients by someone else — from the card's
form, the API or a group change. One place for the text, so every path says the same; the bell
and the e-mail copy come from crm.core's notification_create."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.clients.domain.plural import plural_form
from crm.clients.models import Client
from crm.core.models import Notification
from crm.core.services import notification_create

NAMES_LISTED = 5  # of a group, the names shown in the notice; the rest is counted


def _title(clients: Sequence[Client]) -> str:
    if len(clients) == 1:
        return _("Вам передан клиент: %(name)s") % {"name": clients[0].name}
    text = plural_form(
        len(clients),
        _("Вам передан %(count)s клиент"),
        _("Вам переданы %(count)s клиента"),
        _("Вам передано %(count)s клиентов"),
    )
    return text % {"count": len(clients)}


def _body(*, by: User, clients: Sequence[Client], url: str) -> str:
    lines = [_("Передал: %(name)s") % {"name": by.full_name}]
    if len(clients) == 1:
        client = clients[0]
        text = client.name + (f", {_('ИНН')} {client.inn}" if client.inn else "")
        lines.append(_("Клиент: %(client)s") % {"client": text})
    else:
        names = sorted(client.name for client in clients)
        lines.append(_("Клиенты: %(names)s") % {"names": ", ".join(names[:NAMES_LISTED])})
        if len(names) > NAMES_LISTED:
            lines.append(_("и ещё %(count)s") % {"count": len(names) - NAMES_LISTED})
    lines.append(_("Открыть: %(url)s") % {"url": url})
    return "\n".join(lines)


def clients_assigned_notify(
    *, by: User, owner: User, clients: Sequence[Client]
) -> Notification | None:
    """Tell `owner` (bell and e-mail) that `by` made them responsible for `clients`: one notice
    for the whole set, linking to the card (one client) or to the list of their clients. Nothing
    when `by` assigned them to themselves, when the owner has left, or when there are none."""
    if not clients or owner.pk == by.pk or not owner.is_active:
        return None
    if len(clients) == 1:
        url = reverse("clients:detail", args=[clients[0].pk])
    else:
        url = f"{reverse('clients:list')}?{urlencode({'owner': owner.pk})}"
    with translation.override(getattr(owner, "language", "") or "ru"):
        title = _title(clients)
        body = _body(by=by, clients=clients, url=url)
    return notification_create(user=owner, title=title[:200], body=body, url=url)

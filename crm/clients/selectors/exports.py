"""The rows of a client export (CSV/XLSX): any filtered list of the client list page, only
the clients the user may see (selectors.client_list is scoped), read in chunks so a large
base is streamed, not loaded.

The column titles are the ones the import recognises, so an exported file can be loaded back.
Phones of Russia are written the Russian way, «8 (495) 123-45-67»: that is what people read,
and it does not start with «+», which the spreadsheet rule would have to neutralize."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import phonenumbers
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.clients.domain.normalize import format_phone
from crm.clients.models import Client, ClientKind, ClientSize, ClientStatus
from crm.clients.selectors import ClientFilter, client_list
from crm.core.domain.spreadsheet import Cell

CHUNK_SIZE = 2000

EXPORT_COLUMNS = (
    (_("Наименование"), 40),
    (_("Полное наименование"), 50),
    (_("Вид"), 16),
    (_("ИНН"), 14),
    (_("КПП"), 12),
    (_("ОГРН/ОГРНИП"), 17),
    (_("Телефон"), 20),
    (_("E-mail"), 28),
    (_("Сайт"), 24),
    (_("Юридический адрес"), 40),
    (_("Фактический адрес"), 40),
    (_("Регион"), 20),
    (_("Отрасль"), 20),
    (_("Размер"), 20),
    (_("Источник"), 20),
    (_("Метки"), 20),
    (_("Ответственный"), 28),
    (_("Отдел"), 24),
    (_("Статус"), 14),
    (_("Заполненность, %"), 12),
    (_("Комментарий"), 40),
    (_("Создан"), 12),
)


def export_header() -> list[str]:
    return [str(title) for title, _width in EXPORT_COLUMNS]


def export_widths() -> list[int]:
    return [width for _title, width in EXPORT_COLUMNS]


def phone_for_export(e164: str) -> str:
    """'+74951234567' → '8 (495) 123-45-67'; a foreign number in the international format.
    A stored number is E.164 already, so a Russian one is formatted without parsing it again
    (parsing is most of the cost over a large list)."""
    if not e164:
        return ""
    if e164.startswith("+7") and len(e164) == 12 and e164[1:].isdigit():
        number = phonenumbers.PhoneNumber(country_code=7, national_number=int(e164[2:]))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return format_phone(e164)


class _Labels:
    """The choices' labels, translated once per export rather than once per cell."""

    def __init__(self) -> None:
        self.kind = {value: str(label) for value, label in ClientKind.choices}
        self.size = {value: str(label) for value, label in ClientSize.choices}
        self.status = {value: str(label) for value, label in ClientStatus.choices}


def export_row(
    client: Client, labels: _Labels | None = None, tags: Sequence[str] = ()
) -> list[Cell]:
    labels = labels or _Labels()
    return [
        client.name,
        client.full_name,
        labels.kind.get(client.kind, client.kind),
        client.inn,
        client.kpp,
        client.ogrn,
        phone_for_export(client.phone),
        client.email,
        client.website,
        client.legal_address,
        client.actual_address,
        client.region,
        client.industry.name if client.industry else "",
        labels.size.get(client.size, client.size),
        client.source.name if client.source else "",
        ", ".join(tags),
        client.owner.full_name,
        client.department.name if client.department else "",
        labels.status.get(client.status, client.status),
        client.completeness,
        client.comment,
        timezone.localtime(client.created_at).date(),
    ]


EXPORT_FIELDS = (
    "kind",
    "name",
    "full_name",
    "inn",
    "kpp",
    "ogrn",
    "phone",
    "email",
    "website",
    "legal_address",
    "actual_address",
    "region",
    "size",
    "status",
    "completeness",
    "comment",
    "created_at",
    "industry__name",
    "source__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "owner__middle_name",
    "department__name",
)


def _rows(clients: list[Client], labels: _Labels) -> Iterator[list[Cell]]:
    tags: dict[int, list[str]] = defaultdict(list)
    links = Client.tags.through.objects.filter(client_id__in=[c.pk for c in clients])
    for client_id, name in links.values_list("client_id", "tag__name"):
        tags[client_id].append(name)
    for client in clients:
        yield export_row(client, labels, sorted(tags[client.pk]))


def client_export_rows(*, user: Any, filters: ClientFilter) -> Iterator[list[Cell]]:
    """The export's rows in the list's order: two queries per CHUNK_SIZE rows (the clients,
    their tags), only the columns the file holds."""
    clients = client_list(user=user, filters=filters).only(*EXPORT_FIELDS)
    labels = _Labels()
    chunk: list[Client] = []
    for client in clients.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(client)
        if len(chunk) == CHUNK_SIZE:
            yield from _rows(chunk, labels)
            chunk = []
    if chunk:
        yield from _rows(chunk, labels)

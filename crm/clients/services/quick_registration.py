"""Quick registration of a caller (быстрая регистрация): one short form — name or ИНН, phone or
e-mail, contact name, lead source, kind — that creates the card (and its contact person) in one
transaction. The entry rules of creation do not refuse it: the card is marked "to complete"
instead and the mark comes off when the rules are met."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.models import User
from crm.clients.domain.normalize import PhoneError, normalize_phone
from crm.clients.models import Client, ClientKind, LeadSource
from crm.clients.services import client_create, contact_add

ERROR_NAME_OR_INN = gettext_noop("Укажите название или ИНН")
ERROR_PHONE_OR_EMAIL = gettext_noop("Укажите телефон или e-mail")
ERROR_SOURCE = gettext_noop("Укажите источник")
NAME_FROM_INN = gettext_noop("Клиент ИНН %(inn)s")

PATRONYMIC = re.compile(r"(ич|вна|ична|оглы|кызы)$", re.IGNORECASE)
INN_INPUT = re.compile(r"^[\d\s-]+$")


@dataclass(frozen=True)
class NameOrInn:
    name: str
    inn: str


def split_name_or_inn(value: str) -> NameOrInn:
    """Digits only (spaces and dashes allowed) → an ИНН, anything else → the name."""
    value = " ".join(value.split())
    if value and INN_INPUT.match(value):
        return NameOrInn(name="", inn=re.sub(r"\D", "", value))
    return NameOrInn(name=value, inn="")


def suggested_kind(inn: str, kind: str) -> str:
    """A 12-digit ИНН is not a company's: an entrepreneur unless the user chose a person."""
    if len(inn) == 12 and kind == ClientKind.COMPANY:
        return ClientKind.ENTREPRENEUR
    return kind


def split_person_name(text: str) -> dict[str, str]:
    """ "Иван" → first name; "Иван Петрович" → first name and patronymic; "Петров Иван" →
    last and first name; three words → last, first, middle (the order of Russian documents)."""
    words = text.split()
    if not words:
        return {}
    if len(words) == 1:
        return {"first_name": words[0]}
    if len(words) == 2:
        if PATRONYMIC.search(words[1]):
            return {"first_name": words[0], "middle_name": words[1]}
        return {"last_name": words[0], "first_name": words[1]}
    return {"last_name": words[0], "first_name": words[1], "middle_name": " ".join(words[2:])}


def _is_mobile(phone: str) -> bool:
    try:
        return normalize_phone(phone).startswith("+79")
    except PhoneError:
        return False


@transaction.atomic
def client_quick_register(
    *,
    by: User,
    name_or_inn: str,
    phone: str = "",
    email: str = "",
    contact_name: str = "",
    source: LeadSource | None,
    kind: str = ClientKind.COMPANY,
) -> Client:
    """Create the card of a caller. Only an ИНН given → the name is «Клиент ИНН …» until
    someone completes the card. The phone and e-mail go onto the card and, when a contact name
    is given, onto the contact person as well (a mobile number into "mobile")."""
    errors: dict[str, list[str]] = {}
    parsed = split_name_or_inn(name_or_inn)
    if not parsed.name and not parsed.inn:
        errors["name_or_inn"] = [_(ERROR_NAME_OR_INN)]
    if not phone.strip() and not email.strip():
        errors["phone"] = [_(ERROR_PHONE_OR_EMAIL)]
    if source is None:
        errors["source"] = [_(ERROR_SOURCE)]
    if errors:
        raise ValidationError(errors)
    kind = suggested_kind(parsed.inn, kind)
    try:
        client = client_create(
            by=by,
            allow_incomplete=True,
            kind=kind,
            name=parsed.name or _(NAME_FROM_INN) % {"inn": parsed.inn},
            inn=parsed.inn,
            phone=phone.strip(),
            email=email.strip(),
            source=source,
        )
    except ValidationError as error:
        raise _as_quick_form_error(error) from error
    person: dict[str, Any] = split_person_name(contact_name)
    if person:
        mobile = _is_mobile(phone)
        person.update(
            phone="" if mobile else phone.strip(),
            mobile_phone=phone.strip() if mobile else "",
            email=email.strip(),
        )
        contact_add(by=by, client=client, is_main=True, **person)
    client.refresh_from_db()
    return client


def _as_quick_form_error(error: ValidationError) -> ValidationError:
    """The card's field names → the quick form's (name and ИНН share one field)."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        target = "name_or_inn" if field in ("name", "inn") else field
        renamed.setdefault(target, []).extend(messages)
    return ValidationError(renamed)

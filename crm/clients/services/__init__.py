"""Writes on clients, their bank accounts and contact persons. Every change is audited.

Validation of requisites lives here (one place for the form, the API and imports): the service
raises ValidationError with a Russian message per field and writes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.clients.domain import requisites
from crm.clients.domain.normalize import (
    PhoneError,
    comparable_name,
    normalize_email,
    normalize_phone,
    searchable,
)
from crm.clients.models import (
    BankAccount,
    Client,
    ClientContact,
    ClientKind,
    ClientStatus,
    ContactPerson,
    EntryPoint,
    Tag,
)
from crm.clients.selectors.entry_rules import ensure_entry_rules
from crm.clients.services.assignment import clients_assigned_notify
from crm.clients.services.completeness import client_refresh_completeness
from crm.core.audit import audit_record, snapshot, stored_snapshot
from crm.core.i18n import translated
from crm.core.models import AuditAction

CLIENT_AUDIT_FIELDS = (
    "kind",
    "name",
    "full_name",
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "phone",
    "email",
    "website",
    "industry",
    "region",
    "size",
    "tags",
    "source",
    "owner",
    "department",
    "status",
    "comment",
)
CLIENT_EDITABLE_FIELDS = tuple(f for f in CLIENT_AUDIT_FIELDS if f not in ("tags", "status"))
CONTACT_AUDIT_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "phone",
    "mobile_phone",
    "email",
    "birthday",
    "comment",
)

ERROR_NAME_REQUIRED = gettext_lazy("Укажите наименование клиента")
ERROR_KPP_NOT_FOR_KIND = gettext_lazy("КПП бывает только у организации")
ERROR_OWNER_INACTIVE = gettext_lazy("Ответственный отключён — выберите работающего сотрудника")


def _clean_phone(value: str, field: str, errors: dict[str, list[Any]]) -> str:
    if not value:
        return ""
    try:
        return normalize_phone(value)
    except PhoneError as error:
        errors.setdefault(field, []).append(translated(error.args[0]))
        return value


def _clean_email(value: str, field: str, errors: dict[str, list[Any]]) -> str:
    if not value:
        return ""
    value = normalize_email(value)
    try:
        validate_email(value)
    except ValidationError:
        errors.setdefault(field, []).append(_("«%(value)s» — не адрес e-mail") % {"value": value})
    return value


def clean_client_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalize and check a client's fields; raise ValidationError naming every bad field."""
    data = dict(fields)
    errors: dict[str, list[Any]] = {}
    for name in ("name", "full_name", "inn", "kpp", "ogrn", "region"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    kind = data.get("kind", ClientKind.COMPANY)
    if "name" in data:
        if not data["name"]:
            errors["name"] = [ERROR_NAME_REQUIRED]
        data["name_search"] = searchable(data["name"])
        data["name_comparable"] = comparable_name(data["name"])
    if data.get("inn"):
        length = 10 if kind == ClientKind.COMPANY else 12
        message = requisites.check_inn(data["inn"], length=length)
        if message:
            errors["inn"] = [translated(message)]
    if data.get("kpp"):
        data["kpp"] = data["kpp"].upper()
        if kind != ClientKind.COMPANY:
            errors["kpp"] = [ERROR_KPP_NOT_FOR_KIND]
        elif message := requisites.check_kpp(data["kpp"]):
            errors["kpp"] = [translated(message)]
    if data.get("ogrn"):
        length = 13 if kind == ClientKind.COMPANY else 15
        if kind == ClientKind.PERSON:
            errors["ogrn"] = [_("У физического лица нет ОГРН")]
        elif message := requisites.check_ogrn(data["ogrn"], length=length):
            errors["ogrn"] = [translated(message)]
    if "phone" in data:
        data["phone"] = _clean_phone(data["phone"], "phone", errors)
    if "email" in data:
        data["email"] = _clean_email(data["email"], "email", errors)
    owner = data.get("owner")
    if owner is not None and not owner.is_active:
        errors["owner"] = [ERROR_OWNER_INACTIVE]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def client_create(
    *, by: User, tags: Iterable[Tag] = (), allow_incomplete: bool = False, **fields: Any
) -> Client:
    """Create a card. The entry rules of creation must be met, else ValidationError naming the
    fields; quick registration passes `allow_incomplete=True` and the card is marked "to
    complete" instead (the mark comes off by itself once the rules are met)."""
    fields.setdefault("owner", by)
    data = clean_client_fields(fields)
    if "department" not in fields:
        data["department"] = data["owner"].department
    client = Client(**data)
    client.full_clean(exclude=["tags"])
    if allow_incomplete:
        client.needs_completion = True
    else:
        ensure_entry_rules(client, EntryPoint.CREATION)
    client.save()
    client.tags.set(list(tags))
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=client,
        after=snapshot(client, CLIENT_AUDIT_FIELDS),
    )
    client_refresh_completeness(client)
    return client


@transaction.atomic
def client_update(
    *, by: User, client: Client, tags: Iterable[Tag] | None = None, **fields: Any
) -> Client:
    """Change the fields given. A new owner, when someone else set it, is notified (bell and
    e-mail)."""
    unknown = set(fields) - set(CLIENT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable client fields: {sorted(unknown)}")
    before = stored_snapshot(client, CLIENT_AUDIT_FIELDS)
    # From the database: a ModelForm has already put the new owner on the instance.
    stored_owner_id = Client.objects.filter(pk=client.pk).values_list("owner_id", flat=True).get()
    data = clean_client_fields({"kind": fields.get("kind", client.kind), **fields})
    for name, value in data.items():
        setattr(client, name, value)
    client.full_clean(exclude=["tags"])
    client.save()
    if tags is not None:
        client.tags.set(list(tags))
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=client,
        before=before,
        after=snapshot(client, CLIENT_AUDIT_FIELDS),
    )
    client_refresh_completeness(client)
    if client.owner_id != stored_owner_id:
        clients_assigned_notify(by=by, owner=client.owner, clients=[client])
    return client


@transaction.atomic
def client_set_status(*, by: User, client: Client, status: ClientStatus) -> Client:
    """Archive (instead of delete) or restore a client."""
    if client.status == status:
        return client
    before = stored_snapshot(client, ("status",))
    client.status = status
    client.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.ARCHIVE if status == ClientStatus.ARCHIVED else AuditAction.RESTORE,
        instance=client,
        before=before,
        after=snapshot(client, ("status",)),
    )
    return client


@transaction.atomic
def bank_account_add(
    *,
    by: User,
    client: Client,
    bik: str,
    account: str,
    correspondent_account: str = "",
    bank_name: str = "",
    is_main: bool = False,
) -> BankAccount:
    """Add a bank account; БИК, р/с and к/с are checked against each other (ЦБ N 515)."""
    errors: dict[str, list[Any]] = {}
    bik, account, correspondent_account = (
        bik.strip(),
        account.strip(),
        correspondent_account.strip(),
    )
    if message := requisites.check_bik(bik):
        errors["bik"] = [translated(message)]
    elif message := requisites.check_account(bik, account):
        errors["account"] = [translated(message)]
    if (
        correspondent_account
        and not errors.get("bik")
        and (message := requisites.check_account(bik, correspondent_account, correspondent=True))
    ):
        errors["correspondent_account"] = [translated(message)]
    if BankAccount.objects.filter(client=client, bik=bik, account=account).exists():
        errors.setdefault("account", []).append(_("Этот счёт у клиента уже есть"))
    if errors:
        raise ValidationError(errors)
    if is_main or not client.bank_accounts.exists():
        client.bank_accounts.update(is_main=False)
        is_main = True
    bank_account = BankAccount.objects.create(
        client=client,
        bik=bik,
        account=account,
        correspondent_account=correspondent_account,
        bank_name=bank_name.strip(),
        is_main=is_main,
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=client,
        before={"bank_accounts": None},
        after={"bank_accounts": str(bank_account)},
        comment=_("Добавлен банковский счёт"),
    )
    client_refresh_completeness(client)
    return bank_account


def clean_contact_fields(fields: dict[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    errors: dict[str, list[Any]] = {}
    for name in ("last_name", "first_name", "middle_name"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    if "first_name" in data and not data["first_name"]:
        errors["first_name"] = [_("Укажите имя контактного лица")]
    for name in ("phone", "mobile_phone"):
        if name in data:
            data[name] = _clean_phone(data[name], name, errors)
    if "email" in data:
        data["email"] = _clean_email(data["email"], "email", errors)
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def contact_add(
    *,
    by: User,
    client: Client,
    position: str = "",
    is_decision_maker: bool = False,
    is_main: bool = False,
    contact: ContactPerson | None = None,
    **fields: Any,
) -> ContactPerson:
    """Create a contact person at `client`, or link an existing one (`contact`)."""
    if contact is None:
        contact = ContactPerson(**clean_contact_fields(fields))
        contact.full_clean()
        contact.save()
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            instance=contact,
            after=snapshot(contact, CONTACT_AUDIT_FIELDS),
        )
    if ClientContact.objects.filter(client=client, contact=contact).exists():
        raise ValidationError({"contact": [_("Этот человек уже есть в контактах клиента")]})
    if is_main or not client.contact_links.exists():
        client.contact_links.update(is_main=False)
        is_main = True
    ClientContact.objects.create(
        client=client,
        contact=contact,
        position=position.strip(),
        is_decision_maker=is_decision_maker,
        is_main=is_main,
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=client,
        before={"contacts": None},
        after={"contacts": f"{contact.full_name}, {position}".strip(", ")},
        comment=_("Добавлено контактное лицо"),
    )
    client_refresh_completeness(client)
    return contact

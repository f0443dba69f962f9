"""Our own legal entities (организации) and their bank accounts.

Everyone reads them (documents need the seller's requisites); only administrators change them.
Exactly one active organization is the default one. ИНН/КПП/ОГРН and the key of an account
against its БИК are checked by the pure functions of `crm.clients.domain.requisites`. Every
change is audited."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.access import can_administer
from crm.clients.domain import requisites
from crm.core.audit import audit_record, audit_saved, snapshot, stored_snapshot
from crm.core.i18n import translated
from crm.core.models import AuditAction
from crm.sales.models import Organization, OrganizationBankAccount
from crm.sales.requisites import main_bank_account as main_bank_account
from crm.sales.requisites import organization_requisites as organization_requisites

ORGANIZATION_FIELDS = (
    "name",
    "full_name",
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "postal_address",
    "phone",
    "email",
    "director",
    "director_position",
    "chief_accountant",
    "is_vat_payer",
    "is_default",
    "is_active",
)
BANK_ACCOUNT_FIELDS = (
    "bik",
    "bank_name",
    "correspondent_account",
    "account",
    "currency",
    "is_main",
)
# What a person types: trimmed, inner white space folded, length-checked.
TEXT_FIELDS = tuple(name for name in ORGANIZATION_FIELDS if not name.startswith("is_"))

ERROR_NOT_ADMINISTRATOR = gettext_lazy("Наши организации ведёт администратор")
ERROR_DEFAULT_NEEDED = gettext_lazy(
    "Одна организация должна быть по умолчанию: отметьте «по умолчанию» у другой организации"
)
ERROR_DEFAULT_INACTIVE = gettext_lazy(
    "Организация по умолчанию должна использоваться: снимите «по умолчанию» или отметьте "
    "«используется»"
)


def _require_administrator(by: Any) -> None:
    if not can_administer(by):
        raise PermissionDenied(ERROR_NOT_ADMINISTRATOR)


# --- Reads used by documents (contract) ---------------------------------------------------


def default_organization() -> Organization | None:
    """The organization documents are issued from unless another is chosen: the one marked
    default (active), else the first active one, else None."""
    active = Organization.objects.filter(is_active=True)
    return active.filter(is_default=True).first() or active.order_by("name", "id").first()


# --- Organizations --------------------------------------------------------------------------


def clean_organization_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalize and check an organization's fields; ValidationError names every bad field."""
    data = dict(data)
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        if name in data:
            data[name] = " ".join(str(data[name] or "").split())
    required = {
        "name": _("Укажите краткое название организации"),
        "full_name": _("Укажите полное наименование организации"),
        "inn": _("Укажите ИНН организации"),
        "legal_address": _("Укажите юридический адрес"),
    }
    for name, text in required.items():
        if not data.get(name):
            errors[name] = [text]
    for name in TEXT_FIELDS:
        model_field = cast(models.Field, Organization._meta.get_field(name))
        max_length = model_field.max_length
        if data.get(name) and max_length and len(data[name]) > max_length:
            errors.setdefault(name, []).append(
                _("Поле «%(field)s» — не длиннее %(max)s символов")
                % {"field": model_field.verbose_name, "max": max_length}
            )
    inn = data.get("inn", "")
    if inn and "inn" not in errors and (message := requisites.check_inn(inn)):
        errors["inn"] = [translated(message)]
    is_company = len(inn) == 10
    kpp = data.get("kpp", "").upper()
    data["kpp"] = kpp
    if kpp:
        if inn and "inn" not in errors and not is_company:
            errors["kpp"] = [_("КПП бывает только у организации (ИНН из 10 цифр), не у ИП")]
        elif message := requisites.check_kpp(kpp):
            errors["kpp"] = [translated(message)]
    ogrn = data.get("ogrn", "")
    if ogrn:
        length = None if not inn or "inn" in errors else (13 if is_company else 15)
        if message := requisites.check_ogrn(ogrn, length=length):
            errors["ogrn"] = [translated(message)]
    email = data.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("«%(value)s» — не адрес эл. почты") % {"value": email}]
    if not data.get("director_position"):
        data["director_position"] = "Генеральный директор"
    if errors:
        raise ValidationError(errors)
    return data


def _apply_default(by: Any, organization: Organization) -> None:
    """Keep exactly one default: others lose the mark (audited)."""
    for other in Organization.objects.filter(is_default=True).exclude(pk=organization.pk):
        before = snapshot(other, ("is_default",))
        other.is_default = False
        other.save(update_fields=["is_default", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            instance=other,
            before=before,
            after=snapshot(other, ("is_default",)),
            comment=_("По умолчанию теперь «%(name)s»") % {"name": organization.name},
        )


@transaction.atomic
def organization_save(
    *, by: Any, data: dict[str, Any], organization: Organization | None = None
) -> Organization:
    """Create an organization (organization=None) or change one. The first organization is
    the default one; marking another default takes the mark from the previous one; the
    default cannot be unmarked or switched off directly (mark another one first)."""
    _require_administrator(by)
    data = clean_organization_fields(data)
    before = stored_snapshot(organization, ORGANIZATION_FIELDS) if organization else None
    was_default = bool(before and before["is_default"])
    organization = organization or Organization()
    for name in ORGANIZATION_FIELDS:
        if name in data:
            setattr(organization, name, data[name])
    others_default = Organization.objects.filter(is_default=True)
    if organization.pk:
        others_default = others_default.exclude(pk=organization.pk)
    if not organization.is_default and (was_default or not others_default.exists()):
        if was_default:
            raise ValidationError({"is_default": [ERROR_DEFAULT_NEEDED]})
        if organization.is_active:
            organization.is_default = True
    if organization.is_default and not organization.is_active:
        raise ValidationError({"is_active": [ERROR_DEFAULT_INACTIVE]})
    organization.save()
    if organization.is_default:
        _apply_default(by, organization)
    audit_saved(
        actor=by,
        instance=organization,
        before=before,
        after=snapshot(organization, ORGANIZATION_FIELDS),
    )
    return organization


@transaction.atomic
def organization_make_default(*, by: Any, organization: Organization) -> Organization:
    _require_administrator(by)
    if not organization.is_active:
        raise ValidationError({"is_active": [ERROR_DEFAULT_INACTIVE]})
    if organization.is_default:
        return organization
    before = snapshot(organization, ORGANIZATION_FIELDS)
    organization.is_default = True
    organization.save(update_fields=["is_default", "updated_at"])
    _apply_default(by, organization)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=organization,
        before=before,
        after=snapshot(organization, ORGANIZATION_FIELDS),
    )
    return organization


# --- Bank accounts --------------------------------------------------------------------------


def clean_bank_account_fields(
    organization: Organization,
    data: dict[str, Any],
    bank_account: OrganizationBankAccount | None = None,
) -> dict[str, Any]:
    data = dict(data)
    errors: dict[str, list[str]] = {}
    for name in ("bik", "bank_name", "correspondent_account", "account", "currency"):
        joiner = " " if name == "bank_name" else ""
        data[name] = joiner.join(str(data.get(name) or "").split())
    data["currency"] = (data["currency"] or "RUB").upper()
    bik, account, correspondent = data["bik"], data["account"], data["correspondent_account"]
    if not bik:
        errors["bik"] = [_("Укажите БИК банка")]
    elif message := requisites.check_bik(bik):
        errors["bik"] = [translated(message)]
    if not data["bank_name"]:
        errors["bank_name"] = [_("Укажите название банка")]
    elif len(data["bank_name"]) > 255:
        errors["bank_name"] = [_("Название банка — не длиннее 255 символов")]
    if not account:
        errors["account"] = [_("Укажите расчётный счёт")]
    elif "bik" not in errors and (message := requisites.check_account(bik, account)):
        errors["account"] = [translated(message)]
    elif not account.isdigit() or len(account) != 20:
        errors["account"] = [_("Расчётный счёт — 20 цифр")]
    if (
        correspondent
        and "bik" not in errors
        and (message := requisites.check_account(bik, correspondent, correspondent=True))
    ):
        errors["correspondent_account"] = [translated(message)]
    currency = data["currency"]
    if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        errors["currency"] = [_("Валюта — трёхбуквенный код, например RUB")]
    same = OrganizationBankAccount.objects.filter(organization=organization, account=account)
    if bank_account is not None and bank_account.pk:
        same = same.exclude(pk=bank_account.pk)
    if account and "account" not in errors and same.exists():
        errors["account"] = [_("Этот расчётный счёт у организации уже есть")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def bank_account_save(
    *,
    by: Any,
    organization: Organization,
    data: dict[str, Any],
    bank_account: OrganizationBankAccount | None = None,
) -> OrganizationBankAccount:
    """Add a bank account to an organization or change one; the first account (or one marked
    main) becomes the main account, the one documents show."""
    _require_administrator(by)
    data = clean_bank_account_fields(organization, data, bank_account)
    before = stored_snapshot(bank_account, BANK_ACCOUNT_FIELDS) if bank_account else None
    bank_account = bank_account or OrganizationBankAccount(organization=organization)
    for name in BANK_ACCOUNT_FIELDS:
        if name in data:
            setattr(bank_account, name, data[name])
    others = organization.bank_accounts.all()
    if bank_account.pk:
        others = others.exclude(pk=bank_account.pk)
    if not others.filter(is_main=True).exists():
        bank_account.is_main = True
    bank_account.save()
    if bank_account.is_main:
        organization.bank_accounts.exclude(pk=bank_account.pk).filter(is_main=True).update(
            is_main=False
        )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=organization,
        before={"bank_account": before},
        after={"bank_account": snapshot(bank_account, BANK_ACCOUNT_FIELDS)},
        comment=(
            _("Добавлен банковский счёт %(account)s")
            if before is None
            else _("Изменён банковский счёт %(account)s")
        )
        % {"account": bank_account.account},
    )
    return bank_account


@transaction.atomic
def bank_account_delete(*, by: Any, bank_account: OrganizationBankAccount) -> None:
    _require_administrator(by)
    organization = bank_account.organization
    before = snapshot(bank_account, BANK_ACCOUNT_FIELDS)
    was_main = bank_account.is_main
    bank_account.delete()
    if was_main:
        successor = organization.bank_accounts.order_by("id").first()
        if successor is not None:
            successor.is_main = True
            successor.save(update_fields=["is_main"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=organization,
        before={"bank_account": before},
        after={"bank_account": None},
        comment=_("Удалён банковский счёт %(account)s") % {"account": before["account"]},
    )

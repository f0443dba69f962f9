"""Commercial proposals (КП): create a draft from a deal, edit the draft, issue it (number and
both parties' requisites copied), mark the client's decision, make a new version of an issued
one, and send it by e-mail with the PDF — which logs the e-mail as a done activity of the deal,
fires the "proposal sent" automatic steps and moves the deal forward.

Rules kept here for the page and the API alike:
- amounts come only from `crm.core.domain.vat.compute_document` and are stored on the lines and
  the header (the print form shows what is stored);
- an issued proposal never changes except its status (issued → sent → accepted / rejected,
  superseded when its next version is issued); a correction is a new version (`previous`);
- the number is `КП-<year>-<0001>`, gap-free per our organization and year of the proposal date,
  taken inside the issuing transaction (`crm.core.numbering.next_number`);
- every change is audited before → after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.activities.models import Activity, ActivityKind, Direction
from crm.activities.services import activities as activity_services
from crm.clients.models import ClientContact, ContactPerson
from crm.core.audit import audit_record, snapshot
from crm.core.domain.money import CURRENCIES as CURRENCIES
from crm.core.domain.money import (
    MoneyError,
    format_amount,
    format_quantity,
    parse_decimal,
)
from crm.core.domain.vat import (
    DocumentTotals,
    LineAmounts,
    LineInput,
    VatRate,
    compute_document,
    rate_by_code,
    rate_for,
)
from crm.core.models import AuditAction
from crm.core.numbering import next_number
from crm.sales.models import (
    Deal,
    Organization,
    Product,
    Proposal,
    ProposalLine,
    ProposalStatus,
    VatKind,
)
from crm.sales.requisites import buyer_requisites as buyer_requisites
from crm.sales.requisites import organization_requisites
from crm.sales.services import automation
from crm.sales.services import deals as deal_services
from crm.sales.services.organizations import default_organization

VALIDITY_DAYS = 10
NUMBER_KIND = "proposal"
MAX_LINES = 300
DEFAULT_TERMS = gettext_lazy(
    "Цены указаны с учётом НДС. Оплата — 100 % предоплата по счёту. "
    "Срок поставки — по согласованию после оплаты."
)

ERROR_NOT_DRAFT = gettext_lazy(
    "%(proposal)s уже выставлено — изменить его нельзя. Чтобы исправить, создайте новую версию."
)
ERROR_NO_ORGANIZATION = gettext_lazy(
    "Не выбрана наша организация: добавьте её в справочник «Наши организации»"
)
ERROR_ORGANIZATION_INACTIVE = gettext_lazy("Организация «%(name)s» больше не используется")
ERROR_DATE_REQUIRED = gettext_lazy("Укажите дату предложения")
ERROR_VALID_UNTIL = gettext_lazy("Срок действия не может быть раньше даты предложения")
ERROR_CURRENCY = gettext_lazy("Неизвестная валюта «%(currency)s»")
ERROR_CONTACT_NOT_OF_CLIENT = gettext_lazy(
    "Это контактное лицо не относится к клиенту «%(client)s»"
)
ERROR_TERMS_TOO_LONG = gettext_lazy("Условия — не длиннее 5000 символов")
ERROR_NO_LINES = gettext_lazy("Добавьте в предложение хотя бы одну строку")
ERROR_TOO_MANY_LINES = gettext_lazy("В предложении может быть не больше 300 строк")
ERROR_LINE_NAME = gettext_lazy("Строка %(n)d: укажите наименование")
ERROR_LINE_NAME_TOO_LONG = gettext_lazy("Строка %(n)d: наименование — не длиннее 500 символов")
ERROR_LINE_QUANTITY = gettext_lazy("Строка %(n)d: количество должно быть больше нуля")
ERROR_LINE_PRICE = gettext_lazy("Строка %(n)d: цена не может быть отрицательной")
ERROR_LINE_NUMBER = gettext_lazy("Строка %(n)d: «%(value)s» — не число")
ERROR_LINE_TOO_LARGE = gettext_lazy("Строка %(n)d: слишком большое число «%(value)s»")
ERROR_LINE_DISCOUNT = gettext_lazy("Строка %(n)d: скидка должна быть от 0 до 100 %%")
ERROR_LINE_VAT = gettext_lazy("Строка %(n)d: неизвестная ставка НДС «%(value)s»")
ERROR_LINE_PRODUCT = gettext_lazy("Строка %(n)d: номенклатура не найдена")
ERROR_LINE_UNIT = gettext_lazy("Строка %(n)d: единица — не длиннее 20 символов")
ERROR_NEW_VERSION_OF_DRAFT = gettext_lazy(
    "Черновик можно изменить и так — новая версия нужна только выставленному предложению"
)
ERROR_HAS_NEXT_VERSION = gettext_lazy("У этого предложения уже есть новая версия: %(proposal)s")
ERROR_DECISION_STATUS = gettext_lazy(
    "Решение клиента отмечается у выставленного или отправленного предложения"
)
ERROR_DECISION_UNKNOWN = gettext_lazy("Неизвестное решение клиента")
ERROR_NOT_SENDABLE = gettext_lazy("%(proposal)s: %(status)s — отправить его нельзя")
ERROR_RECIPIENTS_REQUIRED = gettext_lazy("Укажите хотя бы одного получателя")
ERROR_RECIPIENT_INVALID = gettext_lazy("«%(value)s» — не адрес эл. почты")
ERROR_TOO_MANY_RECIPIENTS = gettext_lazy("Не больше 20 получателей за раз")
ERROR_SUBJECT_TOO_LONG = gettext_lazy("Тема письма — не длиннее 255 символов")
ERROR_SEND_FAILED = gettext_lazy("Письмо не отправлено: %(reason)s. Ничего не изменилось.")

AUDIT_FIELDS = (
    "number",
    "date",
    "valid_until",
    "version",
    "status",
    "organization",
    "contact",
    "currency",
    "prices_include_vat",
    "terms",
    "amount_without_vat",
    "vat_amount",
    "total",
    "issued_at",
    "sent_at",
)
HEADER_FIELDS = (
    "date",
    "valid_until",
    "organization",
    "contact",
    "currency",
    "prices_include_vat",
    "terms",
)
QUANTITY_LIMIT = Decimal("1000000000000")  # fits QUANTITY (15, 3)
PRICE_LIMIT = Decimal("10000000000000")  # fits MONEY (15, 2)
MAX_RECIPIENTS = 20


@dataclass(frozen=True)
class CleanLine:
    product: Product | None
    name: str
    quantity: Decimal
    unit_name: str
    okei_code: str
    price: Decimal
    discount_percent: Decimal
    rate: VatRate


# ---------------------------------------------------------------------------------------------
# Helpers


def proposal_title(proposal: Proposal) -> str:
    return str(proposal)


RATE_CODES = ("22", "20", "18", "10", "0", "5", "7", "none")


def vat_choices() -> list[tuple[str, str]]:
    """The rates a line may take, as (code, label), for forms and the API."""
    return [(code, _(rate_by_code(code).label)) for code in RATE_CODES]


def default_rate(product: Product | None, on: dt.date, organization: Organization | None) -> str:
    """The rate code of an item on a date: by the product's VAT kind (a free-text line is
    taxed at the general rate); an organization that pays no VAT sells «без НДС»."""
    if organization is not None and not organization.is_vat_payer:
        return "none"
    kind = product.vat_kind if product is not None else VatKind.GENERAL
    return rate_for(kind, on).code


def rates_by_kind(on: dt.date, organization: Organization | None) -> dict[str, str]:
    """VAT kind → rate code on a date (the line editor fills the rate of a picked product)."""
    if organization is not None and not organization.is_vat_payer:
        return dict.fromkeys(VatKind.values, "none")
    return {kind: rate_for(kind, on).code for kind in VatKind.values}


def format_number(year: int, number: int) -> str:
    return f"КП-{year}-{number:04d}"


def file_name(proposal: Proposal) -> str:
    """«КП-2026-0001.pdf»; a draft is «КП-черновик-<id>.pdf»."""
    if proposal.number:
        return f"{proposal.number}.pdf"
    return f"КП-черновик-{proposal.pk}.pdf"


def _lines_text(proposal: Proposal) -> list[str]:
    """Each line as a person reads it in the history: «Станок: 2 × 48 500,00 − 5 % = 92 150,00
    (НДС 22 %)»."""
    texts = []
    for line in proposal.lines.order_by("order", "id"):
        quantity = format_quantity(line.quantity, separator="")
        discount = (
            f" − {format_quantity(line.discount_percent, separator='')} %"
            if line.discount_percent
            else ""
        )
        rate = rate_by_code(line.vat_rate).label if line.vat_rate in RATE_CODES else line.vat_rate
        texts.append(
            f"{line.name}: {quantity} × {money_text(line.price)}{discount} = "
            f"{money_text(line.total)} ({_('НДС')} {rate})"
        )
    return texts


def _state(proposal: Proposal) -> dict[str, Any]:
    state = snapshot(proposal, AUDIT_FIELDS)
    state["lines"] = _lines_text(proposal)
    return state


def _ensure_draft(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError({"status": [ERROR_NOT_DRAFT % {"proposal": proposal}]})


def _lock(proposal: Proposal) -> Proposal:
    """Re-read the row under a lock so two requests do not issue or edit it at once."""
    return Proposal.objects.select_for_update().select_related("organization").get(pk=proposal.pk)


def _sync(target: Proposal, source: Proposal) -> None:
    """Copy the saved state onto the caller's instance."""
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# ---------------------------------------------------------------------------------------------
# Validation


def _decimal(value: Any, *, n: int, errors: dict[str, list[Any]]) -> Decimal | None:
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = parse_decimal(str(value if value is not None else ""))
        except MoneyError:
            errors.setdefault("lines", []).append(
                ERROR_LINE_NUMBER % {"n": n, "value": value if value is not None else ""}
            )
            return None
    if not number.is_finite():
        errors.setdefault("lines", []).append(ERROR_LINE_NUMBER % {"n": n, "value": value})
        return None
    return number


def clean_lines(
    lines: Sequence[Mapping[str, Any]],
    *,
    on: dt.date,
    organization: Organization | None,
    errors: dict[str, list[Any]],
    first_number: int = 1,
) -> list[CleanLine]:
    """Check the lines as a form or the API gives them: dicts of product (a Product, an id or
    None), name, quantity, unit_name, okei_code, price, discount_percent, vat_rate (a code; when
    absent, the product's rate on the date). Errors name the line by its number from 1."""
    if not lines:
        errors.setdefault("lines", []).append(ERROR_NO_LINES)
        return []
    if len(lines) > MAX_LINES:
        errors.setdefault("lines", []).append(ERROR_TOO_MANY_LINES)
        return []
    product_ids = {
        int(line["product"])
        for line in lines
        if isinstance(line.get("product"), int | str) and str(line.get("product")).isdigit()
    }
    products = Product.objects.select_related("unit").in_bulk(product_ids)
    cleaned: list[CleanLine] = []
    for n, line in enumerate(lines, start=first_number):
        messages_before = len(errors.get("lines", []))
        product_value = line.get("product")
        product: Product | None = None
        if isinstance(product_value, Product):
            product = product_value
        elif product_value not in (None, ""):
            product = products.get(int(product_value)) if str(product_value).isdigit() else None
            if product is None:
                errors.setdefault("lines", []).append(ERROR_LINE_PRODUCT % {"n": n})
        name = " ".join(str(line.get("name") or "").split())
        if not name and product is not None:
            name = product.name
        if not name:
            errors.setdefault("lines", []).append(ERROR_LINE_NAME % {"n": n})
        elif len(name) > 500:
            errors.setdefault("lines", []).append(ERROR_LINE_NAME_TOO_LONG % {"n": n})
        quantity_value = line.get("quantity")
        quantity = None
        if quantity_value in (None, ""):
            errors.setdefault("lines", []).append(ERROR_LINE_QUANTITY % {"n": n})
        else:
            quantity = _decimal(quantity_value, n=n, errors=errors)
        if quantity is not None:
            if quantity <= 0:
                errors.setdefault("lines", []).append(ERROR_LINE_QUANTITY % {"n": n})
            elif quantity >= QUANTITY_LIMIT or quantity.as_tuple().exponent < -3:  # type: ignore[operator]
                errors.setdefault("lines", []).append(
                    ERROR_LINE_TOO_LARGE % {"n": n, "value": line.get("quantity")}
                )
        price_value = line.get("price")
        if price_value in (None, "") and product is not None:
            price_value = product.price
        price = _decimal(price_value if price_value not in (None, "") else "0", n=n, errors=errors)
        if price is not None:
            if price < 0:
                errors.setdefault("lines", []).append(ERROR_LINE_PRICE % {"n": n})
            elif price >= PRICE_LIMIT:
                errors.setdefault("lines", []).append(
                    ERROR_LINE_TOO_LARGE % {"n": n, "value": line.get("price")}
                )
        discount_value = line.get("discount_percent")
        discount = _decimal(
            discount_value if discount_value not in (None, "") else "0", n=n, errors=errors
        )
        if discount is not None and not Decimal(0) <= discount <= Decimal(100):
            errors.setdefault("lines", []).append(ERROR_LINE_DISCOUNT % {"n": n})
        code = str(line.get("vat_rate") or "") or default_rate(product, on, organization)
        rate: VatRate | None
        try:
            rate = rate_by_code(code)
        except ValueError:
            rate = None
            errors.setdefault("lines", []).append(ERROR_LINE_VAT % {"n": n, "value": code})
        unit_name = " ".join(str(line.get("unit_name") or "").split())
        okei_code = str(line.get("okei_code") or "").strip()
        if product is not None and not unit_name:
            unit_name = product.unit.name
            okei_code = okei_code or product.unit.okei_code
        unit_name = unit_name or "шт"
        if len(unit_name) > 20:
            errors.setdefault("lines", []).append(ERROR_LINE_UNIT % {"n": n})
        if len(errors.get("lines", [])) > messages_before:
            continue
        assert quantity is not None and price is not None and discount is not None
        assert rate is not None
        cleaned.append(
            CleanLine(
                product=product,
                name=name,
                quantity=quantity,
                unit_name=unit_name,
                okei_code=okei_code[:4],
                price=price.quantize(Decimal("0.01")),
                discount_percent=discount.quantize(Decimal("0.01")),
                rate=rate,
            )
        )
    return cleaned


def _clean_header(
    *, proposal: Proposal, data: Mapping[str, Any], errors: dict[str, list[Any]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in HEADER_FIELDS:
        if name in data:
            values[name] = data[name]
    if "terms" in values:
        values["terms"] = str(values["terms"] or "").strip()
        if len(values["terms"]) > 5000:
            errors.setdefault("terms", []).append(ERROR_TERMS_TOO_LONG)
    if "date" in values and not isinstance(values["date"], dt.date):
        errors.setdefault("date", []).append(ERROR_DATE_REQUIRED)
    date = values.get("date", proposal.date)
    valid_until = values.get("valid_until", proposal.valid_until)
    if isinstance(date, dt.date) and isinstance(valid_until, dt.date) and valid_until < date:
        errors.setdefault("valid_until", []).append(ERROR_VALID_UNTIL)
    if "currency" in values:
        values["currency"] = str(values["currency"] or "").upper()
        if values["currency"] not in CURRENCIES:
            errors.setdefault("currency", []).append(
                ERROR_CURRENCY % {"currency": values["currency"]}
            )
    if "organization" in values:
        organization = values["organization"]
        if organization is None:
            errors.setdefault("organization", []).append(ERROR_NO_ORGANIZATION)
        elif not organization.is_active and organization.pk != proposal.organization_id:
            errors.setdefault("organization", []).append(
                ERROR_ORGANIZATION_INACTIVE % {"name": organization.name}
            )
    contact = values.get("contact")
    if contact is not None and not _contact_of(contact, proposal.client_id):
        errors.setdefault("contact", []).append(
            ERROR_CONTACT_NOT_OF_CLIENT % {"client": proposal.client.name}
        )
    return values


def _contact_of(contact: ContactPerson, client_id: int) -> bool:
    return ClientContact.objects.filter(client_id=client_id, contact_id=contact.pk).exists()


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Totals


def line_inputs(lines: Iterable[CleanLine]) -> list[LineInput]:
    return [
        LineInput(
            quantity=line.quantity,
            price=line.price,
            discount_percent=line.discount_percent,
            rate=line.rate,
        )
        for line in lines
    ]


@dataclass(frozen=True)
class Preview:
    """Totals of an unsaved editor state: amounts per row index, the document's totals over
    the rows that are correct, and the messages of the others."""

    line_amounts: dict[int, LineAmounts]
    totals: DocumentTotals
    errors: list[str]


def preview_totals(
    *,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    on: dt.date,
    organization: Organization | None,
    prices_include_vat: bool,
) -> Preview:
    """What the editor shows while typing (nothing is saved): each row is checked on its own
    and its message carries the row's number."""
    good: list[tuple[int, CleanLine]] = []
    messages: list[str] = []
    for number, (index, row) in enumerate(rows, start=1):
        errors: dict[str, list[Any]] = {}
        cleaned = clean_lines(
            [row], on=on, organization=organization, errors=errors, first_number=number
        )
        if errors:
            messages += [str(message) for message in errors["lines"]]
        else:
            good.append((index, cleaned[0]))
    totals = compute_document(
        line_inputs(line for _index, line in good), prices_include_vat=prices_include_vat
    )
    return Preview(
        line_amounts={
            index: amounts for (index, _line), amounts in zip(good, totals.lines, strict=True)
        },
        totals=totals,
        errors=messages,
    )


def _write_lines(proposal: Proposal, lines: Sequence[CleanLine]) -> None:
    """Replace the lines and store the amounts of `compute_document` on them and the header."""
    totals = compute_document(line_inputs(lines), prices_include_vat=proposal.prices_include_vat)
    proposal.lines.all().delete()
    ProposalLine.objects.bulk_create(
        [
            ProposalLine(
                proposal=proposal,
                order=position,
                product=line.product,
                name=line.name,
                unit_name=line.unit_name,
                okei_code=line.okei_code,
                quantity=line.quantity,
                price=line.price,
                discount_percent=line.discount_percent,
                vat_rate=line.rate.code,
                amount_without_vat=amounts.amount_without_vat,
                vat_amount=amounts.vat_amount,
                total=amounts.total,
            )
            for position, (line, amounts) in enumerate(zip(lines, totals.lines, strict=True), 1)
        ]
    )
    proposal.amount_without_vat = totals.amount_without_vat
    proposal.vat_amount = totals.vat_amount
    proposal.total = totals.total


def _stored_lines(proposal: Proposal) -> list[CleanLine]:
    return [
        CleanLine(
            product=line.product,
            name=line.name,
            quantity=line.quantity,
            unit_name=line.unit_name,
            okei_code=line.okei_code,
            price=line.price,
            discount_percent=line.discount_percent,
            rate=rate_by_code(line.vat_rate),
        )
        for line in proposal.lines.select_related("product").order_by("order", "id")
    ]


# ---------------------------------------------------------------------------------------------
# Create, edit


@transaction.atomic
def proposal_create(*, deal: Deal, by: User, data: Mapping[str, Any] | None = None) -> Proposal:
    """A draft of the deal: its client, contact, currency and manager; our default
    organization; dated today, valid 10 days; lines copied from the deal's lines, each taxed
    by its product's VAT kind at the rate of the proposal date. `data` may override the header
    fields (date, valid_until, organization, contact, currency, prices_include_vat, terms)."""
    data = dict(data or {})
    date = data.get("date") or timezone.localdate()
    organization = data.get("organization") or default_organization()
    proposal = Proposal(
        deal=deal,
        client=deal.client,
        organization=organization,
        manager=deal.manager,
        department=deal.department,
        date=date,
        valid_until=data.get("valid_until") or date + dt.timedelta(days=VALIDITY_DAYS),
        currency=deal.currency,
        prices_include_vat=data.get("prices_include_vat", True),
        terms=str(data.get("terms", DEFAULT_TERMS)),
        contact=data.get("contact", deal.contact),
        status=ProposalStatus.DRAFT,
    )
    errors: dict[str, list[Any]] = {}
    if organization is None:
        errors["organization"] = [ERROR_NO_ORGANIZATION]
        _raise(errors)
    header = dict(data)
    header.update(organization=organization, date=date, currency=proposal.currency)
    _clean_header(proposal=proposal, data=header, errors=errors)
    deal_lines = [
        {
            "product": line.product,
            "name": line.name,
            "quantity": line.quantity,
            "unit_name": line.unit_name,
            "okei_code": line.product.unit.okei_code if line.product else "",
            "price": line.price,
        }
        for line in deal.lines.select_related("product__unit").order_by("order", "id")
        if line.quantity > 0
    ]
    lines = (
        clean_lines(deal_lines, on=date, organization=organization, errors=errors)
        if deal_lines
        else []
    )
    _raise(errors)
    proposal.save()
    _write_lines(proposal, lines)
    proposal.save(update_fields=["amount_without_vat", "vat_amount", "total", "updated_at"])
    audit_record(actor=by, action=AuditAction.CREATE, instance=proposal, after=_state(proposal))
    return proposal


@transaction.atomic
def proposal_save_draft(
    *,
    proposal: Proposal,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None,
) -> Proposal:
    """Change the header fields given in `data` and, when `lines` is given, replace the lines
    (see `clean_lines`); totals are recomputed and stored. Only a draft may change."""
    stored = _lock(proposal)
    _ensure_draft(stored)
    before = _state(stored)
    errors: dict[str, list[Any]] = {}
    header = _clean_header(proposal=stored, data=data, errors=errors)
    date = header.get("date", stored.date)
    organization = header.get("organization", stored.organization)
    cleaned = (
        clean_lines(lines, on=date, organization=organization, errors=errors)
        if lines is not None
        else None
    )
    _raise(errors)
    for name, value in header.items():
        setattr(stored, name, value)
    _write_lines(stored, cleaned if cleaned is not None else _stored_lines(stored))
    stored.save()
    audit_record(
        actor=by, action=AuditAction.UPDATE, instance=stored, before=before, after=_state(stored)
    )
    _sync(proposal, stored)
    return proposal


# ---------------------------------------------------------------------------------------------
# Issue, versions, decisions


@transaction.atomic
def proposal_issue(*, proposal: Proposal, by: User) -> Proposal:
    """Give the draft its number, copy both parties' requisites and make it immutable. The
    amounts are recomputed from the lines once more so what is issued is what is printed.
    The previous version, if any, becomes superseded."""
    stored = _lock(proposal)
    _ensure_draft(stored)
    errors: dict[str, list[Any]] = {}
    lines = _stored_lines(stored)
    if not lines:
        errors["lines"] = [ERROR_NO_LINES]
    organization = stored.organization
    if not organization.is_active:
        errors["organization"] = [ERROR_ORGANIZATION_INACTIVE % {"name": organization.name}]
    if stored.valid_until is not None and stored.valid_until < stored.date:
        errors["valid_until"] = [ERROR_VALID_UNTIL]
    _raise(errors)
    before = _state(stored)
    number = next_number(NUMBER_KIND, year=stored.date.year, organization_id=organization.pk)
    stored.number = format_number(stored.date.year, number)
    stored.seller = organization_requisites(organization)
    stored.buyer = buyer_requisites(stored.client)
    stored.status = ProposalStatus.ISSUED
    stored.issued_at = timezone.now()
    stored.issued_by = by
    _write_lines(stored, lines)
    stored.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=stored,
        before=before,
        after=_state(stored),
        comment=_("Предложение выставлено"),
    )
    if stored.previous_id:
        previous = Proposal.objects.select_for_update().get(pk=stored.previous_id)
        if previous.status != ProposalStatus.SUPERSEDED:
            previous_before = _state(previous)
            previous.status = ProposalStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                instance=previous,
                before=previous_before,
                after=_state(previous),
                comment=_("Заменено новой версией %(number)s") % {"number": stored.number},
            )
    _sync(proposal, stored)
    return proposal


@transaction.atomic
def proposal_new_version(*, proposal: Proposal, by: User) -> Proposal:
    """A new draft copied from an issued proposal: version + 1, `previous` = it, dated today
    (valid 10 days), the same lines and rates. The old one is superseded when the new one is
    issued."""
    stored = _lock(proposal)
    if stored.status == ProposalStatus.DRAFT:
        raise ValidationError({"status": [ERROR_NEW_VERSION_OF_DRAFT]})
    following = Proposal.objects.filter(previous=stored).first()
    if following is not None:
        raise ValidationError({"status": [ERROR_HAS_NEXT_VERSION % {"proposal": following}]})
    today = timezone.localdate()
    draft = Proposal(
        deal_id=stored.deal_id,
        client_id=stored.client_id,
        organization_id=stored.organization_id,
        manager_id=stored.manager_id,
        department_id=stored.department_id,
        date=today,
        valid_until=today + dt.timedelta(days=VALIDITY_DAYS),
        version=stored.version + 1,
        previous=stored,
        status=ProposalStatus.DRAFT,
        currency=stored.currency,
        prices_include_vat=stored.prices_include_vat,
        terms=stored.terms,
        contact_id=stored.contact_id,
    )
    draft.save()
    _write_lines(draft, _stored_lines(stored))
    draft.save(update_fields=["amount_without_vat", "vat_amount", "total", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=draft,
        after=_state(draft),
        comment=_("Новая версия %(proposal)s") % {"proposal": stored},
    )
    return draft


DECISIONS = (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED)


@transaction.atomic
def proposal_mark_decision(*, proposal: Proposal, by: User, status: str) -> Proposal:
    """The client accepted or rejected an issued (or sent) proposal."""
    if status not in DECISIONS:
        raise ValidationError({"status": [ERROR_DECISION_UNKNOWN]})
    stored = _lock(proposal)
    if stored.status not in (ProposalStatus.ISSUED, ProposalStatus.SENT):
        raise ValidationError({"status": [ERROR_DECISION_STATUS]})
    before = _state(stored)
    stored.status = status
    stored.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=stored,
        before=before,
        after=_state(stored),
        comment=_("Клиент принял предложение")
        if status == ProposalStatus.ACCEPTED
        else _("Клиент отклонил предложение"),
    )
    _sync(proposal, stored)
    return proposal


def proposal_accept(*, proposal: Proposal, by: User) -> Proposal:
    return proposal_mark_decision(proposal=proposal, by=by, status=ProposalStatus.ACCEPTED)


def proposal_reject(*, proposal: Proposal, by: User) -> Proposal:
    return proposal_mark_decision(proposal=proposal, by=by, status=ProposalStatus.REJECTED)


# ---------------------------------------------------------------------------------------------
# Print form and e-mail


def proposal_pdf(proposal: Proposal) -> bytes:
    """The print form as PDF (WeasyPrint), from the same template as the HTML page."""
    from weasyprint import HTML

    from crm.sales.selectors.proposals import print_context

    with translation.override("ru"):  # a Russian business document whoever prints it
        html = render_to_string("sales/proposals/proposal_print.html", print_context(proposal))
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def default_email_subject(proposal: Proposal) -> str:
    organization = proposal.organization.name if proposal.organization_id else ""
    if not proposal.number:
        return _("Коммерческое предложение от %(organization)s") % {"organization": organization}
    return _("Коммерческое предложение № %(number)s от %(organization)s") % {
        "number": proposal.number,
        "organization": organization,
    }


def money_text(amount: Decimal) -> str:
    """«1 234,50» with an ordinary space (e-mail clients show it as is)."""
    return format_amount(amount, separator=" ")


def default_email_body(proposal: Proposal, *, by: User) -> str:
    contact = proposal.contact
    greeting = (
        _("Здравствуйте, %(name)s!")
        % {"name": " ".join(p for p in (contact.first_name, contact.middle_name) if p)}
        if contact is not None
        else _("Здравствуйте!")
    )
    total = money_text(proposal.total)
    text = (
        _(
            "Направляем коммерческое предложение № %(number)s на сумму %(total)s %(currency)s. "
            "Предложение — во вложении (PDF)."
        )
        if proposal.number
        else _(
            "Направляем коммерческое предложение на сумму %(total)s %(currency)s. "
            "Предложение — во вложении (PDF)."
        )
    )
    lines = [
        greeting,
        "",
        text % {"number": proposal.number, "total": total, "currency": proposal.currency},
    ]
    if proposal.valid_until:
        lines.append(
            _("Предложение действует до %(date)s.")
            % {"date": proposal.valid_until.strftime("%d.%m.%Y")}
        )
    lines += [
        _("Будем рады ответить на ваши вопросы."),
        "",
        _("С уважением,"),
        by.full_name,
    ]
    if proposal.organization_id:
        lines.append(proposal.organization.name)
    if by.email:
        lines.append(by.email)
    return "\n".join(lines)


def clean_recipients(to: Iterable[str] | str, errors: dict[str, list[Any]]) -> list[str]:
    """Addresses from a list or a text separated by commas, semicolons or spaces; duplicates
    dropped; each checked."""
    items = [to] if isinstance(to, str) else list(to)
    addresses: list[str] = []
    for item in items:
        for part in str(item or "").replace(";", ",").replace(" ", ",").split(","):
            address = part.strip()
            if address and address.lower() not in {a.lower() for a in addresses}:
                addresses.append(address)
    if not addresses:
        errors.setdefault("to", []).append(ERROR_RECIPIENTS_REQUIRED)
        return []
    if len(addresses) > MAX_RECIPIENTS:
        errors.setdefault("to", []).append(ERROR_TOO_MANY_RECIPIENTS)
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            errors.setdefault("to", []).append(ERROR_RECIPIENT_INVALID % {"value": address})
    return addresses


SENDABLE = (
    ProposalStatus.DRAFT,
    ProposalStatus.ISSUED,
    ProposalStatus.SENT,
    ProposalStatus.ACCEPTED,
)


@transaction.atomic
def proposal_send(
    *,
    proposal: Proposal,
    by: User,
    to: Iterable[str] | str,
    subject: str,
    body: str,
) -> Activity:
    """Send the proposal by e-mail with its PDF attached («КП-2026-0001.pdf»); a draft is issued
    first; an empty subject or body gets the default text with the number. Logs a done
    outgoing `email` activity of the deal with the PDF as its attachment, marks the proposal
    sent, fires the "proposal sent" automatic steps (the follow-up call) and moves the deal
    forward to the stage the sent proposal confirms.

    The letter leaves last, inside the transaction: bad input or a failure anywhere before
    changes nothing and sends nothing; a refused letter rolls everything back."""
    errors: dict[str, list[Any]] = {}
    recipients = clean_recipients(to, errors)
    subject = " ".join(str(subject or "").split())
    # Browsers post a textarea with CRLF line ends; the letter and the activity keep LF.
    body = str(body or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(subject) > 255:
        errors.setdefault("subject", []).append(ERROR_SUBJECT_TOO_LONG)
    stored = _lock(proposal)
    if stored.status not in SENDABLE:
        errors.setdefault("status", []).append(
            ERROR_NOT_SENDABLE % {"proposal": stored, "status": stored.get_status_display().lower()}
        )
    _raise(errors)
    if stored.status == ProposalStatus.DRAFT:
        # The dialog of a draft offers texts without the number: they get it once issued.
        draft_subject = default_email_subject(stored)
        draft_body = default_email_body(stored, by=by)
        proposal_issue(proposal=stored, by=by)
        stored = _lock(stored)
        subject = "" if subject == draft_subject else subject
        body = "" if str(body or "").strip() == draft_body.strip() else body
    subject = subject or default_email_subject(stored)
    body = str(body or "").strip() or default_email_body(stored, by=by)
    pdf = proposal_pdf(stored)
    name = file_name(stored)
    now = timezone.now()

    deal = Deal.objects.select_related("client").get(pk=stored.deal_id)
    activity = activity_services.activity_create(
        by=by,
        kind=ActivityKind.objects.get(code="email"),
        subject=subject,
        start_at=now,
        direction=Direction.OUTGOING,
        description=body,
        client=stored.client,
        contact=stored.contact,
        responsible=by,
    )
    activity_services.activity_complete(
        by=by,
        activity=activity,
        result=_("Отправлено %(proposal)s: %(to)s")
        % {"proposal": stored, "to": ", ".join(recipients)},
        done_at=now,
        duration_minutes=0,
    )
    activity_services.attachment_add(by=by, activity=activity, file=ContentFile(pdf, name=name))
    deal_services.deal_link_activity(deal=deal, activity=activity, by=by)

    before = _state(stored)
    stored.status = ProposalStatus.SENT
    stored.sent_at = now
    stored.save(update_fields=["status", "sent_at", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=stored,
        before=before,
        after=_state(stored),
        comment=_("Отправлено по эл. почте: %(to)s") % {"to": ", ".join(recipients)},
    )
    automation.fire("proposal_sent", deal=deal, by=by, occasion=f"proposal-{stored.pk}")
    deal_services.deal_advance_after_document(deal=deal, document="proposal_issued", by=by)

    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[by.email] if by.email else None,
    )
    message.attach(name, pdf, "application/pdf")
    try:
        message.send(fail_silently=False)
    except (OSError, ValueError) as error:  # SMTP refused, connection failed
        raise ValidationError(
            {"to": [ERROR_SEND_FAILED % {"reason": str(error) or error.__class__.__name__}]}
        ) from error
    _sync(proposal, stored)
    return activity

"""Normalizing what people type: phones to E.164 (with the phonenumbers library), e-mails to
lower case, names without legal forms and quotes for comparison (pure Python)."""

from __future__ import annotations

import re

import phonenumbers

from crm.core.domain.messages import Message, _

DEFAULT_REGION = "RU"
LEGAL_FORMS = (
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "индивидуальный предприниматель",
    "ооо",
    "пао",
    "зао",
    "оао",
    "ао",
    "ип",
    "нко",
    "ано",
    "гуп",
    "муп",
)
_QUOTES = re.compile(r"[«»\"“”„'`]")
_SPACES = re.compile(r"\s+")
_FORMS = re.compile(r"^(?:" + "|".join(re.escape(form) for form in LEGAL_FORMS) + r")\b\s*")


class PhoneError(ValueError):
    pass


def normalize_phone(text: str, region: str = DEFAULT_REGION) -> str:
    """'8 (495) 123-45-67' → '+74951234567'. Raises PhoneError with a Russian message."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneError(Message(_("«%(text)s» — не номер телефона"), text=text)) from error
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            Message(
                _("«%(text)s» — такого номера не бывает: проверьте код и число цифр"), text=text
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """'+74951234567' → '+7 495 123-45-67' (the Russian way of writing it)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(text: str) -> str:
    return text.strip().lower()


def searchable(text: str) -> str:
    """Lower case with ё as е: what a search compares (SQLite's LIKE folds only ASCII case,
    so the folded copy is stored beside the name)."""
    return _SPACES.sub(" ", text.lower().replace("ё", "е")).strip()


def comparable_name(name: str) -> str:
    """'ООО «Ромашка»' → 'ромашка': no legal form, quotes, case or extra spaces."""
    text = _QUOTES.sub(" ", name.lower().replace("ё", "е"))
    text = _SPACES.sub(" ", text).strip()
    previous = None
    while previous != text:
        previous = text
        text = _FORMS.sub("", text).strip()
    return text

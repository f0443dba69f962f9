"""Texts that pure code shows to people, kept translatable without importing Django.

Pure modules write `Message(_("ИНН должен содержать %(length)s цифр"), length=10)`: `_` only
marks the template for the translation catalog (makemessages extracts it), the Message is the
Russian text itself (a str), and the Django layer translates it with `crm.core.i18n.translated`
when it shows it in another language."""

from __future__ import annotations

from collections.abc import Mapping


def _(text: str) -> str:
    """Mark a text for the catalog; translation happens where the text is shown."""
    return text


class Message(str):
    template: str
    params: Mapping[str, object]

    def __new__(cls, template: str, /, **params: object) -> Message:
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message

"""Showing pure code's messages (crm.core.domain.messages.Message) in the active language."""

from __future__ import annotations

from django.utils.translation import gettext

from crm.core.domain.messages import Message


def translated(text: str) -> str:
    if isinstance(text, Message):
        template = gettext(text.template)
        return template % text.params if text.params else template
    return gettext(text) if text else text

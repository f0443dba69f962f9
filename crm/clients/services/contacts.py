"""Changing a contact person (adding one to a client is services.contact_add)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from crm.accounts.models import User
from crm.clients.models import Client, ContactPerson
from crm.clients.services import CONTACT_AUDIT_FIELDS, clean_contact_fields
from crm.clients.services.completeness import client_refresh_completeness
from crm.core.audit import audit_record, snapshot
from crm.core.models import AuditAction


@transaction.atomic
def contact_update(*, by: User, contact: ContactPerson, **fields: Any) -> ContactPerson:
    """Change the person's own fields (name parts, phones, e-mail, birthday, comment); the
    same checks as on creation, ValidationError naming each bad field and nothing saved."""
    unknown = set(fields) - set(CONTACT_AUDIT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable contact fields: {sorted(unknown)}")
    before = snapshot(contact, CONTACT_AUDIT_FIELDS)
    for name, value in clean_contact_fields(fields).items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=contact,
        before=before,
        after=snapshot(contact, CONTACT_AUDIT_FIELDS),
    )
    # A decision maker's phone and e-mail count in the completeness of the person's clients.
    for client in Client.objects.filter(contact_links__contact=contact):
        client_refresh_completeness(client)
    return contact

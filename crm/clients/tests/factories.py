from __future__ import annotations

import factory

from crm.accounts.tests.factories import UserFactory
from crm.clients.domain.normalize import comparable_name, searchable
from crm.clients.domain.requisites import inn_control_digits
from crm.clients.models import Client, ClientKind, ContactPerson, LeadSource


def company_inn(n: int) -> str:
    prefix = f"77{n:07d}"[-9:]
    return prefix + inn_control_digits(prefix)


class LeadSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadSource
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Источник {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    kind = ClientKind.COMPANY
    name = factory.Sequence(lambda n: f"ООО «Клиент {n}»")
    name_search = factory.LazyAttribute(lambda client: searchable(client.name))
    name_comparable = factory.LazyAttribute(lambda client: comparable_name(client.name))
    inn = factory.Sequence(company_inn)
    kpp = "770101001"
    owner = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda client: client.owner.department)


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    last_name = factory.Sequence(lambda n: f"Контактов{n}")
    first_name = "Иван"

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from crm.accounts.models import Department, User
from crm.accounts.roles import Role


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Отдел продаж {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Анна"
    last_name = factory.Sequence(lambda n: f"Сотрудникова{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@svod.test")
    password = factory.django.Password("secret-pass-123")
    department = factory.SubFactory(DepartmentFactory)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
            self.__dict__.pop("role", None)

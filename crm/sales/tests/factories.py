"""Factories of the sale process for tests (extend, don't overwrite: several helpers use them).

The default pipeline «Продажа», its stages, units and lost reasons come from migration 0002:
`stage("proposal_sent")`, `unit("796")`, `lost_reason("Дорого")` fetch them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from crm.accounts.tests.factories import UserFactory
from crm.clients.tests.factories import ClientFactory
from crm.sales.models import (
    Deal,
    DealLine,
    DealStatus,
    LostReason,
    Organization,
    OrganizationBankAccount,
    Pipeline,
    Product,
    Proposal,
    ProposalLine,
    ProposalStatus,
    Stage,
    Unit,
)


def pipeline(code: str = "sale") -> Pipeline:
    return Pipeline.objects.get(code=code)


def stage(code: str, pipeline_code: str = "sale") -> Stage:
    return Stage.objects.get(pipeline__code=pipeline_code, code=code)


def unit(okei_code: str = "796") -> Unit:
    return Unit.objects.get(okei_code=okei_code)


def lost_reason(name: str = "Дорого") -> LostReason:
    return LostReason.objects.get(name=name)


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    code = factory.Sequence(lambda n: f"pipeline-{n}")
    name = factory.Sequence(lambda n: f"Воронка {n}")
    order = 200


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    code = factory.Sequence(lambda n: f"stage-{n}")
    name = factory.Sequence(lambda n: f"Этап {n}")
    order = factory.Sequence(lambda n: (n + 1) * 10)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Товар {n}")
    article = factory.Sequence(lambda n: f"ART-{n:05d}")
    unit = factory.LazyFunction(unit)
    price = Decimal("1000.00")


class OrganizationFactory(factory.django.DjangoModelFactory):
    """Our organization with one main bank account (`bank_account=False` to leave it out)."""

    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = "ООО «Свод»"
    full_name = "Общество с ограниченной ответственностью «Свод»"
    inn = "7707083893"
    kpp = "770701001"
    ogrn = "1027700132195"
    legal_address = "101000, г. Москва, ул. Мясницкая, д. 1"
    phone = "+7 495 123-45-67"
    email = "sales@svod.test"
    director = "Петров Пётр Петрович"
    chief_accountant = "Сидорова Мария Ивановна"
    is_default = True

    @factory.post_generation
    def bank_account(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            OrganizationBankAccount.objects.create(
                organization=self,
                bik="044525225",
                bank_name="ПАО Сбербанк",
                correspondent_account="30101810400000000225",
                account="40702810938000000001",
                is_main=True,
            )


class DealFactory(factory.django.DjangoModelFactory):
    """An open deal of the default pipeline on its first stage; pass `stage=stage("…")` for
    another. The manager owns the client; the department is the manager's."""

    class Meta:
        model = Deal
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"С-T{n:05d}")
    title = factory.Sequence(lambda n: f"Сделка {n}")
    manager = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory, owner=factory.SelfAttribute("..manager"))
    department = factory.LazyAttribute(lambda deal: deal.manager.department)
    pipeline = factory.LazyAttribute(lambda deal: deal.stage.pipeline if deal.stage else None)
    stage = factory.LazyFunction(lambda: stage("interest"))
    status = factory.LazyAttribute(
        lambda deal: {"won": DealStatus.WON, "lost": DealStatus.LOST}.get(
            deal.stage.kind, DealStatus.OPEN
        )
    )
    lost_reason = factory.LazyAttribute(
        lambda deal: lost_reason() if deal.status == DealStatus.LOST else None
    )
    closed_at = factory.LazyAttribute(
        lambda deal: timezone.now() if deal.status != DealStatus.OPEN else None
    )
    amount = Decimal("0.00")
    stage_entered_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("manager")

    @factory.post_generation
    def co_executors(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.co_executors.set(extracted)


class DealLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealLine

    deal = factory.SubFactory(DealFactory)
    product = factory.SubFactory(ProductFactory)
    name = factory.LazyAttribute(lambda line: line.product.name if line.product else "Услуга")
    quantity = Decimal("1")
    unit_name = "шт"
    price = Decimal("1000.00")


class ProposalFactory(factory.django.DjangoModelFactory):
    """A draft proposal of a deal (status=ProposalStatus.ISSUED etc. gets a number)."""

    class Meta:
        model = Proposal

    deal = factory.SubFactory(DealFactory)
    client = factory.SelfAttribute("deal.client")
    organization = factory.SubFactory(OrganizationFactory)
    manager = factory.SelfAttribute("deal.manager")
    department = factory.SelfAttribute("deal.department")
    date = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda proposal: proposal.date + dt.timedelta(days=10))
    status = ProposalStatus.DRAFT
    number = factory.LazyAttributeSequence(
        lambda proposal, n: "" if proposal.status == ProposalStatus.DRAFT else f"КП-{n + 1}"
    )
    issued_at = factory.LazyAttribute(
        lambda proposal: None if proposal.status == ProposalStatus.DRAFT else timezone.now()
    )
    sent_at = factory.LazyAttribute(
        lambda proposal: (
            timezone.now()
            if proposal.status in (ProposalStatus.SENT, ProposalStatus.ACCEPTED)
            else None
        )
    )


class ProposalLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalLine

    proposal = factory.SubFactory(ProposalFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Позиция {n}")
    unit_name = "шт"
    okei_code = "796"
    quantity = Decimal("1")
    price = Decimal("1000.00")
    vat_rate = "22"

"""Clients (контрагенты), their contact persons, bank accounts, and the catalogs that describe
them (lead sources, industries, tags)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Area
from crm.clients.domain.normalize import format_phone
from crm.core.models import TimeStampedModel


class LeadSource(models.Model):
    """Where a client came from (источник информации): website, advertising, recommendation…"""

    name = models.CharField(_("название"), max_length=100, unique=True)
    is_active = models.BooleanField(_("используется"), default=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("источник")
        verbose_name_plural = _("источники")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    name = models.CharField(_("название"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("отрасль")
        verbose_name_plural = _("отрасли")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("название"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("метка")
        verbose_name_plural = _("метки")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientKind(models.TextChoices):
    COMPANY = "company", _("Организация")
    ENTREPRENEUR = "entrepreneur", _("ИП")
    PERSON = "person", _("Физическое лицо")


class ClientSize(models.TextChoices):
    MICRO = "micro", _("Микро (до 15 человек)")
    SMALL = "small", _("Малый (до 100)")
    MEDIUM = "medium", _("Средний (до 250)")
    LARGE = "large", _("Крупный (больше 250)")


class ClientStatus(models.TextChoices):
    ACTIVE = "active", _("Действует")
    ARCHIVED = "archived", _("В архиве")


class Client(TimeStampedModel):
    access_area = Area.SALES
    access_owner_fields = ("owner",)
    access_department_field = "department"

    kind = models.CharField(
        _("вид"), max_length=16, choices=ClientKind.choices, default=ClientKind.COMPANY
    )
    name = models.CharField(_("наименование"), max_length=255)
    full_name = models.CharField(_("полное наименование"), max_length=500, blank=True)
    name_search = models.CharField(max_length=255, editable=False, db_index=True, default="")
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, db_index=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    ogrn = models.CharField(_("ОГРН/ОГРНИП"), max_length=15, blank=True)
    legal_address = models.CharField(_("юридический адрес"), max_length=500, blank=True)
    actual_address = models.CharField(_("фактический адрес"), max_length=500, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    website = models.URLField(_("сайт"), blank=True)
    industry = models.ForeignKey(
        Industry, verbose_name=_("отрасль"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.CharField(_("регион"), max_length=100, blank=True)
    size = models.CharField(_("размер"), max_length=16, choices=ClientSize.choices, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("метки"), blank=True, related_name="clients")
    source = models.ForeignKey(
        LeadSource,
        verbose_name=_("источник"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.PROTECT,
        related_name="clients",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("отдел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clients",
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("клиент")
        verbose_name_plural = _("клиенты")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(fields=["owner", "status", "name"]),
            models.Index(fields=["department", "status", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="company") | models.Q(kpp=""),
                name="clients_client_kpp_only_for_company",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def is_archived(self) -> bool:
        return self.status == ClientStatus.ARCHIVED


class BankAccount(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("клиент"), on_delete=models.CASCADE, related_name="bank_accounts"
    )
    bik = models.CharField(_("БИК"), max_length=9)
    bank_name = models.CharField(_("банк"), max_length=255, blank=True)
    account = models.CharField(_("расчётный счёт"), max_length=20)
    correspondent_account = models.CharField(_("корр. счёт"), max_length=20, blank=True)
    is_main = models.BooleanField(_("основной"), default=False)

    class Meta:
        verbose_name = _("банковский счёт")
        verbose_name_plural = _("банковские счета")
        ordering = ["-is_main", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "bik", "account"], name="clients_bankaccount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} в {self.bank_name or self.bik}"


class ContactPerson(TimeStampedModel):
    """A person the company talks to. One person may work for several clients."""

    last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True, db_index=True)
    mobile_phone = models.CharField(_("мобильный"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    birthday = models.DateField(_("день рождения"), null=True, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    clients = models.ManyToManyField(
        Client, through="ClientContact", related_name="contacts", verbose_name=_("клиенты")
    )

    class Meta:
        verbose_name = _("контактное лицо")
        verbose_name_plural = _("контактные лица")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def phone_display(self) -> str:
        return format_phone(self.mobile_phone or self.phone)


class ClientContact(models.Model):
    """The person's place at one client: position, role in the deal, whether main contact."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(ContactPerson, on_delete=models.CASCADE, related_name="links")
    position = models.CharField(_("должность"), max_length=150, blank=True)
    is_decision_maker = models.BooleanField(_("принимает решения"), default=False)
    is_main = models.BooleanField(_("основной контакт"), default=False)

    class Meta:
        verbose_name = _("контакт клиента")
        verbose_name_plural = _("контакты клиента")
        constraints = [
            models.UniqueConstraint(fields=["client", "contact"], name="clients_contact_once"),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(is_main=True),
                name="clients_one_main_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} — {self.client}"

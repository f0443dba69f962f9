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
    MERGED = "merged", _("Объединён с другим")


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
    # Derived, kept up to date by the services that change the inputs (see completeness.py).
    completeness = models.PositiveSmallIntegerField(_("заполненность, %"), default=0)
    completeness_missing = models.JSONField(_("не заполнено"), default=list, blank=True)
    needs_completion = models.BooleanField(
        _("требует дозаполнения"),
        default=False,
        help_text=_("Заведён быстрой регистрацией; снимается, когда выполнены правила ввода"),
    )
    name_comparable = models.CharField(
        max_length=255, editable=False, db_index=True, default=""
    )  # without legal form and quotes: for duplicate search
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("объединён с"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_clients",
    )

    class Meta:
        verbose_name = _("клиент")
        verbose_name_plural = _("клиенты")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(fields=["owner", "status", "name"]),
            models.Index(fields=["department", "status", "name"]),
            models.Index(fields=["status", "completeness"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "inn"]),
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


class EntryPoint(models.TextChoices):
    """When an entry rule is checked."""

    CREATION = "creation", _("При создании")
    FIRST_DEAL = "first_deal", _("Перед первой сделкой")
    FIRST_INVOICE = "first_invoice", _("Перед первым счётом")


class EntryRule(models.Model):
    """One required field of a client of one kind at one point: "a company needs ИНН before
    its first invoice". Configured by the administrator."""

    client_kind = models.CharField(_("вид клиента"), max_length=16, choices=ClientKind.choices)
    point = models.CharField(_("когда"), max_length=16, choices=EntryPoint.choices)
    field = models.CharField(_("поле"), max_length=40)

    class Meta:
        verbose_name = _("правило ввода")
        verbose_name_plural = _("правила ввода")
        ordering = ["client_kind", "point", "field"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_kind", "point", "field"], name="clients_entryrule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_kind}/{self.point}: {self.field}"


class CompletenessCriterion(models.Model):
    """One input of the completeness score and its weight (the score is the weighted share of
    criteria met, 0–100)."""

    code = models.CharField(_("код"), max_length=40, unique=True)
    weight = models.PositiveSmallIntegerField(_("вес"), default=1)
    is_active = models.BooleanField(_("учитывается"), default=True)

    class Meta:
        verbose_name = _("критерий заполненности")
        verbose_name_plural = _("критерии заполненности")
        ordering = ["-weight", "code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.weight})"


class SavedFilter(models.Model):
    """A user's named client-list filter (its query string)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_client_filters"
    )
    name = models.CharField(_("название"), max_length=100)
    query = models.CharField(_("параметры"), max_length=2000)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("сохранённый фильтр")
        verbose_name_plural = _("сохранённые фильтры")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="clients_savedfilter_unique")
        ]

    def __str__(self) -> str:
        return self.name


class GroupChange(models.Model):
    """One group change of many clients, with each client's values before it, so the last
    change can be undone."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    action = models.CharField(_("действие"), max_length=40)
    description = models.CharField(_("описание"), max_length=500)
    count = models.PositiveIntegerField(_("клиентов"), default=0)
    before = models.JSONField(_("значения до"), default=dict)  # {client_id: {field: value}}
    undone_at = models.DateTimeField(_("отменено"), null=True, blank=True)

    class Meta:
        verbose_name = _("групповое изменение")
        verbose_name_plural = _("групповые изменения")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.description


class DuplicateStatus(models.TextChoices):
    NEW = "new", _("Новый")
    MERGED = "merged", _("Объединены")
    DISMISSED = "dismissed", _("Не дубли")


class DuplicatePair(models.Model):
    """What a full scan keeps about a pair of cards found alike: the score and its reasons.
    Concrete models add `first` and `second` (first_id < second_id) for their kind of card."""

    score = models.PositiveSmallIntegerField(_("сходство, %"))
    reasons = models.JSONField(_("причины"), default=list)
    status = models.CharField(
        _("статус"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.NEW
    )
    found_at = models.DateTimeField(_("найдено"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score})"  # type: ignore[attr-defined]


class ClientDuplicate(DuplicatePair):
    """A pair of clients a full scan found alike."""

    first = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")

    class Meta(DuplicatePair.Meta):
        verbose_name = _("возможный дубль клиента")
        verbose_name_plural = _("возможные дубли клиентов")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="clients_duplicate_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="clients_duplicate_ordered",
            ),
        ]


class ContactDuplicate(DuplicatePair):
    """A pair of contact persons a full scan found alike."""

    first = models.ForeignKey(ContactPerson, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(ContactPerson, on_delete=models.CASCADE, related_name="+")

    class Meta(DuplicatePair.Meta):
        verbose_name = _("возможный дубль контакта")
        verbose_name_plural = _("возможные дубли контактов")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="clients_contactdup_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="clients_contactdup_ordered",
            ),
        ]


class Merge(models.Model):
    """A merge of one card into another, kept so it can be undone: the merged card's row stays
    (status MERGED), `kept_before` holds the kept card's fields before the merge and `moved`
    lists every reference that was re-pointed: [[app_label.model, field, [ids]], …]."""

    KIND_CHOICES = [("client", _("Клиент")), ("contact", _("Контактное лицо"))]

    kind = models.CharField(_("что"), max_length=16, choices=KIND_CHOICES)
    kept_id = models.BigIntegerField(_("оставлен"))
    merged_id = models.BigIntegerField(_("присоединён"))
    kept_before = models.JSONField(_("поля оставленной карточки до объединения"), default=dict)
    moved = models.JSONField(_("перенесённые ссылки"), default=list)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    undone_at = models.DateTimeField(_("отменено"), null=True, blank=True)

    class Meta:
        verbose_name = _("объединение")
        verbose_name_plural = _("объединения")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.merged_id} → {self.kept_id}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Загружен")
    PREVIEWED = "previewed", _("Проверен")
    APPLIED = "applied", _("Загружен в базу")
    FAILED = "failed", _("Ошибки")


class ImportBatch(models.Model):
    """One uploaded CSV/XLSX file on its way in: mapping → preview → apply (all or nothing)."""

    KIND_CHOICES = [("clients", _("Клиенты")), ("contacts", _("Контактные лица"))]

    kind = models.CharField(_("что загружаем"), max_length=16, choices=KIND_CHOICES)
    file_name = models.CharField(_("файл"), max_length=255)
    content = models.BinaryField(_("содержимое"))
    mapping = models.JSONField(_("соответствие колонок"), default=dict, blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("строк"), default=0)
    errors = models.JSONField(_("ошибки"), default=list, blank=True)  # [{row, field, message}]
    created_ids = models.JSONField(_("созданные записи"), default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    applied_at = models.DateTimeField(_("применён"), null=True, blank=True)

    class Meta:
        verbose_name = _("импорт")
        verbose_name_plural = _("импорты")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

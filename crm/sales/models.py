"""The sale process: pipelines and their stages as data, automatic steps, client interests
(deals) with lines and stage history, the catalog of goods and services, our organizations and
commercial proposals.

The rules themselves (what a stage needs, what happens on entering it) live in
`crm.sales.services`; the models keep fields, constraints and single-row facts only."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Area
from crm.core.models import TimeStampedModel

# --- Our organizations -------------------------------------------------------------------


class Organization(TimeStampedModel):
    """One of our own legal entities; its requisites are copied onto every document."""

    name = models.CharField(_("краткое название"), max_length=255)
    full_name = models.CharField(_("полное наименование"), max_length=500)
    inn = models.CharField(_("ИНН"), max_length=12)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    ogrn = models.CharField(_("ОГРН / ОГРНИП"), max_length=15, blank=True)
    legal_address = models.CharField(_("юридический адрес"), max_length=500)
    postal_address = models.CharField(_("почтовый адрес"), max_length=500, blank=True)
    phone = models.CharField(_("телефон"), max_length=40, blank=True)
    email = models.EmailField(_("эл. почта"), blank=True)
    director = models.CharField(_("руководитель (ФИО)"), max_length=255, blank=True)
    director_position = models.CharField(
        _("должность руководителя"), max_length=255, default="Генеральный директор"
    )
    chief_accountant = models.CharField(_("главный бухгалтер (ФИО)"), max_length=255, blank=True)
    is_vat_payer = models.BooleanField(_("плательщик НДС"), default=True)
    is_default = models.BooleanField(_("по умолчанию"), default=False)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("наша организация")
        verbose_name_plural = _("наши организации")
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class OrganizationBankAccount(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bank_accounts"
    )
    bik = models.CharField(_("БИК"), max_length=9)
    bank_name = models.CharField(_("банк"), max_length=255)
    correspondent_account = models.CharField(_("корр. счёт"), max_length=20, blank=True)
    account = models.CharField(_("расчётный счёт"), max_length=20)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    is_main = models.BooleanField(_("основной"), default=False)

    class Meta:
        verbose_name = _("банковский счёт организации")
        verbose_name_plural = _("банковские счета организации")
        ordering = ["-is_main", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "account"], name="sales_org_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} в {self.bank_name}"


# --- Catalog (номенклатура) ---------------------------------------------------------------


class Unit(models.Model):
    """A unit of measure by the ОКЕИ classifier: 796 «шт», 168 «т», 356 «ч», 384 «тыс. руб»."""

    okei_code = models.CharField(_("код ОКЕИ"), max_length=4, unique=True)
    name = models.CharField(_("обозначение"), max_length=20)
    full_name = models.CharField(_("наименование"), max_length=100)

    class Meta:
        verbose_name = _("единица измерения")
        verbose_name_plural = _("единицы измерения")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductGroup(models.Model):
    name = models.CharField(_("название"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("входит в группу"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("группа номенклатуры")
        verbose_name_plural = _("группы номенклатуры")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ProductKind(models.TextChoices):
    GOODS = "goods", _("Товар")
    SERVICE = "service", _("Услуга")


class VatKind(models.TextChoices):
    """What the item is taxed at; the rate itself follows from the document's date
    (`crm.core.domain.vat.rate_for`): «общая» is 22 % from 2026, 20 % in 2019–2025, 18 % before."""

    GENERAL = "general", _("Общая ставка")
    REDUCED = "reduced", _("10 %")
    ZERO = "zero", _("0 %")
    USN_5 = "usn5", _("5 % (УСН)")
    USN_7 = "usn7", _("7 % (УСН)")
    NONE = "none", _("Без НДС")


class Product(TimeStampedModel):
    name = models.CharField(_("наименование"), max_length=500)
    kind = models.CharField(
        _("вид"), max_length=16, choices=ProductKind.choices, default=ProductKind.GOODS
    )
    article = models.CharField(_("артикул"), max_length=100, blank=True, db_index=True)
    unit = models.ForeignKey(Unit, verbose_name=_("единица"), on_delete=models.PROTECT)
    price = models.DecimalField(_("цена"), max_digits=15, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    vat_kind = models.CharField(
        _("НДС"), max_length=16, choices=VatKind.choices, default=VatKind.GENERAL
    )
    group = models.ForeignKey(
        ProductGroup,
        verbose_name=_("группа"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    description = models.TextField(_("описание"), blank=True)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("номенклатура")
        verbose_name_plural = _("номенклатура")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["is_active", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="sales_product_price_not_negative"
            ),
            # An article names one product, whatever its case (imports match on it).
            models.UniqueConstraint(
                Upper("article"),
                condition=~models.Q(article=""),
                name="sales_product_article_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Pipelines and stages ----------------------------------------------------------------


class Pipeline(models.Model):
    """One sale process (one per business line)."""

    code = models.SlugField(_("код"), max_length=40, unique=True)
    name = models.CharField(_("название"), max_length=100)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    is_default = models.BooleanField(_("по умолчанию"), default=False)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("воронка")
        verbose_name_plural = _("воронки")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", _("В работе")
    WON = "won", _("Успех")
    LOST = "lost", _("Проигрыш")


class Stage(models.Model):
    """One step of a pipeline. `required_fields` are deal fields (codes of
    `crm.sales.domain.rules.DEAL_FIELDS`) that must be filled to leave it; `requirements` say
    what must exist to enter it formally; `may_skip` lets a move pass over it implicitly."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("код"), max_length=40)
    name = models.CharField(_("название"), max_length=100)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    kind = models.CharField(
        _("тип"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN
    )
    probability = models.PositiveSmallIntegerField(
        _("вероятность, %"), default=0, validators=[MaxValueValidator(100)]
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("срок, рабочих дней"), null=True, blank=True
    )
    may_skip = models.BooleanField(_("можно пройти неявно"), default=True)
    required_fields = models.JSONField(_("обязательно заполнить для выхода"), default=list)
    color = models.CharField(_("цвет"), max_length=7, default="#2f6fed")

    class Meta:
        verbose_name = _("этап")
        verbose_name_plural = _("этапы")
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="sales_stage_code_unique"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="sales_stage_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RequirementKind(models.TextChoices):
    DOCUMENT = "document", _("Документ")
    ACTIVITY = "activity", _("Событие")


class StageRequirement(models.Model):
    """A formal confirmation of entering a stage: a document (a code from the document
    registry, e.g. `proposal_issued`, `proposal_sent`; billing adds invoices and shipments) or
    a done activity of a kind linked to the deal."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("что нужно"), max_length=16, choices=RequirementKind.choices)
    document = models.CharField(_("документ"), max_length=40, blank=True)
    activity_kind = models.ForeignKey(
        "activities.ActivityKind",
        verbose_name=_("вид события"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("подтверждение этапа")
        verbose_name_plural = _("подтверждения этапов")
        ordering = ["stage", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="document") & ~models.Q(document=""))
                | (models.Q(kind="activity") & models.Q(activity_kind__isnull=False)),
                name="sales_requirement_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.document or str(self.activity_kind)


class LostReason(models.Model):
    name = models.CharField(_("причина"), max_length=255)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("причина проигрыша")
        verbose_name_plural = _("причины проигрыша")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Trigger(models.TextChoices):
    PROPOSAL_SENT = "proposal_sent", _("Предложение отправлено по эл. почте")
    STAGE_ENTERED = "stage_entered", _("Сделка перешла на этап")
    STAGE_OVERDUE = "stage_overdue", _("Срок этапа истёк")
    DEAL_WON = "deal_won", _("Сделка выиграна")
    DEAL_LOST = "deal_lost", _("Сделка проиграна")


class ActionKind(models.TextChoices):
    CREATE_ACTIVITY = "create_activity", _("Создать событие")
    NOTIFY = "notify", _("Уведомить")


class Assignee(models.TextChoices):
    MANAGER = "manager", _("Ответственный по сделке")
    HEAD = "head", _("Руководитель отдела")
    MANAGER_AND_HEAD = "manager_and_head", _("Ответственный и руководитель")
    ACCOUNTANT = "accountant", _("Бухгалтер")
    USER = "user", _("Выбранный сотрудник")


class AutomationRule(models.Model):
    """A rule of the form "when X happens, do Y after Z working days": the created activity is
    due Z working days after the event; a notification goes at once."""

    name = models.CharField(_("название"), max_length=255)
    pipeline = models.ForeignKey(
        Pipeline,
        verbose_name=_("воронка"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text=_("Пусто — для всех воронок"),
    )
    trigger = models.CharField(_("когда"), max_length=32, choices=Trigger.choices)
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("этап"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    action = models.CharField(_("что сделать"), max_length=32, choices=ActionKind.choices)
    activity_kind = models.ForeignKey(
        "activities.ActivityKind",
        verbose_name=_("вид события"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("тема / текст"), max_length=255)
    assignee = models.CharField(
        _("кому"), max_length=32, choices=Assignee.choices, default=Assignee.MANAGER
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delay_working_days = models.PositiveSmallIntegerField(_("через, рабочих дней"), default=0)
    is_active = models.BooleanField(_("включено"), default=True)
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("автоматический шаг")
        verbose_name_plural = _("автоматические шаги")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="create_activity")
                | models.Q(activity_kind__isnull=False),
                name="sales_rule_activity_has_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(assignee="user") | models.Q(user__isnull=False),
                name="sales_rule_user_given",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Deals (интересы клиентов) ------------------------------------------------------------


class DealStatus(models.TextChoices):
    OPEN = "open", _("В работе")
    WON = "won", _("Выиграна")
    LOST = "lost", _("Проиграна")


class FirstStep(models.TextChoices):
    PROPOSAL = "proposal", _("Сначала коммерческое предложение")
    INVOICE = "invoice", _("Сразу счёт")


class Deal(TimeStampedModel):
    """A client's interest in our goods or services, moving through a pipeline.

    `stage_entered_at` and `stage_deadline` (entered + the stage's limit in working days) are
    kept on the row so "stuck now" and time-in-stage need no history scan."""

    access_area = Area.SALES
    access_owner_fields = ("manager", "co_executors")
    access_department_field = "department"

    number = models.CharField(_("номер"), max_length=20, unique=True)
    title = models.CharField(_("название"), max_length=255)
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("клиент"), on_delete=models.PROTECT, related_name="deals"
    )
    contact = models.ForeignKey(
        "clients.ContactPerson",
        verbose_name=_("контактное лицо"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("воронка"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("этап"), on_delete=models.PROTECT, related_name="deals"
    )
    status = models.CharField(
        _("состояние"), max_length=8, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    amount = models.DecimalField(
        _("ожидаемая сумма"), max_digits=15, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    expected_close_date = models.DateField(_("ожидаемая дата"), null=True, blank=True)
    source = models.ForeignKey(
        "clients.LeadSource",
        verbose_name=_("источник"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("отдел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    co_executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("соисполнители"),
        blank=True,
        related_name="co_deals",
    )
    description = models.TextField(_("пожелания клиента"), blank=True)
    first_step = models.CharField(
        _("первый шаг"), max_length=16, choices=FirstStep.choices, default=FirstStep.PROPOSAL
    )
    stage_entered_at = models.DateTimeField(_("на этапе с"))
    stage_deadline = models.DateField(_("срок этапа"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("причина проигрыша"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    lost_comment = models.CharField(_("комментарий к проигрышу"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("создал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("версия"), default=1)

    class Meta:
        verbose_name = _("сделка")
        verbose_name_plural = _("сделки")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The board: count, sum and the newest cards per stage read from the index alone.
            models.Index(
                fields=[
                    "pipeline",
                    "status",
                    "stage",
                    "-created_at",
                    "-id",
                    "amount",
                    "manager",
                    "department",
                ],
                name="sales_deal_board_idx",
            ),
            models.Index(fields=["manager", "status", "stage"]),
            models.Index(fields=["department", "status", "stage"]),
            models.Index(fields=["status", "stage_deadline"]),
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["-created_at", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="sales_deal_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="lost") | models.Q(lost_reason__isnull=False),
                name="sales_deal_lost_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DealLine(models.Model):
    """A product or service the client is interested in."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product,
        verbose_name=_("номенклатура"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("наименование"), max_length=500)
    quantity = models.DecimalField(
        _("количество"),
        max_digits=15,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    unit_name = models.CharField(_("единица"), max_length=20, blank=True)
    price = models.DecimalField(_("цена"), max_digits=15, decimal_places=2, default=Decimal("0.00"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("строка сделки")
        verbose_name_plural = _("строки сделки")
        ordering = ["deal", "order", "id"]

    def __str__(self) -> str:
        return self.name


class DealStageChange(models.Model):
    """One move of a deal: who, when, from, to, how long it stayed where it was (seconds and
    working days), and which stages it passed over implicitly. The funnel reads these rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("когда"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seconds_in_stage = models.BigIntegerField(_("пробыла на этапе, с"), null=True, blank=True)
    working_days_in_stage = models.PositiveIntegerField(
        _("пробыла на этапе, рабочих дней"), null=True, blank=True
    )
    skipped = models.JSONField(_("пропущенные этапы"), default=list, blank=True)
    automatic = models.BooleanField(_("автоматически"), default=False)
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("смена этапа")
        verbose_name_plural = _("смены этапов")
        ordering = ["deal", "changed_at", "id"]
        indexes = [
            models.Index(fields=["deal", "changed_at"]),
            models.Index(fields=["to_stage", "changed_at"]),
            models.Index(fields=["changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class DealActivity(models.Model):
    """The link from an activity to its deal (owned here: `activities` sits below `sales`)."""

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="deal_link"
    )
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="activity_links")

    class Meta:
        verbose_name = _("событие сделки")
        verbose_name_plural = _("события сделки")
        indexes = [models.Index(fields=["deal", "activity"])]

    def __str__(self) -> str:
        return f"{self.deal_id} ↔ {self.activity_id}"


class AutomationRun(models.Model):
    """One automatic action taken: which rule, for which deal, what it made. `key` makes a
    run happen once (e.g. one "stage overdue" notice per stay in a stage)."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="runs")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="automation_runs")
    key = models.CharField(max_length=120, unique=True)
    at = models.DateTimeField(_("когда"))
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(_("результат"), max_length=500)

    class Meta:
        verbose_name = _("выполненный автоматический шаг")
        verbose_name_plural = _("выполненные автоматические шаги")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.result


# --- Commercial proposals (КП) ------------------------------------------------------------


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    ISSUED = "issued", _("Выставлено")
    SENT = "sent", _("Отправлено")
    ACCEPTED = "accepted", _("Принято")
    REJECTED = "rejected", _("Отклонено")
    SUPERSEDED = "superseded", _("Заменено новой версией")


class Proposal(TimeStampedModel):
    """A commercial proposal of a deal. Editable while a draft; issuing gives it a number and
    copies both parties' requisites into `seller` / `buyer`; after that only its status moves,
    and a change is a new version (`previous`)."""

    access_area = Area.SALES
    access_owner_fields = ("manager",)
    access_department_field = "department"

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="proposals")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="proposals")
    organization = models.ForeignKey(
        Organization, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("номер"), max_length=30, blank=True)
    date = models.DateField(_("дата"))
    valid_until = models.DateField(_("действует до"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("версия"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("предыдущая версия"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    status = models.CharField(
        _("состояние"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    prices_include_vat = models.BooleanField(_("цены включают НДС"), default=True)
    terms = models.TextField(_("условия"), blank=True)
    contact = models.ForeignKey(
        "clients.ContactPerson",
        verbose_name=_("кому"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amount_without_vat = models.DecimalField(
        _("сумма без НДС"), max_digits=15, decimal_places=2, default=Decimal("0")
    )
    vat_amount = models.DecimalField(
        _("НДС"), max_digits=15, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(_("итого"), max_digits=15, decimal_places=2, default=Decimal("0"))
    seller = models.JSONField(_("реквизиты продавца"), default=dict, blank=True)
    buyer = models.JSONField(_("реквизиты покупателя"), default=dict, blank=True)
    issued_at = models.DateTimeField(_("выставлено"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("коммерческое предложение")
        verbose_name_plural = _("коммерческие предложения")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["deal", "-date"]),
            models.Index(fields=["manager", "status", "-date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(number=""),
                name="sales_proposal_issued_has_number",
            ),
            models.UniqueConstraint(
                fields=["organization", "number"],
                condition=~models.Q(number=""),
                name="sales_proposal_number_unique",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            # The number carries its kind already: «КП-2026-0001 от 26.11.2026».
            return _("%(number)s от %(date)s") % {
                "number": self.number,
                "date": self.date.strftime("%d.%m.%Y"),
            }
        return _("Черновик КП от %(date)s") % {"date": self.date.strftime("%d.%m.%Y")}


class ProposalLine(models.Model):
    """A line as issued: the VAT rate is the number valid on the document's date; amounts are
    computed by `crm.core.domain.vat` and stored."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(_("№"), default=0)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("наименование"), max_length=500)
    unit_name = models.CharField(_("единица"), max_length=20, default="шт")
    okei_code = models.CharField(_("код ОКЕИ"), max_length=4, blank=True)
    quantity = models.DecimalField(_("количество"), max_digits=15, decimal_places=3)
    price = models.DecimalField(_("цена"), max_digits=15, decimal_places=2)
    discount_percent = models.DecimalField(
        _("скидка, %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    vat_rate = models.CharField(_("ставка НДС"), max_length=8)  # "22", "10", "0", "none", …
    amount_without_vat = models.DecimalField(
        _("сумма без НДС"), max_digits=15, decimal_places=2, default=Decimal("0")
    )
    vat_amount = models.DecimalField(
        _("НДС"), max_digits=15, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(_("сумма"), max_digits=15, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("строка предложения")
        verbose_name_plural = _("строки предложения")
        ordering = ["proposal", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="sales_proposal_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="sales_proposal_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0) & models.Q(discount_percent__lte=100),
                name="sales_proposal_line_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

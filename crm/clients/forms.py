from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import user_scope
from crm.accounts.models import Department, User
from crm.accounts.roles import Area, Scope
from crm.accounts.selectors import colleagues_visible_to
from crm.clients.models import (
    Client,
    ClientKind,
    ClientSize,
    ClientStatus,
    ContactPerson,
    EntryPoint,
    Industry,
    LeadSource,
    Tag,
)
from crm.clients.selectors import ClientFilter
from crm.clients.selectors.entry_rules import entry_rules_by_point


class ClientForm(forms.ModelForm):
    """Checks of requisites happen in the service (one place for page, API and import); the
    view copies the service's messages back onto these fields."""

    website = forms.URLField(label=_("сайт"), required=False, assume_scheme="https")

    class Meta:
        model = Client
        fields = (
            "kind",
            "name",
            "full_name",
            "inn",
            "kpp",
            "ogrn",
            "phone",
            "email",
            "website",
            "legal_address",
            "actual_address",
            "industry",
            "region",
            "size",
            "source",
            "tags",
            "owner",
            "department",
            "comment",
        )
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args: Any, can_reassign: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LeadSource.objects.filter(is_active=True)
        self.fields["industry"].queryset = Industry.objects.all()
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["owner"].queryset = User.objects.filter(is_active=True)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["phone"].widget.attrs["placeholder"] = "+7 495 123-45-67"
        self.fields["inn"].widget.attrs["inputmode"] = "numeric"
        if not can_reassign:
            # A manager cannot give a client to someone else or move it to another department.
            del self.fields["owner"]
            del self.fields["department"]
        if self.instance.pk is None:
            # Fields the entry rules require on creation of every kind are marked as required
            # (the service checks the kind actually chosen).
            required = set.intersection(
                *(set(entry_rules_by_point(kind)[EntryPoint.CREATION]) for kind in ClientKind)
            )
            for name in required & set(self.fields):
                self.fields[name].required = True


class ContactForm(forms.ModelForm):
    position = forms.CharField(label=_("должность"), max_length=150, required=False)
    is_decision_maker = forms.BooleanField(label=_("принимает решения"), required=False)
    is_main = forms.BooleanField(label=_("основной контакт"), required=False)

    class Meta:
        model = ContactPerson
        fields = (
            "last_name",
            "first_name",
            "middle_name",
            "phone",
            "mobile_phone",
            "email",
            "birthday",
            "comment",
        )
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 2}),
        }


class BankAccountForm(forms.Form):
    bik = forms.CharField(label=_("БИК"), max_length=9)
    bank_name = forms.CharField(label=_("банк"), max_length=255, required=False)
    account = forms.CharField(label=_("расчётный счёт"), max_length=20)
    correspondent_account = forms.CharField(label=_("корр. счёт"), max_length=20, required=False)
    is_main = forms.BooleanField(label=_("основной"), required=False)


SORT_CHOICES = [
    ("name", _("по названию (А→Я)")),
    ("-name", _("по названию (Я→А)")),
    ("-created", _("сначала новые")),
    ("created", _("сначала старые")),
    ("inn", _("по ИНН")),
    ("-inn", _("по ИНН (по убыванию)")),
    ("-completeness", _("сначала заполненные")),
    ("completeness", _("сначала незаполненные")),
]
PER_PAGE_CHOICES = [("25", "25"), ("50", "50"), ("100", "100"), ("200", "200")]
# The first row of the list's filters; every other field goes under "Ещё фильтры" (so a filter
# added to the form later shows up there by itself). The page size and the old archive
# checkbox are not drawn with the filters.
MAIN_FILTERS = ("q", "kind", "owner", "source", "sort")
NOT_DRAWN = ("per_page", "archived")


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.is_active:
            return str(obj)
        return _("%(name)s (отключён)") % {"name": obj}


def _colleagues_any_state(user: Any, scope: Scope) -> models.QuerySet[User, Any]:
    """The ids of the colleagues `user` may see, switched-off ones included."""
    users = User.objects.all()
    if scope == Scope.ALL:
        return users.values("pk")
    if scope == Scope.DEPARTMENT and user.department_id:
        return users.filter(department_id=user.department_id).values("pk")
    return users.filter(pk=user.pk).values("pk")


class ClientFilterForm(forms.Form):
    """The client list's filters, read from the query string. Every field is optional; a bad
    value (an unknown id, a malformed date) is dropped, the rest still filters."""

    q = forms.CharField(label=_("Поиск"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Вид"), required=False, choices=[("", _("все")), *ClientKind.choices]
    )
    owner = OwnerChoiceField(
        label=_("Ответственный"), required=False, queryset=User.objects.none(), empty_label=_("все")
    )
    source = forms.ModelChoiceField(
        label=_("Источник"),
        required=False,
        queryset=LeadSource.objects.none(),
        empty_label=_("все"),
    )
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[(ClientStatus.ACTIVE, _("действующие")), (ClientStatus.ARCHIVED, _("в архиве"))],
    )
    sort = forms.ChoiceField(label=_("Сортировка"), required=False, choices=SORT_CHOICES)
    department = forms.ModelChoiceField(
        label=_("Отдел"), required=False, queryset=Department.objects.none(), empty_label=_("все")
    )
    industry = forms.ModelChoiceField(
        label=_("Отрасль"), required=False, queryset=Industry.objects.none(), empty_label=_("все")
    )
    region = forms.CharField(label=_("Регион"), required=False, max_length=100)
    size = forms.ChoiceField(
        label=_("Размер"), required=False, choices=[("", _("все")), *ClientSize.choices]
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Метки"),
        required=False,
        queryset=Tag.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    needs_completion = forms.ChoiceField(
        label=_("Дозаполнение"),
        required=False,
        choices=[("", _("все")), ("1", _("требуют дозаполнения")), ("0", _("не требуют"))],
    )
    created_from = forms.DateField(
        label=_("Созданы с"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("по"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    completeness_min = forms.IntegerField(
        label=_("Заполненность от, %"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    completeness_max = forms.IntegerField(
        label=_("Заполненность до, %"),
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    per_page = forms.ChoiceField(label=_("На странице"), required=False, choices=PER_PAGE_CHOICES)
    # Older links used a checkbox for the archive; still understood.
    archived = forms.BooleanField(label=_("Архив"), required=False)

    show_owner = True
    show_department = True

    def __init__(
        self, *args: Any, owners: Any = None, departments: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else User.objects.none()
        self.fields["department"].queryset = (
            departments if departments is not None else Department.objects.none()
        )
        self.fields["source"].queryset = LeadSource.objects.all()
        self.fields["industry"].queryset = Industry.objects.all()
        self.fields["tags"].queryset = Tag.objects.all()
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select-sm")
            elif isinstance(widget, forms.TextInput | forms.DateInput | forms.NumberInput):
                widget.attrs.setdefault("class", "form-control-sm")

    @classmethod
    def for_user(cls, user: Any, data: Any) -> ClientFilterForm:
        """The form with the choices `user` may pick: colleagues they may see as owners, and
        departments for a head (their own) or for whoever sees every department."""
        scope = user_scope(user, Area.SALES)
        departments = Department.objects.none()
        if scope == Scope.ALL:
            departments = Department.objects.filter(is_active=True)
        elif scope == Scope.DEPARTMENT and user.department_id:
            departments = Department.objects.filter(pk=user.department_id)
        # A departed employee's clients can still be found (to hand them over), so the owner
        # filter lists switched-off colleagues too, after the working ones.
        owners = User.objects.filter(
            models.Q(pk__in=colleagues_visible_to(user).values("pk"))
            | models.Q(is_active=False, pk__in=_colleagues_any_state(user, scope))
        ).order_by("-is_active", "last_name", "first_name", "username")
        form = cls(data or None, owners=owners, departments=departments)
        form.is_valid()
        form.show_owner = scope != Scope.OWN
        form.show_department = scope in (Scope.DEPARTMENT, Scope.ALL)
        return form

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("archived"):
            data["status"] = ClientStatus.ARCHIVED
        return data

    def to_filter(self) -> ClientFilter:
        """The selector's filter from whatever fields are valid (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        needs_completion = data.get("needs_completion", "")
        return ClientFilter(
            query=data.get("q", ""),
            kind=data.get("kind", ""),
            status=data.get("status") or ClientStatus.ACTIVE,
            owner_id=data["owner"].pk if data.get("owner") else None,
            department_id=data["department"].pk if data.get("department") else None,
            source_id=data["source"].pk if data.get("source") else None,
            industry_id=data["industry"].pk if data.get("industry") else None,
            tag_ids=tuple(tag.pk for tag in data.get("tags") or ()),
            region=data.get("region", ""),
            size=data.get("size", ""),
            needs_completion={"1": True, "0": False}.get(needs_completion),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            completeness_min=data.get("completeness_min"),
            completeness_max=data.get("completeness_max"),
            sort=data.get("sort") or "name",
        )

    def more_filters(self) -> list[forms.BoundField]:
        """The rarer filters, drawn under "Ещё фильтры"."""
        hidden = {*MAIN_FILTERS, *NOT_DRAWN}
        if not self.show_department:
            hidden.add("department")
        return [self[name] for name in self.fields if name not in hidden]

    def more_filters_used(self) -> int:
        """How many rarer filters are set (the badge on "Ещё фильтры"; it opens when > 0)."""
        data = getattr(self, "cleaned_data", {})
        return sum(
            1
            for bound in self.more_filters()
            if data.get(bound.name) not in (None, "", [], ())
            and not (bound.name == "status" and data.get("status") == ClientStatus.ACTIVE)
            and not (hasattr(data.get(bound.name), "exists") and not data[bound.name])
        )

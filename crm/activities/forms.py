"""Forms of the activity pages: the create/edit form, the "Завершить" dialog (with the next
step), cancel and reschedule dialogs, the bulk toolbar and the work-list filters. They parse and
show; the rules live in crm.activities.services.activities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.access import visible_to
from crm.accounts.models import User
from crm.activities.models import Activity, ActivityKind, ActivityOutcome, Direction
from crm.activities.selectors.activities import (
    ActivityFilter,
    activity_kinds,
    assignable_users,
    co_executor_choices,
    sees_department,
)
from crm.activities.services.activities import (
    ERROR_CLIENT_NOT_FOUND,
    ERROR_RESPONSIBLE_NOT_ALLOWED,
    ERROR_RESULT_REQUIRED,
    ERROR_SUBJECT_REQUIRED,
)
from crm.clients.models import Client, ContactPerson

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
REMINDER_OFFSETS = [
    ("15", _("за 15 минут")),
    ("60", _("за 1 час")),
    ("1440", _("за 1 день")),
]
NEXT_IN_DAYS = [("1", _("завтра")), ("3", _("через 3 дня")), ("7", _("через неделю"))]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class KindChoiceField(forms.ModelChoiceField):
    """Kinds shown as buttons with their icon (the template reads `kind_options`)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        department = f" · {obj.department}" if obj.department_id else ""
        return f"{obj.full_name}{department}"


def next_working_hour(now: dt.datetime | None = None) -> dt.datetime:
    """The next full hour in the current time zone, skipping the night to 10:00."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    if start.hour >= 19 or start.hour < 9:
        day = start.date() if start.hour < 9 else start.date() + dt.timedelta(days=1)
        start = start.replace(year=day.year, month=day.month, day=day.day, hour=10)
    return start


def in_days_at(days: int, hour: int = 10, now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    return (local + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


class ActivityForm(forms.Form):
    kind = KindChoiceField(
        label=_("Вид"),
        queryset=ActivityKind.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Выберите вид события")},
    )
    direction = forms.ChoiceField(label=_("Направление"), choices=Direction.choices)
    subject = forms.CharField(
        label=_("Тема"),
        max_length=255,
        error_messages={"required": ERROR_SUBJECT_REQUIRED},
    )
    goal = forms.CharField(
        label=_("Цель"),
        max_length=500,
        required=False,
        help_text=_("Чего нужно добиться: договориться о встрече, получить ответ по КП…"),
    )
    description = forms.CharField(
        label=_("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_at = forms.DateTimeField(
        label=_("Начало / срок"),
        widget=DateTimeInput,
        error_messages={"required": _("Укажите дату и время начала")},
    )
    end_at = forms.DateTimeField(label=_("Окончание"), required=False, widget=DateTimeInput)
    all_day = forms.BooleanField(label=_("Весь день"), required=False)
    client = forms.ModelChoiceField(
        label=_("Клиент"),
        queryset=Client.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": ERROR_CLIENT_NOT_FOUND},
    )
    contact = forms.ModelChoiceField(
        label=_("Контактное лицо"),
        queryset=ContactPerson.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Контактное лицо не найдено")},
    )
    responsible = UserChoiceField(
        label=_("Ответственный"),
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": ERROR_RESPONSIBLE_NOT_ALLOWED},
    )
    co_executors = UsersChoiceField(
        label=_("Соисполнители"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Из любого отдела; они увидят событие у себя и получат уведомление"),
    )
    reminder_offsets = forms.MultipleChoiceField(
        label=_("Напомнить"),
        choices=REMINDER_OFFSETS,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    reminder_at = forms.DateTimeField(
        label=_("в указанное время"), required=False, widget=DateTimeInput
    )

    def __init__(self, *args: Any, user: User, activity: Activity | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.activity = activity
        self.fields["kind"].queryset = activity_kinds(active_only=activity is None).order_by(
            "order", "name"
        )
        responsible = assignable_users(user)
        if activity is not None:
            responsible = responsible | User.objects.filter(pk=activity.responsible_id)
        self.fields["responsible"].queryset = responsible.distinct()
        self.fields["co_executors"].queryset = co_executor_choices()
        clients = visible_to(user, Client.objects.all())
        if activity is not None and activity.client_id:
            clients = clients | Client.objects.filter(pk=activity.client_id)
        self.fields["client"].queryset = clients
        client = self._chosen_client()
        self.client_obj = client
        contacts = ContactPerson.objects.filter(links__client=client) if client else None
        self.fields["contact"].queryset = (
            contacts.order_by("last_name", "first_name")
            if contacts is not None
            else ContactPerson.objects.none()
        )

    def _chosen_client(self) -> Client | None:
        raw: Any = self.data.get("client") if self.is_bound else self.initial.get("client")
        if isinstance(raw, Client):
            raw = raw.pk
        if not raw:
            return None
        try:
            found: Client | None = self.fields["client"].queryset.filter(pk=int(raw)).first()
            return found
        except (TypeError, ValueError):
            return None

    def clean_contact(self) -> ContactPerson | None:
        # Any existing contact: whether it is the client's is the service's rule (one message).
        return self.cleaned_data.get("contact")

    def full_clean(self) -> None:
        if self.is_bound:
            self.fields["contact"].queryset = ContactPerson.objects.all()
        super().full_clean()

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        reminders = [r for r in activity.reminders.all() if r.status == "pending"]
        return {
            "kind": activity.kind_id,
            "direction": activity.direction,
            "subject": activity.subject,
            "goal": activity.goal,
            "description": activity.description,
            "start_at": activity.start_at,
            "end_at": activity.end_at,
            "all_day": activity.all_day,
            "client": activity.client,
            "contact": activity.contact_id,
            "responsible": activity.responsible_id,
            "co_executors": [user.pk for user in activity.co_executors.all()],
            "reminder_offsets": [
                str(r.offset_minutes) for r in reminders if r.offset_minutes is not None
            ],
            "reminder_at": next((r.remind_at for r in reminders if r.offset_minutes is None), None),
        }

    def kind_options(self) -> list[tuple[ActivityKind, bool]]:
        chosen = str(self["kind"].value() or "")
        return [(kind, str(kind.pk) == chosen) for kind in self.fields["kind"].queryset]

    def reminder_specs(self) -> list[dict[str, Any]]:
        specs: list[dict[str, Any]] = [
            {"offset_minutes": int(minutes)} for minutes in self.cleaned_data["reminder_offsets"]
        ]
        if self.cleaned_data.get("reminder_at"):
            specs.append({"at": self.cleaned_data["reminder_at"]})
        return specs

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("reminder_offsets", "reminder_at", "co_executors"):
            data.pop(name, None)
        return data


class CompleteForm(forms.Form):
    outcome = forms.ModelChoiceField(
        label=_("Результат"),
        queryset=ActivityOutcome.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    result = forms.CharField(
        label=_("Итог"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": ERROR_RESULT_REQUIRED},
        help_text=_("О чём договорились, что ответил клиент"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Длительность, мин"), required=False, min_value=0, max_value=1440
    )
    plan_next = forms.BooleanField(label=_("Запланировать следующее"), required=False)
    next_kind = KindChoiceField(
        label=_("Вид"), queryset=ActivityKind.objects.none(), required=False, empty_label=None
    )
    next_subject = forms.CharField(label=_("Тема"), max_length=255, required=False)
    next_start_at = forms.DateTimeField(label=_("Когда"), required=False, widget=DateTimeInput)
    next_goal = forms.CharField(label=_("Цель"), max_length=500, required=False)
    next_reminder = forms.ChoiceField(
        label=_("Напомнить"), choices=[("", _("не напоминать")), *REMINDER_OFFSETS], required=False
    )

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["outcome"].queryset = ActivityOutcome.objects.all()  # the service checks kind
        self.outcome_choices = list(activity.kind.outcomes.order_by("order", "name"))
        self.fields["next_kind"].queryset = activity_kinds().order_by("order", "name")

    def next_kind_options(self) -> list[tuple[ActivityKind, bool]]:
        chosen = str(self["next_kind"].value() or "")
        return [(kind, str(kind.pk) == chosen) for kind in self.fields["next_kind"].queryset]

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        client = activity.client.name if activity.client is not None else ""
        kind = ActivityKind.objects.filter(code="call").first() or activity.kind
        return {
            "next_kind": kind.pk,
            "next_subject": _("Звонок: %(client)s") % {"client": client}
            if client and kind.code == "call"
            else activity.subject,
            "next_start_at": in_days_at(3),
            "next_reminder": "15",
        }

    def next_spec(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("plan_next"):
            return None
        reminder = self.cleaned_data.get("next_reminder")
        return {
            "kind": self.cleaned_data.get("next_kind"),
            "subject": self.cleaned_data.get("next_subject", ""),
            "start_at": self.cleaned_data.get("next_start_at"),
            "goal": self.cleaned_data.get("next_goal", ""),
            "reminders": [{"offset_minutes": int(reminder)}] if reminder else [],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отмены"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RescheduleForm(forms.Form):
    start_at = forms.DateTimeField(
        label=_("Новое начало"),
        widget=DateTimeInput,
        error_messages={"required": _("Укажите дату и время начала")},
    )


class BulkForm(forms.Form):
    ACTIONS = [("complete", _("Завершить")), ("reschedule", _("Перенести"))]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    result = forms.CharField(required=False, max_length=2000)
    shift_days = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), ("1", "+1"), ("2", "+2"), ("3", "+3"), ("7", "+7"), ("-1", "−1")],
    )
    date = forms.DateField(required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(value, value) for value in raw]


class ActivityFilterForm(forms.Form):
    TAB_CHOICES = [
        ("overdue", _("Просрочено")),
        ("today", _("Сегодня")),
        ("upcoming", _("Предстоящие")),
        ("done", _("Выполненные")),
        ("all", _("Все")),
    ]
    tab = forms.ChoiceField(choices=TAB_CHOICES, required=False)
    scope = forms.ChoiceField(
        choices=[("mine", _("Мои")), ("department", _("Мой отдел"))], required=False
    )
    kind = forms.ModelChoiceField(
        label=_("Вид"), queryset=ActivityKind.objects.none(), required=False, empty_label=_("все")
    )
    client = forms.ModelChoiceField(
        label=_("Клиент"), queryset=Client.objects.all(), required=False, widget=forms.HiddenInput
    )
    employee = UserChoiceField(
        label=_("Сотрудник"), queryset=User.objects.none(), required=False, empty_label=_("все")
    )
    status = forms.ChoiceField(
        label=_("Статус"),
        choices=[
            ("", _("любой")),
            ("planned", _("Запланировано")),
            ("done", _("Выполнено")),
            ("cancelled", _("Отменено")),
        ],
        required=False,
    )
    direction = forms.ChoiceField(
        label=_("Направление"),
        choices=[("", _("любое")), *Direction.choices[:2]],
        required=False,
    )
    date_from = forms.DateField(label=_("С"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("По"), required=False, widget=DateInput)
    q = forms.CharField(label=_("Поиск"), required=False, max_length=100)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.can_see_department = sees_department(user)
        self.fields["kind"].queryset = ActivityKind.objects.order_by("order", "name")
        self.fields["employee"].queryset = assignable_users(user)
        self.fields["client"].queryset = visible_to(user, Client.objects.all())

    def cleaned(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        if not self.is_valid():
            # Bad values are dropped one by one rather than failing the whole list.
            return {name: value for name, value in self.cleaned_data.items() if value}
        return self.cleaned_data

    def to_filter(self) -> ActivityFilter:
        data = self.cleaned()
        tab = data.get("tab") or "today"
        department = self.can_see_department and data.get("scope") == "department"
        client = data.get("client")
        kind = data.get("kind")
        employee = data.get("employee") if department else None
        return ActivityFilter(
            tab="" if tab == "all" else tab,
            department=department,
            kind_id=kind.pk if kind else None,
            client_id=client.pk if client else None,
            employee_id=employee.pk if employee else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            status=(data.get("status") or "") if tab == "all" else "",
            direction=data.get("direction") or "",
            text=data.get("q") or "",
        )

    @property
    def current_tab(self) -> str:
        return self.cleaned().get("tab") or "today"

    @property
    def chosen_client(self) -> Client | None:
        return self.cleaned().get("client")

"""Pages of handover and absences: who may open them, preview then confirm, the journal, one
handover, recording and cancelling an absence."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.accounts.models import Absence
from crm.activities.models import Handover
from crm.activities.tests.factories import ActivityFactory, ReminderFactory
from crm.clients.models import Client
from crm.clients.tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company_time_zone", "at_t0")]

URL = "/activities/handover/"


@pytest.fixture
def book(manager):
    moscow = ClientFactory(name="ООО «Москва»", owner=manager, region="Москва")
    tula = ClientFactory(name="ООО «Тула»", owner=manager, region="Тула")
    activity = ActivityFactory(responsible=manager, client=tula)
    ReminderFactory(activity=activity, user=manager)
    return moscow, tula


def form(manager, colleague, step, **extra):
    return {
        "from_user": manager.pk,
        "to_user": colleague.pk,
        "to_department": "",
        "scope": "all",
        "comment": "",
        "step": step,
        **extra,
    }


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 403), ("head", 200), ("administrator", 200)]
)
def test_who_opens_the_handover_page(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == status


def test_the_head_chooses_among_their_department(client, head, manager, colleague, other_manager):
    client.force_login(head)
    form_ = client.get(URL).context["form"]
    assert set(form_.fields["from_user"].queryset) == {head, manager, colleague}
    assert set(form_.fields["to_department"].queryset) == {head.department}


def test_preview_shows_the_counts_and_moves_nothing(client, head, manager, colleague, book):
    client.force_login(head)
    response = client.post(URL, form(manager, colleague, "preview"))
    html = response.content.decode()
    assert 'id="handover-preview"' in html
    assert {part.code: part.count for part in response.context["preview"].parts} == {
        "clients": 2,
        "activities": 1,
        "reminders": 1,
        "deals": 0,
    }
    assert (
        '<tr data-part="clients"><td>Клиенты</td><td class="text-end fw-semibold">2</td></tr>'
        in html
    )
    assert "Подтвердить и передать" in html
    assert Client.objects.filter(owner=manager).count() == 2


def test_preview_with_a_filter(client, head, manager, colleague, book):
    client.force_login(head)
    response = client.post(
        URL, form(manager, colleague, "preview", scope="filter", **{"f-region": "Тула"})
    )
    assert response.context["preview"].client_ids == [book[1].pk]


def test_confirm_moves_and_opens_the_handover(client, head, manager, colleague, book):
    client.force_login(head)
    response = client.post(
        URL, form(manager, colleague, "apply", comment="Переход в другой офис"), follow=True
    )
    handover = Handover.objects.get()
    assert response.redirect_chain == [(f"/activities/handover/{handover.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Дела переданы: Клиенты: 2; Открытые события: 1; Напоминания: 1; Открытые сделки: 0."
    ]
    html = response.content.decode()
    assert "ООО «Москва»" in html and "ООО «Тула»" in html
    assert "Переход в другой офис" in html
    assert Client.objects.filter(owner=colleague).count() == 2


def test_errors_are_shown_on_the_form_and_nothing_moves(client, head, manager, book):
    client.force_login(head)
    response = client.post(URL, form(manager, manager, "apply"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "to_user": ["Дела передаются другому сотруднику — выберите не того же"]
    }
    assert Handover.objects.count() == 0


def test_an_employee_without_clients(client, head, colleague, manager):
    client.force_login(head)
    response = client.post(URL, form(colleague, manager, "preview"))
    assert response.context["form"].non_field_errors() == [
        "Нет клиентов для передачи: у сотрудника нет таких клиентов"
    ]
    assert response.context["preview"] is None


def test_the_journal_costs_the_same_queries_for_more_rows(
    client, administrator, manager, colleague, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.activities.services.handover import handover_apply

    client.force_login(administrator)
    ClientFactory(owner=manager)
    handover_apply(by=administrator, from_user=manager, to_user=colleague)
    client.get("/activities/handover/journal/")
    with CaptureQueriesContext(connection) as one:
        client.get("/activities/handover/journal/")
    for _ in range(5):
        ClientFactory(owner=colleague)
        handover_apply(by=administrator, from_user=colleague, to_user=manager)
        ClientFactory(owner=manager)
        handover_apply(by=administrator, from_user=manager, to_user=colleague)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/activities/handover/journal/")
    assert len(response.context["rows"]) == 11


def test_the_journal_and_a_handover_are_seen_by_those_concerned(
    client, head, manager, colleague, other_manager, book
):
    from crm.activities.services.handover import handover_apply

    handover = handover_apply(by=head, from_user=manager, to_user=colleague)
    url = f"/activities/handover/{handover.pk}/"
    for user, status in [(manager, 200), (colleague, 200), (head, 200), (other_manager, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status
        rows = client.get("/activities/handover/journal/").context["rows"]
        assert len(rows) == (1 if status == 200 else 0)


# --- absences -----------------------------------------------------------------------------------


def test_an_employee_records_their_own_absence(client, manager, colleague):
    client.force_login(manager)
    page = client.get("/activities/absences/")
    assert list(page.context["form"].fields["user"].queryset) == [manager]
    assert set(page.context["form"].fields["substitute"].queryset) == {colleague}

    response = client.post(
        "/activities/absences/",
        {
            "user": manager.pk,
            "substitute": colleague.pk,
            "date_from": "2026-11-30",
            "date_to": "2026-12-04",
            "reason": "Отпуск",
        },
        follow=True,
    )

    absence = Absence.objects.get()
    assert (absence.user, absence.substitute, absence.date_from, absence.date_to) == (
        manager,
        colleague,
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 4),
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"Отсутствие отмечено: {manager.full_name}, 30.11.2026–04.12.2026, "
        f"замещает {colleague.full_name}."
    ]
    assert f'data-absence="{absence.pk}"' in response.content.decode()


def test_bad_dates_are_shown_on_the_field(client, manager, colleague):
    client.force_login(manager)
    response = client.post(
        "/activities/absences/",
        {
            "user": manager.pk,
            "substitute": colleague.pk,
            "date_from": "2026-12-04",
            "date_to": "2026-11-30",
        },
    )
    assert response.context["form"].errors == {
        "date_to": ["Дата окончания не может быть раньше даты начала"]
    }
    assert Absence.objects.count() == 0


def test_cancel_an_absence(client, manager, colleague, head):
    absence = Absence.objects.create(
        user=manager,
        substitute=colleague,
        date_from=dt.date(2026, 12, 1),
        date_to=dt.date(2026, 12, 2),
    )
    client.force_login(colleague)  # the substitute sees it but may not cancel it
    assert client.post(f"/activities/absences/{absence.pk}/cancel/").status_code == 404
    client.force_login(head)
    response = client.post(f"/activities/absences/{absence.pk}/cancel/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Отсутствие отменено."]
    assert Absence.objects.count() == 0


def test_the_absence_list_costs_the_same_queries_for_more_rows(
    client, administrator, department, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.accounts.tests.factories import UserFactory

    def add() -> None:
        Absence.objects.create(
            user=UserFactory(department=department),
            substitute=UserFactory(department=department),
            date_from=dt.date(2026, 12, 1),
            date_to=dt.date(2026, 12, 2),
        )

    client.force_login(administrator)
    add()
    client.get("/activities/absences/")
    with CaptureQueriesContext(connection) as one:
        client.get("/activities/absences/")
    for _ in range(6):
        add()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/activities/absences/")
    assert len(response.context["absences"]) == 7

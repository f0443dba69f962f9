# ruff: noqa: F811  (pytest fixtures imported from proposal_fixtures)
"""Sending a proposal by e-mail: the letter with the PDF, the e-mail activity of the deal with
the PDF attached, the follow-up call 3 working days later, the deal moved to «КП отправлено»;
bad input sends and changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from crm.activities.models import Activity, ActivityStatus, Direction
from crm.core.models import AuditEntry
from crm.sales.models import AutomationRun, DealActivity, ProposalStatus
from crm.sales.services import proposals as services
from crm.sales.tests.factories import stage
from crm.sales.tests.proposal_fixtures import (  # noqa: F401 (fixtures)
    EXAMPLE_LINES,
    T0,
    deal,
    ivanov,
    organization,
    romashka,
)

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return T0


@pytest.fixture
def draft(at_t0, deal, manager):
    proposal = services.proposal_create(deal=deal, by=manager)
    services.proposal_save_draft(proposal=proposal, by=manager, data={}, lines=EXAMPLE_LINES)
    return proposal


def test_send_a_draft(draft, deal, manager):
    activity = services.proposal_send(
        proposal=draft,
        by=manager,
        to=["ivanov@romashka.test", "buh@romashka.test"],
        subject="",
        body="Добрый день! КП во вложении.",
    )

    draft.refresh_from_db()
    assert draft.status == ProposalStatus.SENT
    assert draft.number == "КП-2026-0001"  # issued on the way
    assert draft.sent_at == T0

    [letter] = mail.outbox
    assert letter.to == ["ivanov@romashka.test", "buh@romashka.test"]
    assert letter.subject == "Коммерческое предложение № КП-2026-0001 от ООО «Свод»"
    assert letter.body == "Добрый день! КП во вложении."
    assert letter.reply_to == [manager.email]
    [(name, content, content_type)] = letter.attachments
    assert name == "КП-2026-0001.pdf"
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF")

    assert activity.kind.code == "email"
    assert activity.status == ActivityStatus.DONE
    assert activity.direction == Direction.OUTGOING
    assert activity.done_at == T0
    assert activity.subject == "Коммерческое предложение № КП-2026-0001 от ООО «Свод»"
    assert activity.client == deal.client
    assert activity.contact == draft.contact
    assert activity.responsible == manager
    assert activity.result == (
        "Отправлено КП-2026-0001 от 26.11.2026: ivanov@romashka.test, buh@romashka.test"
    )
    [attachment] = activity.attachments.all()
    assert attachment.name == "КП-2026-0001.pdf"
    assert attachment.size == len(content)
    assert DealActivity.objects.get(activity=activity).deal == deal

    # The follow-up call: 3 working days after Thursday 26 November → Tuesday 1 December.
    [run] = AutomationRun.objects.all()
    call = run.activity
    assert call.kind.code == "call"
    assert call.status == ActivityStatus.PLANNED
    assert call.start_at == dt.datetime(2026, 12, 1, 10, 0, tzinfo=MOSCOW)
    assert call.responsible == manager
    assert DealActivity.objects.get(activity=call).deal == deal

    deal.refresh_from_db()
    assert deal.stage == stage("proposal_sent")

    entry = AuditEntry.objects.filter(
        content_type__model="proposal", object_id=str(draft.pk)
    ).latest("id")
    assert entry.comment == ("Отправлено по эл. почте: ivanov@romashka.test, buh@romashka.test")
    assert entry.changes["status"] == ["issued", "sent"]


def test_default_texts_get_the_number(draft, manager):
    services.proposal_send(
        proposal=draft,
        by=manager,
        to="ivanov@romashka.test",
        subject=services.default_email_subject(draft),
        body=services.default_email_body(draft, by=manager),
    )
    [letter] = mail.outbox
    assert letter.subject == "Коммерческое предложение № КП-2026-0001 от ООО «Свод»"
    assert letter.body.splitlines()[:3] == [
        "Здравствуйте, Иван Сергеевич!",
        "",
        "Направляем коммерческое предложение № КП-2026-0001 на сумму 19 143,48 RUB. "
        "Предложение — во вложении (PDF).",
    ]
    assert "Предложение действует до 06.12.2026." in letter.body


def test_default_text_posted_by_a_browser_with_crlf_still_gets_the_number(draft, manager):
    posted = services.default_email_body(draft, by=manager).replace("\n", "\r\n")
    activity = services.proposal_send(
        proposal=draft, by=manager, to="ivanov@romashka.test", subject="", body=posted
    )
    [letter] = mail.outbox
    assert "Направляем коммерческое предложение № КП-2026-0001 на сумму" in letter.body
    assert "\r" not in letter.body
    assert "\r" not in activity.description


@pytest.mark.parametrize(
    ("to", "subject", "errors"),
    [
        ([], "Тема", {"to": ["Укажите хотя бы одного получателя"]}),
        ("  ", "Тема", {"to": ["Укажите хотя бы одного получателя"]}),
        (
            "ivanov@romashka.test, не-адрес",
            "Тема",
            {"to": ["«не-адрес» — не адрес эл. почты"]},
        ),
        ("ivanov@romashka.test", "x" * 256, {"subject": ["Тема письма — не длиннее 255 символов"]}),
    ],
)
def test_bad_input_sends_and_changes_nothing(draft, deal, manager, to, subject, errors):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.proposal_send(proposal=draft, by=manager, to=to, subject=subject, body="Текст")
    assert error.value.message_dict == errors
    assert mail.outbox == []
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT
    assert draft.number == ""
    assert not Activity.objects.exists()
    assert not AutomationRun.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    deal.refresh_from_db()
    assert deal.stage == stage("interest")


def test_failed_letter_rolls_everything_back(draft, deal, manager, settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    with pytest.raises(ValidationError) as error:
        services.proposal_send(proposal=draft, by=manager, to="a@b.test", subject="", body="")
    assert error.value.message_dict == {
        "to": ["Письмо не отправлено: Connection refused. Ничего не изменилось."]
    }
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT
    assert not Activity.objects.exists()


def test_superseded_and_rejected_are_not_sent(draft, manager):
    services.proposal_issue(proposal=draft, by=manager)
    services.proposal_reject(proposal=draft, by=manager)
    with pytest.raises(ValidationError) as error:
        services.proposal_send(proposal=draft, by=manager, to="a@b.test", subject="", body="")
    assert error.value.message_dict == {
        "status": ["КП-2026-0001 от 26.11.2026: отклонено — отправить его нельзя"]
    }
    assert mail.outbox == []


def test_second_sending_logs_again_without_a_second_call(draft, deal, manager):
    services.proposal_send(proposal=draft, by=manager, to="a@b.test", subject="", body="")
    services.proposal_send(proposal=draft, by=manager, to="c@d.test", subject="", body="")
    assert len(mail.outbox) == 2
    assert Activity.objects.filter(kind__code="email", deal_link__deal=deal).count() == 2
    assert Activity.objects.filter(kind__code="call", deal_link__deal=deal).count() == 1

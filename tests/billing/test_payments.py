"""Recording an invoice as paid (once, never a cancelled one), and reminding councils of overdue invoices at most once
a week (with time_machine): each reminder counted on the invoice, audited, and emailed with the PDF."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from billing.documents import invoice_document_open
from billing.models import BillingAccount, Invoice, InvoiceStatus
from billing.selectors import is_overdue
from billing.services.credit_notes import credit_note_issue
from billing.services.invoices import InvoiceRefused, invoice_issue
from billing.services.payments import invoice_mark_paid, overdue_remind
from billing.tasks import overdue_remind_task
from core.accounts.models import User
from core.audit.models import AuditAction
from core.audit.origin import NO_ORIGIN
from core.notifications.models import Notification
from tests.billing.test_invoices import (
    NOVEMBER,
    Billed,
    audit_of,
    billed,
    counted,
    operator,
    private_folder,
    today,
)

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with test_invoices.py

pytestmark = pytest.mark.platform_side

ISSUED = datetime.date(2026, 12, 2)
DUE = datetime.date(2027, 1, 1)


@pytest.fixture
def invoice(billed: Billed) -> Invoice:
    """Alpha's November, issued 2 December 2026, due 1 January 2027: £766.80."""
    counted(billed.alpha, NOVEMBER, 142)
    return invoice_issue(council=billed.alpha, period=NOVEMBER)


def _reminders(invoice: Invoice) -> list[Notification]:
    return list(Notification.objects.filter(subject=f"Reminder: invoice {invoice.number} is overdue").order_by("id"))


def _on(day: datetime.date) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=datetime.UTC), tick=False)


def test_an_invoice_is_recorded_as_paid_and_audited(invoice: Invoice, operator: User) -> None:
    paid = invoice_mark_paid(actor=operator, invoice=invoice, paid_on=ISSUED, origin=NO_ORIGIN)

    assert (paid.status, paid.paid_on) == (InvoiceStatus.PAID, ISSUED)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (InvoiceStatus.PAID, ISSUED)
    event = audit_of(AuditAction.INVOICE_PAID, invoice).get()
    assert event.object_id == invoice.number
    assert event.actor_id == operator.pk
    assert event.changes["paid_on"] == {"old": None, "new": "2026-12-02"}
    assert event.changes["total_minor"] == {"old": None, "new": 76680}


def test_an_invoice_is_not_recorded_as_paid_twice(invoice: Invoice, operator: User) -> None:
    invoice_mark_paid(actor=operator, invoice=invoice, paid_on=ISSUED, origin=NO_ORIGIN)

    with pytest.raises(InvoiceRefused) as refused:
        invoice_mark_paid(actor=operator, invoice=invoice, paid_on=ISSUED, origin=NO_ORIGIN)

    assert str(refused.value) == f"Invoice {invoice.number} is already recorded as paid on 2 December 2026."
    assert audit_of(AuditAction.INVOICE_PAID, invoice).count() == 1


def test_a_cancelled_invoice_or_a_credit_note_cannot_be_paid(invoice: Invoice, operator: User) -> None:
    note = credit_note_issue(actor=operator, invoice=invoice, reason="Cancelled", origin=NO_ORIGIN)

    with pytest.raises(InvoiceRefused, match="is cancelled by a credit note"):
        invoice_mark_paid(actor=operator, invoice=invoice, paid_on=ISSUED, origin=NO_ORIGIN)
    with pytest.raises(InvoiceRefused, match="Only an invoice can be paid"):
        invoice_mark_paid(actor=operator, invoice=note, paid_on=ISSUED, origin=NO_ORIGIN)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (InvoiceStatus.CANCELLED, None)
    assert not audit_of(AuditAction.INVOICE_PAID, invoice).exists()
    assert not audit_of(AuditAction.INVOICE_PAID, note).exists()


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        (datetime.date(2026, 12, 3), "The date it was paid must be today or in the past"),
        (
            datetime.date(2026, 12, 1),
            "The date it was paid must be on or after the day it was issued, 2 December 2026",
        ),
    ],
)
def test_a_payment_date_in_the_future_or_before_the_invoice_is_refused(
    invoice: Invoice, operator: User, paid_on: datetime.date, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        invoice_mark_paid(actor=operator, invoice=invoice, paid_on=paid_on, origin=NO_ORIGIN)

    assert refused.value.message_dict == {"paid_on": [message]}
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (InvoiceStatus.ISSUED, None)


def test_an_invoice_is_not_reminded_before_it_is_overdue(invoice: Invoice) -> None:
    with _on(DUE):
        assert overdue_remind(today=DUE) == 0
        assert not is_overdue(invoice, today=DUE)
    assert _reminders(invoice) == []


def test_an_overdue_invoice_is_reminded_at_most_once_a_week(invoice: Invoice) -> None:
    day_after = DUE + datetime.timedelta(days=1)
    with _on(day_after):
        assert overdue_remind(today=day_after) == 1
        assert overdue_remind(today=day_after) == 0  # a re-run the same day reminds nobody twice
    six_days_on = day_after + datetime.timedelta(days=6)
    with _on(six_days_on):
        assert overdue_remind(today=six_days_on) == 0
    a_week_on = day_after + datetime.timedelta(days=7)
    with _on(a_week_on):
        assert overdue_remind(today=a_week_on) == 1

    invoice.refresh_from_db()
    assert (invoice.reminders_sent, invoice.last_reminded_on) == (2, a_week_on)
    first, second = _reminders(invoice)
    assert first.to == second.to == "accounts.payable@alpha.example"
    assert bytes(first.attachment_data) == invoice_document_open(invoice=invoice, kind="pdf")
    for fact in [invoice.number, "November 2026", "£766.80", "1 January 2027", "PO-ALPHA-2026-17"]:
        assert fact in first.body, fact
    assert "Sam Ledger" not in first.body
    events = audit_of(AuditAction.INVOICE_REMINDED, invoice)
    assert sorted(event.changes["reminders_sent"]["new"] for event in events) == [1, 2]
    assert all(event.actor_id is None for event in events)


def test_paid_and_cancelled_invoices_are_not_reminded(billed: Billed, operator: User) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    counted(billed.beta, NOVEMBER, 61)
    paid = invoice_issue(council=billed.alpha, period=NOVEMBER)
    cancelled = invoice_issue(council=billed.beta, period=NOVEMBER)
    invoice_mark_paid(actor=operator, invoice=paid, paid_on=ISSUED, origin=NO_ORIGIN)
    credit_note_issue(actor=operator, invoice=cancelled, reason="Cancelled", origin=NO_ORIGIN)

    later = DUE + datetime.timedelta(days=30)
    with _on(later):
        assert overdue_remind(today=later) == 0

    assert _reminders(paid) == []
    assert _reminders(cancelled) == []


def test_a_partly_credited_invoice_is_reminded_of_what_is_left_to_pay_at_the_contact_of_now(
    invoice: Invoice, operator: User
) -> None:
    credit_note_issue(actor=operator, invoice=invoice, amount_minor=10000, reason="Two leavers", origin=NO_ORIGIN)
    BillingAccount.objects.filter(council_id=invoice.council_id).update(billing_contact_email="ap@alpha.example")

    later = DUE + datetime.timedelta(days=3)
    with _on(later):
        assert overdue_remind(today=later) == 1

    [reminder] = _reminders(invoice)
    assert reminder.to == "ap@alpha.example"
    assert "Amount due: £646.80" in reminder.body


def test_the_scheduled_task_reminds_on_its_own_date(invoice: Invoice) -> None:
    with _on(DUE + datetime.timedelta(days=2)):
        assert overdue_remind_task.apply().get() == 1
        assert overdue_remind_task.apply().get() == 0
    invoice.refresh_from_db()
    assert invoice.reminders_sent == 1

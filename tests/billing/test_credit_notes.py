"""Credit notes put an issued invoice right: negative, in the same series, with the same documents and email, never
beyond what is left to credit; a full credit cancels the invoice. Every refusal writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from billing.documents import invoice_document_open
from billing.models import BillingAccount, Invoice, InvoiceKind, InvoiceNumberSeries, InvoiceStatus
from billing.services.credit_notes import credit_note_issue, invoice_credit_left
from billing.services.invoices import InvoiceRefused, invoice_issue
from billing.services.payments import invoice_mark_paid
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN, Origin
from core.notifications.models import Notification
from tenants.jurisdictions import Jurisdiction
from tests.billing.test_invoices import (
    NOVEMBER,
    Billed,
    audit_of,
    billed,
    counted,
    operator,
    pdf_text,
    private_folder,
    series_last,
    today,
)

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with test_invoices.py

pytestmark = pytest.mark.platform_side

ORIGIN = Origin(ip_address="192.0.2.10", user_agent="Console browser", path="/console/invoices/")


@pytest.fixture
def invoice(billed: Billed) -> Invoice:
    """Alpha's November: 142 × £4.50 = £639.00, VAT £127.80, £766.80."""
    counted(billed.alpha, NOVEMBER, 142)
    return invoice_issue(council=billed.alpha, period=NOVEMBER)


def _unchanged(invoice: Invoice) -> None:
    """Nothing was written: no credit note, the invoice as issued, no number taken, no email, no audit."""
    assert not Invoice.objects.filter(credits=invoice).exists()
    fresh = Invoice.objects.get(pk=invoice.pk)
    assert (fresh.status, fresh.total_minor) == (invoice.status, invoice.total_minor)
    assert series_last(invoice.jurisdiction) == invoice.sequence
    assert not AuditEvent.objects.filter(action=AuditAction.CREDIT_NOTE_ISSUED, related_ids__contains=[invoice.number])
    assert Notification.objects.filter(subject__contains="Credit note").count() == 0


def test_a_full_credit_note_negates_the_invoice_and_cancels_it(invoice: Invoice, operator: User) -> None:
    note = credit_note_issue(actor=operator, invoice=invoice, reason="Counted a month early", origin=ORIGIN)

    assert note.kind == InvoiceKind.CREDIT_NOTE
    assert note.credits == invoice
    assert note.sequence == invoice.sequence + 1
    assert note.number == f"PW-EN-{invoice.sequence + 1:06d}"
    assert (note.subtotal_minor, note.tax_minor, note.total_minor) == (-63900, -12780, -76680)
    assert (note.period, note.currency, note.tax_rate) == (invoice.period, "GBP", invoice.tax_rate)
    assert note.purchase_order_number == "PO-ALPHA-2026-17"
    assert note.reason == "Counted a month early"
    assert note.issued_by_id == operator.pk
    [line] = note.lines.all()
    assert (line.quantity, line.unit_price_minor, line.amount_minor) == (1, -63900, -63900)
    assert line.description == f"Credit against invoice {invoice.number} (November 2026)"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert invoice_credit_left(invoice=invoice).total_minor == 0

    event = audit_of(AuditAction.CREDIT_NOTE_ISSUED, note).get()
    assert event.object_id == note.number
    assert (event.actor_id, event.reason, event.ip_address) == (operator.pk, "Counted a month early", "192.0.2.10")
    assert event.changes["total_minor"] == {"old": None, "new": -76680}
    assert event.changes["credits"] == {"old": None, "new": invoice.number}
    assert event.changes["status"] == {"old": InvoiceStatus.ISSUED, "new": InvoiceStatus.CANCELLED}


def test_a_credit_note_has_its_own_documents_and_is_emailed_like_an_invoice(invoice: Invoice, operator: User) -> None:
    note = credit_note_issue(actor=operator, invoice=invoice, amount_minor=10000, reason="Two leavers", origin=ORIGIN)

    assert note.pdf_name == f"invoices/england/{note.number}.pdf"
    pdf = invoice_document_open(invoice=note, kind="pdf")
    text = pdf_text(pdf)
    for expected in [f"Credit note {note.number}", invoice.number, "-£100.00", "-£20.00", "-£120.00", "Two leavers"]:
        assert expected in text, expected
    html = invoice_document_open(invoice=note, kind="html").decode()
    assert f"<h1>Credit note {note.number}</h1>" in html

    [email] = Notification.objects.filter(subject__contains=note.number)
    assert email.subject == f"Credit note {note.number} for invoice {invoice.number}"
    assert email.to == "accounts.payable@alpha.example"
    assert bytes(email.attachment_data) == pdf
    assert "£120.00" in email.body
    assert f"Still owed on invoice {invoice.number}: £646.80." in email.body
    assert "Sam Ledger" not in email.body


def test_a_victorian_credit_note_is_an_adjustment_note_in_the_victorian_series(billed: Billed, operator: User) -> None:
    counted(billed.beta, NOVEMBER, 61)
    invoice = invoice_issue(council=billed.beta, period=NOVEMBER)

    note = credit_note_issue(actor=operator, invoice=invoice, reason="Price agreed lower", origin=NO_ORIGIN)

    assert note.number == f"PW-VIC-{invoice.sequence + 1:06d}"
    assert (note.subtotal_minor, note.tax_minor, note.total_minor) == (-48495, -4850, -53345)
    text = pdf_text(invoice_document_open(invoice=note, kind="pdf"))
    assert "Adjustment note" in text
    assert "GST at 10%" in text


def test_parts_are_credited_until_nothing_is_left(invoice: Invoice, operator: User) -> None:
    first = credit_note_issue(actor=operator, invoice=invoice, amount_minor=33333, reason="Part", origin=NO_ORIGIN)
    assert (first.subtotal_minor, first.tax_minor) == (-33333, -6667)  # 6666.6 rounded half up
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice_credit_left(invoice=invoice).subtotal_minor == 30567

    rest = credit_note_issue(actor=operator, invoice=invoice, amount_minor=30567, reason="Rest", origin=NO_ORIGIN)

    assert (rest.subtotal_minor, rest.tax_minor) == (-30567, -6113)  # what is left of the tax, exactly
    assert first.total_minor + rest.total_minor == -invoice.total_minor
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED


def test_crediting_more_than_is_left_is_refused_and_nothing_is_written(invoice: Invoice, operator: User) -> None:
    with pytest.raises(InvoiceRefused) as refused:
        credit_note_issue(actor=operator, invoice=invoice, amount_minor=63901, reason="Too much", origin=NO_ORIGIN)

    assert str(refused.value) == f"Only £639.00 (before VAT) is left to credit on invoice {invoice.number}."
    _unchanged(invoice)


def test_a_cancelled_invoice_cannot_be_credited_again(invoice: Invoice, operator: User) -> None:
    credit_note_issue(actor=operator, invoice=invoice, reason="Cancelled", origin=NO_ORIGIN)
    before = series_last(Jurisdiction.ENGLAND)

    with pytest.raises(InvoiceRefused, match="already cancelled by a credit note"):
        credit_note_issue(actor=operator, invoice=invoice, amount_minor=1, reason="Again", origin=NO_ORIGIN)

    assert Invoice.objects.filter(credits=invoice).count() == 1
    assert series_last(Jurisdiction.ENGLAND) == before


def test_a_credit_note_cannot_itself_be_credited(invoice: Invoice, operator: User) -> None:
    note = credit_note_issue(actor=operator, invoice=invoice, amount_minor=100, reason="Part", origin=NO_ORIGIN)

    with pytest.raises(InvoiceRefused, match="Only an invoice can be credited"):
        credit_note_issue(actor=operator, invoice=note, reason="A credit of a credit", origin=NO_ORIGIN)

    assert not Invoice.objects.filter(credits=note).exists()


@pytest.mark.parametrize(
    ("amount", "reason", "field", "message"),
    [
        (0, "Nothing", "amount", "Enter an amount to credit greater than zero"),
        (-500, "Negative", "amount", "Enter an amount to credit greater than zero"),
        (100, "   ", "reason", "Enter why the credit note is issued"),
        (100, "x" * 301, "reason", "The reason must be 300 characters or fewer"),
    ],
)
def test_a_bad_amount_or_reason_is_refused_and_nothing_is_written(
    invoice: Invoice, operator: User, amount: int, reason: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        credit_note_issue(actor=operator, invoice=invoice, amount_minor=amount, reason=reason, origin=NO_ORIGIN)

    assert refused.value.message_dict == {field: [message]}
    _unchanged(invoice)


def test_a_paid_invoice_credited_in_full_is_cancelled_and_the_council_told_of_a_refund(
    invoice: Invoice, operator: User
) -> None:
    invoice_mark_paid(actor=operator, invoice=invoice, paid_on=datetime.date(2026, 12, 2), origin=NO_ORIGIN)

    note = credit_note_issue(actor=operator, invoice=invoice, reason="Refund agreed", origin=NO_ORIGIN)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    [email] = Notification.objects.filter(subject__contains=note.number)
    assert f"Invoice {invoice.number} was paid: the amount credited will be refunded." in email.body


def test_the_credit_note_goes_to_the_billing_contact_of_now(invoice: Invoice, operator: User) -> None:
    BillingAccount.objects.filter(council_id=invoice.council_id).update(
        billing_contact_email="new.payables@alpha.example", billing_contact_name="Noor Payables"
    )

    note = credit_note_issue(actor=operator, invoice=invoice, reason="Wrong month", origin=NO_ORIGIN)

    assert note.billing_contact_email == "new.payables@alpha.example"
    assert Notification.objects.get(subject__contains=note.number).to == "new.payables@alpha.example"
    invoice.refresh_from_db()
    assert invoice.billing_contact_email == "accounts.payable@alpha.example"  # as issued


def test_numbers_of_invoices_and_credit_notes_share_one_series(billed: Billed, operator: User) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    counted(billed.alpha, datetime.date(2026, 10, 1), 140)
    first = invoice_issue(council=billed.alpha, period=NOVEMBER)
    note = credit_note_issue(actor=operator, invoice=first, amount_minor=500, reason="Part", origin=NO_ORIGIN)
    second = invoice_issue(council=billed.alpha, period=datetime.date(2026, 10, 1))

    assert [first.sequence, note.sequence, second.sequence] == [first.sequence + n for n in range(3)]
    assert InvoiceNumberSeries.objects.get(jurisdiction=Jurisdiction.ENGLAND).last == second.sequence

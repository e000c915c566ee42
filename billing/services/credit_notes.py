"""Credit notes: how an issued invoice is put right, since it is never edited.

A credit note is an invoice with negative amounts that points at the invoice it credits. It takes the next number of
the same series, has the same two documents and goes to the billing contact the same way. The amount is before tax
(as an invoice's subtotal is); its tax is worked out on it. An invoice can be credited in parts, never beyond what
is left of it; the last part takes exactly what is left of the subtotal and of the tax, so that an invoice credited in
full is negated to the minor unit, and is then cancelled.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from billing.documents import month_name
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from billing.money import money_format, tax_on
from billing.services.invoices import (
    InvoiceRefused,
    amounts,
    billing_contact,
    council_today,
    documents_forget,
    email_queue,
    issued_complete,
    number_take,
    on_the_platform,
)
from billing.suppliers import supplier_for
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record

REASON_MAX = 300


@dataclass(frozen=True)
class CreditLeft:
    """What is left to credit of an invoice: its subtotal and tax less every credit note's (minor units)."""

    subtotal_minor: int
    tax_minor: int

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.tax_minor


def invoice_credit_left(*, invoice: Invoice) -> CreditLeft:
    credited = Invoice.objects.filter(credits=invoice, kind=InvoiceKind.CREDIT_NOTE).aggregate(
        subtotal=Sum("subtotal_minor"), tax=Sum("tax_minor")
    )
    return CreditLeft(
        subtotal_minor=invoice.subtotal_minor + (credited["subtotal"] or 0),
        tax_minor=invoice.tax_minor + (credited["tax"] or 0),
    )


def credit_refusal(invoice: Invoice, *, left: CreditLeft) -> str | None:
    """Why ``invoice`` cannot be credited as it stands (``left``: what is left of it), or ``None`` if it can."""
    if invoice.kind != InvoiceKind.INVOICE:
        return "Only an invoice can be credited."
    if invoice.status == InvoiceStatus.CANCELLED:
        return f"Invoice {invoice.number} is already cancelled by a credit note."
    if left.subtotal_minor <= 0:
        return f"Nothing is left to credit on invoice {invoice.number}."
    return None


def credit_note_issue(
    *, actor: User, invoice: Invoice, amount_minor: int | None = None, reason: str, origin: Origin
) -> Invoice:
    """Credit ``amount_minor`` (before tax; ``None``: all that is left) of ``invoice``, for ``reason``.

    A missing or too long reason, or an amount that is not positive, is a ``ValidationError`` on ``reason`` or
    ``amount``. Refused (``InvoiceRefused``, nothing written) for a credit note, a cancelled invoice, or an amount
    beyond what is left to credit, as the invoice is now (it is locked and read again).
    """
    on_the_platform()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the credit note is issued"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    if amount_minor is not None and amount_minor <= 0:
        raise ValidationError({"amount": "Enter an amount to credit greater than zero"})
    written: list[str] = []
    try:
        with transaction.atomic():
            credited = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
            if credited is None:
                raise InvoiceRefused("Only an invoice can be credited.")
            left = invoice_credit_left(invoice=credited)
            refusal = credit_refusal(credited, left=left)
            if refusal:
                raise InvoiceRefused(refusal)
            if amount_minor is not None and amount_minor > left.subtotal_minor:
                raise InvoiceRefused(
                    f"Only {money_format(left.subtotal_minor, credited.currency)} (before {credited.tax_name}) is "
                    f"left to credit on invoice {credited.number}."
                )
            in_full = amount_minor is None or amount_minor == left.subtotal_minor
            subtotal = left.subtotal_minor if in_full else amount_minor
            # The last part takes what is left of the tax; a part, its own tax, never more than is left.
            tax = left.tax_minor if in_full else min(tax_on(subtotal, credited.tax_rate), left.tax_minor)
            sequence, number = number_take(jurisdiction=credited.jurisdiction)
            today = council_today(credited.council)
            contact_name, contact_email = billing_contact(credited)
            note = Invoice.objects.create(
                kind=InvoiceKind.CREDIT_NOTE,
                jurisdiction=credited.jurisdiction,
                sequence=sequence,
                number=number,
                council_id=credited.council_id,
                period=credited.period,
                credits=credited,
                council_name=credited.council_name,
                plan=credited.plan,
                purchase_order_number=credited.purchase_order_number,
                billing_contact_name=contact_name,
                billing_contact_email=contact_email,
                currency=credited.currency,
                tax_name=credited.tax_name,
                tax_rate=credited.tax_rate,
                subtotal_minor=-subtotal,
                tax_minor=-tax,
                total_minor=-(subtotal + tax),
                reason=reason,
                issued_on=today,
                due_on=today,
                issued_by_id=actor.pk,
            )
            line = InvoiceLine.objects.create(
                invoice=note,
                position=1,
                description=f"Credit against invoice {credited.number} ({month_name(credited.period)})",
                quantity=1,
                unit_price_minor=-subtotal,
                amount_minor=-subtotal,
            )
            pdf = issued_complete(invoice=note, lines=[line], written=written, credited=credited)
            status_before = credited.status
            if in_full:
                credited.status = InvoiceStatus.CANCELLED
                credited.save(update_fields=["status"])
            audit_record(
                action=AuditAction.CREDIT_NOTE_ISSUED,
                outcome=AuditOutcome.SUCCESS,
                origin=origin,
                actor_id=actor.pk,
                object_type="invoice",
                object_id=note.number,
                reason=reason,
                related_ids=[credited.number, credited.council.slug, note.pk],
                changes={
                    **amounts(note),
                    "credits": {"old": None, "new": credited.number},
                    **({"status": {"old": status_before, "new": InvoiceStatus.CANCELLED}} if in_full else {}),
                },
            )
            supplier = supplier_for(note.jurisdiction)
            email_queue(
                invoice=note,
                to=contact_email,
                subject=f"{supplier.credit_note_title} {note.number} for invoice {credited.number}",
                template="billing/email/credit_note.txt",
                pdf=pdf,
                title=supplier.credit_note_title,
                credited=credited,
                total=money_format(-note.total_minor, note.currency),
                standing=_standing(credited, was=status_before, left_after=left.total_minor - (subtotal + tax)),
            )
    except BaseException:
        documents_forget(written)
        raise
    return note


def _standing(invoice: Invoice, *, was: str, left_after: int) -> str:
    """Where the invoice stands once credited, in a sentence for the email."""
    if was == InvoiceStatus.PAID:
        return f"Invoice {invoice.number} was paid: the amount credited will be refunded."
    if invoice.status == InvoiceStatus.CANCELLED:
        return f"Invoice {invoice.number} is now cancelled: nothing is owed on it."
    return f"Still owed on invoice {invoice.number}: {money_format(left_after, invoice.currency)}."


def credit_notes_of(*, invoice: Invoice) -> list[Invoice]:
    """The credit notes of an invoice, oldest first."""
    return list(Invoice.objects.filter(credits=invoice, kind=InvoiceKind.CREDIT_NOTE).order_by("sequence"))

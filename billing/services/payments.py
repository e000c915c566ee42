"""Payment of invoices: recording that one was paid, and reminding councils of those overdue.

An invoice is overdue once its due date has passed unpaid (worked out, never stored: billing/selectors.py). Its
billing contact is reminded by email at most once every seven days, the PDF attached again; each reminder is counted
on the invoice and written to the platform's audit trail, so a re-run the same day reminds nobody twice.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from billing.documents import invoice_document_open, long_date
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.money import money_format
from billing.services.credit_notes import invoice_credit_left
from billing.services.invoices import InvoiceRefused, billing_contact, council_today, email_queue, on_the_platform
from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from core.audit.services.events import audit_record

REMINDER_INTERVAL = datetime.timedelta(days=7)


def payment_refusal(invoice: Invoice) -> str | None:
    """Why ``invoice`` cannot be recorded as paid as it stands, or ``None`` if it can."""
    if invoice.kind != InvoiceKind.INVOICE:
        return "Only an invoice can be paid."
    if invoice.status == InvoiceStatus.PAID:
        return f"Invoice {invoice.number} is already recorded as paid on {long_date(invoice.paid_on)}."
    if invoice.status == InvoiceStatus.CANCELLED:
        return f"Invoice {invoice.number} is cancelled by a credit note: nothing is owed on it."
    return None


def invoice_mark_paid(*, actor: User, invoice: Invoice, paid_on: datetime.date, origin: Origin) -> Invoice:
    """Record ``invoice`` as paid on ``paid_on``.

    A date in the future, or before the invoice was issued, is a ``ValidationError`` on ``paid_on``. Refused
    (``InvoiceRefused``, nothing written) for a credit note, or an invoice already paid or cancelled as it is now.
    """
    on_the_platform()
    with transaction.atomic():
        paid = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
        refusal = payment_refusal(paid or invoice)
        if refusal:
            raise InvoiceRefused(refusal)
        if paid_on > council_today(paid.council):
            raise ValidationError({"paid_on": "The date it was paid must be today or in the past"})
        if paid_on < paid.issued_on:
            issued = long_date(paid.issued_on)
            raise ValidationError(
                {"paid_on": f"The date it was paid must be on or after the day it was issued, {issued}"}
            )
        paid.status = InvoiceStatus.PAID
        paid.paid_on = paid_on
        paid.save(update_fields=["status", "paid_on"])
        audit_record(
            action=AuditAction.INVOICE_PAID,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.pk,
            object_type="invoice",
            object_id=paid.number,
            related_ids=[paid.council.slug, paid.pk],
            changes={
                "status": {"old": InvoiceStatus.ISSUED, "new": InvoiceStatus.PAID},
                "paid_on": {"old": None, "new": paid_on.isoformat()},
                "total_minor": {"old": None, "new": paid.total_minor},
                "currency": {"old": None, "new": paid.currency},
            },
        )
    return paid


def _reminder_due(today: datetime.date) -> Q:
    return Q(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED, due_on__lt=today) & (
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=today - REMINDER_INTERVAL)
    )


def overdue_remind(*, today: datetime.date) -> int:
    """Remind the billing contact of each overdue invoice not reminded in the last seven days; returns how many.

    Each invoice in its own transaction, locked and checked again (a run at the same moment skips it); one that
    fails (its document unreadable) is logged and left for the next run, and the others are still reminded.
    """
    on_the_platform()
    reminded = 0
    for invoice_id in (
        Invoice.objects.filter(_reminder_due(today)).order_by("due_on", "sequence").values_list("pk", flat=True)
    ):
        try:
            reminded += _remind(invoice_id=invoice_id, today=today)
        except Exception:
            logging.getLogger(__name__).exception("Invoice %s could not be reminded", invoice_id)
    return reminded


def _remind(*, invoice_id: object, today: datetime.date) -> int:
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(skip_locked=True)
            .select_related("council")
            .filter(_reminder_due(today), pk=invoice_id)
            .first()
        )
        if invoice is None:
            return 0
        before = invoice.reminders_sent
        invoice.reminders_sent = before + 1
        invoice.last_reminded_on = today
        invoice.save(update_fields=["reminders_sent", "last_reminded_on"])
        owed = invoice_credit_left(invoice=invoice).total_minor
        audit_record(
            action=AuditAction.INVOICE_REMINDED,
            outcome=AuditOutcome.SUCCESS,
            origin=NO_ORIGIN,
            object_type="invoice",
            object_id=invoice.number,
            related_ids=[invoice.council.slug, invoice.pk],
            changes={
                "reminders_sent": {"old": before, "new": invoice.reminders_sent},
                "owed_minor": {"old": None, "new": owed},
                "currency": {"old": None, "new": invoice.currency},
            },
        )
        _, contact_email = billing_contact(invoice)
        email_queue(
            invoice=invoice,
            to=contact_email,
            subject=f"Reminder: invoice {invoice.number} is overdue",
            template="billing/email/reminder.txt",
            pdf=invoice_document_open(invoice=invoice, kind="pdf"),
            owed=money_format(owed, invoice.currency),
        )
    return 1

"""Reads of billing that leave the app: a council's invoices and usage, one invoice, overdue or not."""

import datetime
import uuid

from django.db.models import QuerySet
from django.utils import timezone

from billing.models import Invoice, InvoiceKind, InvoiceStatus, Usage
from tenants.models import Council


def invoice_get(*, invoice_id: uuid.UUID, council: Council | None = None) -> Invoice | None:
    """The invoice or credit note, with its lines; only if it is ``council``'s when a council is given."""
    invoices = Invoice.objects.prefetch_related("lines")
    if council is not None:
        invoices = invoices.filter(council=council)
    return invoices.filter(pk=invoice_id).first()


def invoices_of(*, council: Council) -> QuerySet[Invoice]:
    """A council's invoices and credit notes, newest first."""
    return Invoice.objects.filter(council=council).order_by("-issued_at", "-sequence")


def usage_of(*, council: Council) -> QuerySet[Usage]:
    """A council's counted months, newest first."""
    return Usage.objects.filter(council=council).order_by("-period")


def is_overdue(invoice: Invoice, *, today: datetime.date | None = None) -> bool:
    """An invoice (not a credit note) still unpaid after its due date."""
    today = today or timezone.localdate()
    return invoice.kind == InvoiceKind.INVOICE and invoice.status == InvoiceStatus.ISSUED and invoice.due_on < today

"""An invoice's or credit note's two documents: a standalone HTML page and a PDF, both made from the row as issued.

They are written once, when the invoice is issued, into the private storage as ``invoices/<jurisdiction>/<number>``
``.html`` and ``.pdf`` (never at a public address), and read back only through ``invoice_document_open``: what the
council was sent is what it, and the operator, download later, whatever prices or wording change meanwhile.
"""

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from billing.models import Invoice, InvoiceKind, InvoiceLine
from billing.money import money_format, rate_percent
from billing.suppliers import Supplier, supplier_for
from config.pdf import Document
from core.council.storage import private_storage

KINDS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


class NoDocument(LookupError):
    """The invoice has no document of that kind."""


def long_date(day: datetime.date) -> str:
    """``2 December 2026``."""
    return f"{day.day} {day:%B %Y}"


def month_name(period: datetime.date) -> str:
    """``November 2026``."""
    return f"{period:%B %Y}"


@dataclass(frozen=True)
class PrintedLine:
    description: str
    quantity: str
    unit_price: str
    amount: str


@dataclass(frozen=True)
class Printed:
    """An invoice or credit note as its documents print it: every value already written out."""

    title: str
    number: str
    is_credit_note: bool
    supplier: Supplier
    council_name: str
    billing_contact_name: str
    purchase_order_number: str
    period: str
    issued_on: str
    due_on: str
    credits_number: str
    reason: str
    lines: list[PrintedLine]
    subtotal: str
    tax_name: str
    tax_label: str
    tax: str
    total: str
    currency: str

    @property
    def facts(self) -> list[tuple[str, str]]:
        rows = [
            (f"{self.title} number", self.number),
            ("Date of issue", self.issued_on),
            ("Customer", self.council_name),
            ("For the attention of", self.billing_contact_name),
            ("Purchase order number", self.purchase_order_number),
            ("Period", self.period),
        ]
        if self.is_credit_note:
            rows.append(("Credits invoice", self.credits_number))
            rows.append(("Reason", self.reason))
        else:
            rows.append(("Payment due by", self.due_on))
        rows.append(("Supplier", self.supplier.legal_name))
        rows.append(("Supplier's address", ", ".join(self.supplier.address_lines)))
        rows.append((self.supplier.tax_label, self.supplier.tax_number))
        return rows

    @property
    def totals(self) -> list[tuple[str, str]]:
        return [
            (f"Subtotal (excluding {self.tax_name})", self.subtotal),
            (self.tax_label, self.tax),
            (f"Total ({self.currency})", self.total),
        ]


def printed(invoice: Invoice, lines: Sequence[InvoiceLine], *, credits_number: str = "") -> Printed:
    supplier = supplier_for(invoice.jurisdiction)
    is_credit_note = invoice.kind == InvoiceKind.CREDIT_NOTE
    currency = invoice.currency
    return Printed(
        title=supplier.credit_note_title if is_credit_note else supplier.invoice_title,
        number=invoice.number,
        is_credit_note=is_credit_note,
        supplier=supplier,
        council_name=invoice.council_name,
        billing_contact_name=invoice.billing_contact_name,
        purchase_order_number=invoice.purchase_order_number,
        period=month_name(invoice.period),
        issued_on=long_date(invoice.issued_on),
        due_on=long_date(invoice.due_on),
        credits_number=credits_number,
        reason=invoice.reason,
        lines=[
            PrintedLine(
                description=line.description,
                quantity=f"{line.quantity:,}",
                unit_price=money_format(line.unit_price_minor, currency),
                amount=money_format(line.amount_minor, currency),
            )
            for line in lines
        ],
        subtotal=money_format(invoice.subtotal_minor, currency),
        tax_name=invoice.tax_name,
        tax_label=f"{invoice.tax_name} at {rate_percent(invoice.tax_rate)}",
        tax=money_format(invoice.tax_minor, currency),
        total=money_format(invoice.total_minor, currency),
        currency=currency,
    )


def invoice_html(document: Printed) -> bytes:
    """A standalone, accessible HTML page (no scripts, no outside styles or images): it opens from a disk."""
    return render_to_string("billing/document/invoice.html", {"document": document}).encode()


def invoice_pdf(document: Printed) -> bytes:
    pdf = Document(title=f"{document.title} {document.number}", subtitle=document.supplier.legal_name)
    pdf.facts(document.facts)
    pdf.heading("Charges")
    pdf.table(
        ["Description", "Quantity", "Unit price", "Amount"],
        [[line.description, line.quantity, line.unit_price, line.amount] for line in document.lines],
        widths=(52, 14, 17, 17),
    )
    pdf.facts(document.totals)
    if document.is_credit_note:
        pdf.paragraph(
            f"This {document.title.lower()} reduces what is owed on invoice {document.credits_number} "
            f"by {document.total.lstrip('-')}."
        )
    else:
        pdf.heading("How to pay")
        pdf.paragraph(
            f"Please pay {document.total} by {document.due_on}. {document.supplier.payment_terms} "
            f"Send remittance advice to {document.supplier.remittance_email}, quoting {document.number} and "
            f"purchase order {document.purchase_order_number}."
        )
    return pdf.output()


@dataclass(frozen=True)
class StoredDocuments:
    html_name: str
    pdf_name: str
    pdf: bytes

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def document_name(*, jurisdiction: str, number: str, kind: str) -> str:
    return f"invoices/{jurisdiction}/{number}.{kind}"


def invoice_documents_write(
    invoice: Invoice, lines: Sequence[InvoiceLine], *, credits_number: str = "", written: list[str]
) -> StoredDocuments:
    """Make and store both documents of a just-issued invoice; each name stored is appended to ``written`` at once,
    so that a caller whose transaction then fails can remove them.

    A number is only ever held by one committed invoice (its series is taken under a lock), so a file already at
    the name is what an issue that was rolled back left behind: it is replaced, never kept beside.
    """
    document = printed(invoice, lines, credits_number=credits_number)
    storage = private_storage()
    contents = {"html": invoice_html(document), "pdf": invoice_pdf(document)}
    names = {}
    for kind, content in contents.items():
        wanted = document_name(jurisdiction=invoice.jurisdiction, number=invoice.number, kind=kind)
        if storage.exists(wanted):
            storage.delete(wanted)
        names[kind] = storage.save(wanted, ContentFile(content))
        written.append(names[kind])
    return StoredDocuments(html_name=names["html"], pdf_name=names["pdf"], pdf=contents["pdf"])


def invoice_document_open(*, invoice: Invoice, kind: str) -> bytes:
    """The stored ``pdf`` or ``html`` of an invoice or credit note, as issued. ``NoDocument`` if it has none."""
    name = {"pdf": invoice.pdf_name, "html": invoice.html_name}.get(kind)
    if not name:
        raise NoDocument(f"{invoice.number} has no {kind} document.")
    with private_storage().open(name, "rb") as stored:
        return stored.read()

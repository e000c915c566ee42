"""What a council is charged, and for what: prices by jurisdiction, its billing account, the usage counted
each month, and the invoices and credit notes issued from them (``public`` schema).

Money is always an integer number of minor units (pence, cents) with its currency beside it: never a float.
Nothing issued is ever edited: an invoice keeps the price, tax rate, purchase order number and contact it
was issued with, and a mistake is put right by a credit note.
"""

import uuid

from django.db import models
from django.db.models.functions import Now

from tenants.jurisdictions import Jurisdiction
from tenants.models import Council


class PlanCode(models.TextChoices):
    STANDARD = "standard", "Standard"
    ENHANCED = "enhanced", "Enhanced"


class Price(models.Model):
    """A plan's price in one jurisdiction from a date on. A new price is a new row: older rows stay, and
    every invoice line points at the row it was priced with."""

    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    plan = models.CharField(max_length=20, choices=PlanCode.choices)
    effective_from = models.DateField(help_text="The first month (its first day) charged at this price.")
    currency = models.CharField(max_length=3, help_text="ISO 4217: GBP, AUD.")
    unit_price_minor = models.PositiveIntegerField(
        help_text="Per active practitioner per month, before tax, in minor units (pence, cents)."
    )
    minimum_practitioners = models.PositiveIntegerField(help_text="The fewest practitioners charged for a month.")
    tax_name = models.CharField(max_length=10, help_text="VAT, GST.")
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4, help_text="0.2000 for 20%.")
    created_at = models.DateTimeField(db_default=Now())
    created_by_id = models.UUIDField(null=True, blank=True, help_text="The platform staff member, if any.")

    class Meta:
        ordering = ["jurisdiction", "plan", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "plan", "effective_from"], name="price_one_per_start"),
            models.CheckConstraint(condition=models.Q(effective_from__day=1), name="price_starts_on_a_first"),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0) & models.Q(tax_rate__lt=1), name="price_tax_rate_a_fraction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} in {self.jurisdiction} from {self.effective_from}"


class BillingAccount(models.Model):
    """Who pays for a council, on which plan, and the purchase order number its finance team requires."""

    council = models.OneToOneField(Council, on_delete=models.PROTECT, related_name="billing_account")
    plan = models.CharField(max_length=20, choices=PlanCode.choices)
    purchase_order_number = models.CharField(max_length=50)
    billing_contact_name = models.CharField(max_length=200)
    billing_contact_email = models.EmailField()
    opened_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Billing account of {self.council_id}"


class Usage(models.Model):
    """The active practitioners of one council in one month: those who signed in during it (counted from the
    council's own audit trail, in its time zone). Counted once: running the month again changes nothing."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="usage")
    period = models.DateField(help_text="The month counted (its first day).")
    active_practitioners = models.PositiveIntegerField()
    counted_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-period", "council_id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "period"], name="usage_once_per_council_month"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="usage_period_a_first"),
        ]

    def __str__(self) -> str:
        return f"{self.council_id} {self.period:%Y-%m}: {self.active_practitioners}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    """An invoice is issued, then paid, or cancelled by a credit note for all of it. (Overdue is an issued
    invoice past its due date: worked out, not stored.) A credit note is always ``issued``."""

    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled by a credit note"


class InvoiceNumberSeries(models.Model):
    """The last number issued in a jurisdiction. Taken under a row lock in the issuing transaction, so numbers
    have no gaps and no repeats however many are issued at once (a rolled-back issue gives its number back)."""

    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.last}"


class Invoice(models.Model):
    """An invoice or a credit note, as issued: everything on it is copied here when it is issued.

    Amounts are in minor units; a credit note's are negative. Its documents (HTML and PDF) are in the
    private storage under ``invoices/<jurisdiction>/``, never at a public address.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    sequence = models.PositiveIntegerField(help_text="Its place in the jurisdiction's series: 1, 2, 3, ...")
    number = models.CharField(max_length=30, unique=True, help_text="As printed, e.g. PW-EN-000042.")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="invoices")
    period = models.DateField(help_text="The month charged (its first day); a credit note's is its invoice's.")
    credits = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text="The invoice a credit note credits.",
    )
    # As issued: the council's name, plan and account, and the price and tax it was charged at.
    council_name = models.CharField(max_length=200)
    plan = models.CharField(max_length=20, choices=PlanCode.choices)
    purchase_order_number = models.CharField(max_length=50)
    billing_contact_name = models.CharField(max_length=200)
    billing_contact_email = models.EmailField()
    currency = models.CharField(max_length=3)
    tax_name = models.CharField(max_length=10)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    subtotal_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField()
    total_minor = models.BigIntegerField()
    reason = models.CharField(max_length=300, blank=True, help_text="Why a credit note was issued.")

    issued_on = models.DateField()
    due_on = models.DateField()
    issued_at = models.DateTimeField(db_default=Now())
    issued_by_id = models.UUIDField(null=True, blank=True, help_text="Platform staff; none for the monthly run.")
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    paid_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_on = models.DateField(null=True, blank=True)

    html_name = models.CharField(max_length=200, blank=True, help_text="Its HTML in the private storage.")
    pdf_name = models.CharField(max_length=200, blank=True, help_text="Its PDF in the private storage.")
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-issued_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "sequence"], name="invoice_sequence_once"),
            # One invoice per council per month: issuing a month twice issues nothing the second time.
            models.UniqueConstraint(
                fields=["council", "period"],
                condition=models.Q(kind="invoice"),
                name="invoice_once_per_council_month",
            ),
            models.CheckConstraint(condition=models.Q(period__day=1), name="invoice_period_a_first"),
            models.CheckConstraint(
                condition=models.Q(total_minor=models.F("subtotal_minor") + models.F("tax_minor")),
                name="invoice_total_is_subtotal_and_tax",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="invoice") & models.Q(credits__isnull=True) & models.Q(total_minor__gte=0))
                | (models.Q(kind="credit_note") & models.Q(credits__isnull=False) & models.Q(total_minor__lte=0)),
                name="invoice_or_credit_note",
            ),
        ]
        indexes = [models.Index(fields=["council", "-period"], name="invoice_council_period")]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """One line of an invoice or credit note, as issued."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.IntegerField()
    unit_price_minor = models.BigIntegerField()
    amount_minor = models.BigIntegerField()
    price = models.ForeignKey(Price, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["invoice_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_once"),
            models.CheckConstraint(
                condition=models.Q(amount_minor=models.F("quantity") * models.F("unit_price_minor")),
                name="invoice_line_amount_is_quantity_times_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} line {self.position}"

"""Invoices and credit notes made directly, as the issuing would leave them (every constraint of the model holds),
for the tests of the pages that show them."""

import datetime
import itertools
from decimal import Decimal

from billing.models import Invoice, InvoiceKind
from billing.money import tax_on
from tenants.models import Council

_numbers = itertools.count(1)


def invoice(council: Council, *, period: datetime.date, subtotal: int, **fields: object) -> Invoice:
    """An issued invoice (or, with ``credits``, a credit note) as the issuing would leave it: the constraints hold."""
    number = next(_numbers)
    english = council.jurisdiction == "england"
    rate = Decimal("0.2000") if english else Decimal("0.1000")
    tax = tax_on(subtotal, rate)
    issued_on = fields.pop("issued_on", period.replace(day=28) + datetime.timedelta(days=4))
    return Invoice.objects.create(
        kind=InvoiceKind.CREDIT_NOTE if fields.get("credits") else InvoiceKind.INVOICE,
        jurisdiction=council.jurisdiction,
        sequence=900_000 + number,
        number=f"PW-{'EN' if english else 'VIC'}-T{number:06d}",
        council=council,
        period=period,
        council_name=council.name,
        plan="standard",
        purchase_order_number="PO-4471",
        billing_contact_name="Accounts payable",
        billing_contact_email="ap@council.example",
        currency="GBP" if english else "AUD",
        tax_name="VAT" if english else "GST",
        tax_rate=rate,
        subtotal_minor=subtotal,
        tax_minor=tax,
        total_minor=subtotal + tax,
        issued_on=issued_on,
        due_on=fields.pop("due_on", issued_on + datetime.timedelta(days=30)),
        **fields,
    )

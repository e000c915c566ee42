"""Who issues Patchwork's invoices in each jurisdiction, as printed on them.

An English invoice is a VAT invoice: it must show the supplier's name, address and VAT registration number. A
Victorian one is a tax invoice under Australian GST law: the words "Tax invoice", the supplier's name and ABN. Each
jurisdiction also has its own series of numbers (``PW-EN-000001``, ``PW-VIC-000001``) and its own way to pay.

The real identities come from ``settings.BILLING_SUPPLIERS`` (the environment, ``BILLING_SUPPLIERS`` as JSON keyed by
jurisdiction, field by field); the defaults below are the demo's made-up ones, with numbers no business holds.
"""

from dataclasses import dataclass, fields, replace

from django.conf import settings

from tenants.jurisdictions import Jurisdiction


@dataclass(frozen=True)
class Supplier:
    number_prefix: str  # an invoice number is the prefix, a dash and six digits
    legal_name: str
    address: str  # lines separated by newlines
    tax_label: str  # "VAT registration number", "ABN"
    tax_number: str
    invoice_title: str  # "VAT invoice", "Tax invoice"
    credit_note_title: str  # "Credit note", "Adjustment note"
    payment_terms: str  # how to pay, in a sentence or two
    remittance_email: str

    @property
    def address_lines(self) -> list[str]:
        return [line for line in self.address.splitlines() if line.strip()]


DEMO_SUPPLIERS: dict[str, Supplier] = {
    Jurisdiction.ENGLAND: Supplier(
        number_prefix="PW-EN",
        legal_name="Patchwork Services Ltd",
        address="1 Example Street\nLondon\nEC1A 0AA",
        tax_label="VAT registration number",
        tax_number="GB 000 0000 00",
        invoice_title="VAT invoice",
        credit_note_title="Credit note",
        payment_terms="Pay by bank transfer to Patchwork Services Ltd, sort code 00-00-00, account 00000000, "
        "quoting the invoice number.",
        remittance_email="accounts@patchwork.example",
    ),
    Jurisdiction.VICTORIA: Supplier(
        number_prefix="PW-VIC",
        legal_name="Patchwork Services Pty Ltd",
        address="1 Example Street\nMelbourne VIC 3000",
        tax_label="ABN",
        tax_number="00 000 000 000",
        invoice_title="Tax invoice",
        credit_note_title="Adjustment note",
        payment_terms="Pay by EFT to Patchwork Services Pty Ltd, BSB 000-000, account 000000000, "
        "quoting the invoice number.",
        remittance_email="accounts.au@patchwork.example",
    ),
}

_FIELDS = {field.name for field in fields(Supplier)}


def supplier_for(jurisdiction: str) -> Supplier:
    """The supplier of ``jurisdiction``'s invoices: the settings' fields over the demo's defaults."""
    supplier = DEMO_SUPPLIERS[Jurisdiction(jurisdiction)]
    configured = getattr(settings, "BILLING_SUPPLIERS", {}).get(str(jurisdiction)) or {}
    unknown = set(configured) - _FIELDS
    if unknown:
        raise ValueError(f"BILLING_SUPPLIERS[{str(jurisdiction)!r}] has fields no supplier has: {sorted(unknown)}.")
    return replace(supplier, **{name: str(value) for name, value in configured.items()})


def invoice_number(*, jurisdiction: str, sequence: int) -> str:
    """``PW-EN-000042``: the jurisdiction's prefix and the place in its series, six digits (more when needed)."""
    return f"{supplier_for(jurisdiction).number_prefix}-{sequence:06d}"

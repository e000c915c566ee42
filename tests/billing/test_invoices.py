"""Issuing a council's invoice for a counted month: its number, its line at the price in force, its tax, what it keeps
of the council's account, its documents and the email to the billing contact; and every council's at once.

The fixtures here (prices, billing accounts, the private storage in a folder of the test's own, a fixed "today") are
shared by the other invoice test modules. Nothing is faked: the documents go to a real folder, the email to the
outbox table.
"""

import datetime
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.db.models import QuerySet
from pypdf import PdfReader

from billing.documents import invoice_document_open
from billing.models import BillingAccount, Invoice, InvoiceKind, InvoiceNumberSeries, PlanCode, Price, Usage
from billing.services.invoices import (
    InvoiceAlreadyIssued,
    InvoiceRefused,
    invoice_issue,
    invoices_issue,
)
from billing.suppliers import supplier_for
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.notifications.models import Notification
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

TODAY = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=datetime.UTC)
OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


@dataclass(frozen=True)
class Billed:
    """Two councils with billing accounts and prices in force: Alpha in England, Beta in Victoria."""

    alpha: Council
    beta: Council
    english_price: Price
    victorian_price: Price
    documents: Path


@pytest.fixture
def today() -> Iterator[datetime.datetime]:
    """2 December 2026, mid-morning in London (and the evening in Melbourne): November is over everywhere."""
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture
def private_folder(settings: object, tmp_path: Path) -> Path:
    """The private storage in a folder of this test's own (a settings change resets ``storages``)."""
    folder = tmp_path / "private"
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "private": {"BACKEND": "core.council.storage.PrivateFileSystemStorage", "OPTIONS": {"location": folder}},
    }
    return folder


def price_set(jurisdiction: str, *, unit: int, minimum: int, effective_from: datetime.date = OCTOBER) -> Price:
    english = jurisdiction == Jurisdiction.ENGLAND
    return Price.objects.create(
        jurisdiction=jurisdiction,
        plan=PlanCode.STANDARD,
        effective_from=effective_from,
        currency="GBP" if english else "AUD",
        unit_price_minor=unit,
        minimum_practitioners=minimum,
        tax_name="VAT" if english else "GST",
        tax_rate=Decimal("0.2000") if english else Decimal("0.1000"),
    )


def account_open(council: Council, *, po: str, email: str, name: str = "Sam Ledger") -> BillingAccount:
    return BillingAccount.objects.create(
        council=council,
        plan=PlanCode.STANDARD,
        purchase_order_number=po,
        billing_contact_name=name,
        billing_contact_email=email,
    )


def counted(council: Council, period: datetime.date, active: int) -> Usage:
    return Usage.objects.create(council=council, period=period, active_practitioners=active)


def series_last(jurisdiction: str) -> int:
    series = InvoiceNumberSeries.objects.filter(jurisdiction=jurisdiction).first()
    return series.last if series else 0


def audit_of(action: str, invoice: Invoice) -> "QuerySet[AuditEvent]":
    """The platform's audit events of ``action`` about this very invoice (numbers repeat across the tests' rolled-back
    transactions; ids do not)."""
    return AuditEvent.objects.filter(action=action, related_ids__contains=[str(invoice.pk)])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def billed(council_a: Council, council_b: Council, private_folder: Path, today: datetime.datetime) -> Billed:
    english = price_set(Jurisdiction.ENGLAND, unit=450, minimum=100)
    victorian = price_set(Jurisdiction.VICTORIA, unit=795, minimum=50)
    account_open(council_a, po="PO-ALPHA-2026-17", email="accounts.payable@alpha.example", name="Sam Ledger")
    account_open(council_b, po="BETA-PO-88", email="finance@beta.example", name="Kim Ledger")
    return Billed(council_a, council_b, english, victorian, private_folder)


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="billing.ops@patchwork.example", is_staff=True)


def test_an_english_council_is_invoiced_for_its_active_practitioners_at_the_price_in_force(
    billed: Billed, operator: User
) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    before = series_last(Jurisdiction.ENGLAND)

    invoice = invoice_issue(council=billed.alpha, period=NOVEMBER, actor=operator)

    assert invoice.sequence == before + 1
    assert invoice.number == f"PW-EN-{before + 1:06d}"
    assert series_last(Jurisdiction.ENGLAND) == before + 1
    assert invoice.kind == InvoiceKind.INVOICE
    assert (invoice.currency, invoice.tax_name, invoice.tax_rate) == ("GBP", "VAT", Decimal("0.2000"))
    assert (invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (63900, 12780, 76680)
    assert invoice.issued_on == datetime.date(2026, 12, 2)
    assert invoice.due_on == datetime.date(2027, 1, 1)
    assert invoice.issued_by_id == operator.pk
    assert (invoice.council_name, invoice.plan) == ("Alpha District Council", PlanCode.STANDARD)
    assert invoice.purchase_order_number == "PO-ALPHA-2026-17"
    assert (invoice.billing_contact_name, invoice.billing_contact_email) == (
        "Sam Ledger",
        "accounts.payable@alpha.example",
    )
    [line] = invoice.lines.all()
    assert (line.quantity, line.unit_price_minor, line.amount_minor, line.price) == (
        142,
        450,
        63900,
        billed.english_price,
    )
    assert line.description == "Standard plan: active practitioners in November 2026"

    event = audit_of(AuditAction.INVOICE_ISSUED, invoice).get()
    assert event.object_id == invoice.number
    assert (event.council, event.actor_id, event.object_type) == ("public", operator.pk, "invoice")
    assert event.changes["total_minor"] == {"old": None, "new": 76680}
    assert event.changes["tax_minor"] == {"old": None, "new": 12780}
    assert billed.alpha.slug in event.related_ids


def test_fewer_practitioners_than_the_minimum_are_charged_the_minimum_and_the_line_says_so(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 42)

    invoice = invoice_issue(council=billed.alpha, period=NOVEMBER)

    [line] = invoice.lines.all()
    assert line.description == "Minimum charge: 100 practitioners (42 active in November 2026)"
    assert (line.quantity, line.amount_minor) == (100, 45000)
    assert (invoice.subtotal_minor, invoice.tax_minor, invoice.total_minor) == (45000, 9000, 54000)
    assert invoice.issued_by_id is None


def test_a_victorian_council_gets_a_tax_invoice_in_its_own_series_with_gst_and_the_suppliers_abn(
    billed: Billed,
) -> None:
    counted(billed.alpha, NOVEMBER, 120)
    counted(billed.beta, NOVEMBER, 61)
    english_before, victorian_before = series_last(Jurisdiction.ENGLAND), series_last(Jurisdiction.VICTORIA)

    english = invoice_issue(council=billed.alpha, period=NOVEMBER)
    victorian = invoice_issue(council=billed.beta, period=NOVEMBER)

    assert english.number == f"PW-EN-{english_before + 1:06d}"
    assert victorian.number == f"PW-VIC-{victorian_before + 1:06d}"
    # 61 × A$7.95 = A$484.95; GST 10% = 48.495, rounded half up to A$48.50.
    assert (victorian.currency, victorian.tax_name) == ("AUD", "GST")
    assert (victorian.subtotal_minor, victorian.tax_minor, victorian.total_minor) == (48495, 4850, 53345)
    # Melbourne's "today" is the invoice's date: 2 December 2026, 21:00 there.
    assert victorian.issued_on == datetime.date(2026, 12, 2)

    text = pdf_text(invoice_document_open(invoice=victorian, kind="pdf"))
    assert "Tax invoice" in text
    assert "ABN" in text
    assert "00 000 000 000" in text
    assert "GST at 10%" in text
    assert "A$533.45" in text
    english_text = pdf_text(invoice_document_open(invoice=english, kind="pdf"))
    assert "VAT invoice" in english_text
    assert "VAT registration number" in english_text
    assert "GB 000 0000 00" in english_text


def test_the_pdf_read_back_carries_its_number_purchase_order_totals_and_due_date(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    invoice = invoice_issue(council=billed.alpha, period=NOVEMBER)

    data = invoice_document_open(invoice=invoice, kind="pdf")

    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == invoice.pdf_sha256
    assert invoice.pdf_name == f"invoices/england/{invoice.number}.pdf"
    assert invoice.html_name == f"invoices/england/{invoice.number}.html"
    assert (billed.documents / invoice.pdf_name).read_bytes() == data
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == f"VAT invoice {invoice.number}"
    text = pdf_text(data)
    for expected in [
        invoice.number,
        "PO-ALPHA-2026-17",
        "Alpha District Council",
        "£639.00",  # subtotal
        "VAT at 20%",
        "£127.80",
        "£766.80",  # total
        "1 January 2027",  # due
        "November 2026",
        "How to pay",
    ]:
        assert expected in text, expected


def test_the_html_document_stands_alone_and_is_accessible(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    invoice = invoice_issue(council=billed.alpha, period=NOVEMBER)

    html = invoice_document_open(invoice=invoice, kind="html").decode()

    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    assert f"<title>VAT invoice {invoice.number}" in html
    assert f"<h1>VAT invoice {invoice.number}</h1>" in html
    assert f"<caption>Charges on VAT invoice {invoice.number}, in GBP</caption>" in html
    assert '<th scope="col">Description</th>' in html
    assert '<th scope="row">VAT at 20%</th>' in html
    assert "£766.80" in html
    assert "PO-ALPHA-2026-17" in html
    assert "<script" not in html
    assert "http" not in html  # nothing fetched from elsewhere: no stylesheet, font or image


def test_the_billing_contact_is_emailed_the_same_pdf_with_no_other_personal_data(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    invoice = invoice_issue(council=billed.alpha, period=NOVEMBER)

    [email] = Notification.objects.filter(subject__contains=invoice.number)
    assert email.to == "accounts.payable@alpha.example"
    assert email.subject == f"VAT invoice {invoice.number} for November 2026"
    assert email.attachment_name == f"{invoice.number}.pdf"
    assert email.attachment_type == "application/pdf"
    assert bytes(email.attachment_data) == invoice_document_open(invoice=invoice, kind="pdf")
    for fact in [invoice.number, "November 2026", "£766.80", "1 January 2027", "PO-ALPHA-2026-17"]:
        assert fact in email.body, fact
    assert "Sam Ledger" not in email.body
    assert "Ledger" not in email.subject


def test_the_email_leaves_once_the_invoice_is_committed(
    billed: Billed, django_capture_on_commit_callbacks: object, mailoutbox: list
) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        invoice = invoice_issue(council=billed.alpha, period=NOVEMBER)
        assert mailoutbox == []  # queued in the transaction, not sent from it

    [sent] = [message for message in mailoutbox if invoice.number in message.subject]
    assert sent.to == ["accounts.payable@alpha.example"]
    [(name, content, content_type)] = sent.attachments
    assert (name, content_type) == (f"{invoice.number}.pdf", "application/pdf")
    assert hashlib.sha256(content).hexdigest() == invoice.pdf_sha256


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        ("no_account", "Alpha District Council has no billing account."),
        ("not_counted", "Alpha District Council's active practitioners in November 2026 are not counted."),
        ("no_price", "No standard price in england for November 2026."),
    ],
)
def test_a_month_that_cannot_be_invoiced_is_refused_and_nothing_is_written(
    billed: Billed, prepare: str, message: str
) -> None:
    if prepare != "not_counted":
        counted(billed.alpha, NOVEMBER, 142)
    if prepare == "no_account":
        BillingAccount.objects.filter(council=billed.alpha).delete()
    if prepare == "no_price":
        Price.objects.filter(jurisdiction=Jurisdiction.ENGLAND).delete()
    before = series_last(Jurisdiction.ENGLAND)

    with pytest.raises(InvoiceRefused) as refused:
        invoice_issue(council=billed.alpha, period=NOVEMBER)

    assert str(refused.value) == message
    assert not Invoice.objects.filter(council=billed.alpha).exists()
    assert series_last(Jurisdiction.ENGLAND) == before
    assert not list(billed.documents.rglob("*.pdf"))
    assert not Notification.objects.filter(to="accounts.payable@alpha.example").exists()


def test_a_month_not_over_is_refused(billed: Billed) -> None:
    counted(billed.alpha, DECEMBER, 142)

    with pytest.raises(InvoiceRefused, match="December 2026 is not over yet"):
        invoice_issue(council=billed.alpha, period=DECEMBER)
    with pytest.raises(InvoiceRefused, match="a whole month"):
        invoice_issue(council=billed.alpha, period=datetime.date(2026, 11, 15))
    assert not Invoice.objects.filter(council=billed.alpha).exists()


def test_a_month_invoiced_twice_is_invoiced_once(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    first = invoice_issue(council=billed.alpha, period=NOVEMBER)
    before = series_last(Jurisdiction.ENGLAND)

    with pytest.raises(InvoiceAlreadyIssued) as again:
        invoice_issue(council=billed.alpha, period=NOVEMBER)

    assert again.value.invoice == first
    assert Invoice.objects.filter(council=billed.alpha).count() == 1
    assert series_last(Jurisdiction.ENGLAND) == before
    assert Notification.objects.filter(subject__contains="PW-EN-").count() == 1


class CallerFailed(Exception):
    """The caller's transaction fails after an invoice was issued in it."""


def test_a_rolled_back_issue_gives_its_number_back(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    counted(billed.alpha, OCTOBER, 130)
    before = series_last(Jurisdiction.ENGLAND)

    def issue_then_fail() -> Invoice:
        with transaction.atomic():
            taken = invoice_issue(council=billed.alpha, period=NOVEMBER)
            assert taken.number == f"PW-EN-{before + 1:06d}"
            raise CallerFailed(taken)

    with pytest.raises(CallerFailed) as failed:
        issue_then_fail()
    [taken] = failed.value.args

    assert series_last(Jurisdiction.ENGLAND) == before
    assert not Invoice.objects.filter(number=taken.number).exists()
    again = invoice_issue(council=billed.alpha, period=OCTOBER)
    assert again.number == taken.number
    # The file the rolled-back issue left under that number was replaced by the new invoice's own.
    assert hashlib.sha256((billed.documents / again.pdf_name).read_bytes()).hexdigest() == again.pdf_sha256
    assert "October 2026" in pdf_text(invoice_document_open(invoice=again, kind="pdf"))


def test_documents_that_cannot_be_stored_fail_the_issue_and_give_the_number_back(
    billed: Billed, settings: object, tmp_path: Path
) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage's folder should be")
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "private": {"BACKEND": "core.council.storage.PrivateFileSystemStorage", "OPTIONS": {"location": blocked}},
    }
    before = series_last(Jurisdiction.ENGLAND)

    with pytest.raises(OSError, match="not-a-folder"):
        invoice_issue(council=billed.alpha, period=NOVEMBER)

    assert series_last(Jurisdiction.ENGLAND) == before
    assert not Invoice.objects.filter(council=billed.alpha).exists()
    assert not Notification.objects.filter(to="accounts.payable@alpha.example").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.INVOICE_ISSUED, related_ids__contains=[billed.alpha.slug])


def test_a_price_change_leaves_an_issued_invoice_as_it_was_and_prices_the_next_month(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    november = invoice_issue(council=billed.alpha, period=NOVEMBER)
    row = Invoice.objects.values().get(pk=november.pk)
    lines = list(november.lines.values())
    documents = {kind: invoice_document_open(invoice=november, kind=kind) for kind in ("pdf", "html")}

    new_price = price_set(Jurisdiction.ENGLAND, unit=500, minimum=120, effective_from=DECEMBER)
    counted(billed.alpha, DECEMBER, 150)
    with time_machine.travel(datetime.datetime(2027, 1, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        december = invoice_issue(council=billed.alpha, period=DECEMBER)

    assert Invoice.objects.values().get(pk=november.pk) == row
    assert list(november.lines.values()) == lines
    assert {kind: invoice_document_open(invoice=november, kind=kind) for kind in ("pdf", "html")} == documents
    [line] = december.lines.all()
    assert (line.price, line.unit_price_minor, line.amount_minor) == (new_price, 500, 75000)
    assert december.subtotal_minor == 75000


def test_every_council_counted_in_a_month_is_invoiced_once_however_often_the_month_is_run(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    counted(billed.beta, NOVEMBER, 61)

    first = invoices_issue(period=NOVEMBER)
    second = invoices_issue(period=NOVEMBER)

    assert sorted(invoice.council_id for invoice in first.issued) == sorted([billed.alpha.pk, billed.beta.pk])
    assert first.failed == []
    assert second.issued == []
    assert second.failed == []
    assert Invoice.objects.filter(period=NOVEMBER).count() == 2


def test_one_councils_failure_does_not_stop_the_others_and_is_reported(billed: Billed) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    counted(billed.beta, NOVEMBER, 61)
    Price.objects.filter(jurisdiction=Jurisdiction.VICTORIA).delete()

    outcome = invoices_issue(period=NOVEMBER)

    assert [invoice.council_id for invoice in outcome.issued] == [billed.alpha.pk]
    [failure] = outcome.failed
    assert (failure.council_slug, failure.message) == ("beta", "No standard price in victoria for November 2026.")
    assert not Invoice.objects.filter(council=billed.beta).exists()


def test_councils_without_an_account_or_a_counted_month_are_not_invoiced(billed: Billed, council_b: Council) -> None:
    counted(billed.alpha, OCTOBER, 142)  # another month
    counted(billed.beta, NOVEMBER, 61)
    BillingAccount.objects.filter(council=council_b).delete()

    outcome = invoices_issue(period=NOVEMBER)

    assert outcome.issued == []
    assert outcome.failed == []
    assert outcome.already == []
    assert not Invoice.objects.exists()


def test_the_supplier_printed_is_the_one_configured_for_the_jurisdiction(billed: Billed, settings: object) -> None:
    settings.BILLING_SUPPLIERS = {  # type: ignore[attr-defined]
        "england": {"legal_name": "Patchwork Public Services Ltd", "tax_number": "GB 123 4567 89"}
    }
    counted(billed.alpha, NOVEMBER, 142)

    text = pdf_text(invoice_document_open(invoice=invoice_issue(council=billed.alpha, period=NOVEMBER), kind="pdf"))

    assert "Patchwork Public Services Ltd" in text
    assert "GB 123 4567 89" in text
    assert "GB 000 0000 00" not in text


def test_a_supplier_setting_with_a_field_no_supplier_has_is_refused(settings: object) -> None:
    settings.BILLING_SUPPLIERS = {"victoria": {"abn": "00 000 000 000"}}  # type: ignore[attr-defined]

    with pytest.raises(ValueError, match=r"BILLING_SUPPLIERS\['victoria'\] has fields no supplier has: \['abn'\]"):
        supplier_for(Jurisdiction.VICTORIA)

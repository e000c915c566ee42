"""Invoices in the console, for platform staff only: an invoice's page, its documents, recording its payment and
issuing a credit note; and issuing a counted month by hand. Anyone else is refused and nothing changes; bad input is
shown again with its error, nothing written; a POST on an invoice that changed meanwhile is refused."""

import datetime

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from billing.documents import invoice_document_open
from billing.models import Invoice, InvoiceKind, InvoiceStatus, Price
from billing.services.credit_notes import credit_note_issue
from billing.services.invoices import invoice_issue
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tests.billing.test_invoices import (
    NOVEMBER,
    OCTOBER,
    Billed,
    audit_of,
    billed,
    counted,
    operator,
    private_folder,
    series_last,
    today,
)
from tests.conftest import host_of, sign_in
from tests.factories import PractitionerFactory, UserFactory

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with tests/billing

pytestmark = pytest.mark.platform_side


@pytest.fixture
def invoice(billed: Billed) -> Invoice:
    """Alpha's November: 142 × £4.50 = £639.00, VAT £127.80, £766.80; issued 2 December 2026."""
    counted(billed.alpha, NOVEMBER, 142)
    return invoice_issue(council=billed.alpha, period=NOVEMBER)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _page(invoice: Invoice) -> str:
    return f"/console/invoices/{invoice.pk}/"


def _state(invoice: Invoice) -> tuple[object, ...]:
    fresh = Invoice.objects.get(pk=invoice.pk)
    return (
        fresh.status,
        fresh.paid_on,
        Invoice.objects.filter(credits=invoice).count(),
        series_last(invoice.jurisdiction),
        AuditEvent.objects.filter(action__in=[AuditAction.INVOICE_PAID, AuditAction.CREDIT_NOTE_ISSUED]).count(),
    )


def test_staff_see_an_invoices_facts_lines_totals_and_documents(console: Client, invoice: Invoice) -> None:
    response = console.get(_page(invoice))

    assert response.status_code == 200
    page = response.content.decode()
    for expected in [
        f"Invoice {invoice.number}",
        "Alpha District Council",
        "November 2026",
        "Issued, not yet due",
        "PO-ALPHA-2026-17",
        "accounts.payable@alpha.example",
        "Standard plan: active practitioners in November 2026",
        "£639.00",
        "VAT at 20%",
        "£127.80",
        "£766.80",
        "1 January 2027",
        "by the monthly run",
        f"/console/invoices/{invoice.pk}/document.pdf",
        f"/console/invoices/{invoice.pk}/document.html",
        "Record payment",
        "Issue a credit note",
        '<caption class="govuk-table__caption govuk-table__caption--m">Charges</caption>',
    ]:
        assert expected in page, expected


def test_an_overdue_invoice_says_so(console: Client, invoice: Invoice) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(due_on=datetime.date(2026, 12, 1))

    assert "Overdue" in console.get(_page(invoice)).content.decode()


def test_the_invoice_page_costs_the_same_queries_however_many_credit_notes_it_has(
    console: Client, invoice: Invoice, operator: User, django_assert_max_num_queries: object
) -> None:
    for number in range(6):
        credit_note_issue(actor=operator, invoice=invoice, amount_minor=100 + number, reason="Part", origin=NO_ORIGIN)

    with django_assert_max_num_queries(7):  # type: ignore[operator]
        page = console.get(_page(invoice)).content.decode()

    assert page.count("/console/invoices/") >= 6 + 2
    assert "Left to pay or credit: £759.42" in page  # £766.80 less £6.15 credited and its VAT (£1.23)


def test_a_credit_notes_page_links_back_to_its_invoice_and_offers_no_payment_or_credit(
    console: Client, invoice: Invoice, operator: User
) -> None:
    note = credit_note_issue(actor=operator, invoice=invoice, amount_minor=1000, reason="Leavers", origin=NO_ORIGIN)

    page = console.get(_page(note)).content.decode()

    assert f"Credit note {note.number}" in page
    assert f'href="/console/invoices/{invoice.pk}/"' in page
    assert "Leavers" in page
    assert "-£12.00" in page
    assert "Record payment" not in page
    assert "Issue a credit note" not in page


def test_staff_download_the_stored_documents_as_attachments_and_each_download_is_audited(
    console: Client, invoice: Invoice, operator: User
) -> None:
    pdf = console.get(f"{_page(invoice)}document.pdf")
    html = console.get(f"{_page(invoice)}document.html")

    assert pdf.status_code == 200
    assert pdf.content == invoice_document_open(invoice=invoice, kind="pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert html.content == invoice_document_open(invoice=invoice, kind="html")
    assert html["Content-Disposition"] == f'attachment; filename="{invoice.number}.html"'
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert html["Content-Security-Policy"].startswith("sandbox")
    for response in (pdf, html):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store"
    events = audit_of(AuditAction.INVOICE_DOWNLOADED, invoice)
    assert sorted(event.changes["document"]["new"] for event in events) == ["html", "pdf"]
    assert all(event.actor_id == operator.pk for event in events)


def test_staff_record_a_payment(console: Client, invoice: Invoice, operator: User) -> None:
    response = console.post(
        _page(invoice),
        {
            "action": "payment",
            "payment-paid_on_day": "2",
            "payment-paid_on_month": "12",
            "payment-paid_on_year": "2026",
        },
    )

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (InvoiceStatus.PAID, datetime.date(2026, 12, 2))
    event = audit_of(AuditAction.INVOICE_PAID, invoice).get()
    assert event.actor_id == operator.pk
    page = console.get(response.url).content.decode()
    assert f"Invoice {invoice.number} is recorded as paid on 2 December 2026." in page
    assert "Record payment" not in page


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "Date paid must be a real date"),
        ("2", "", "2026", "Date paid must include a month"),
        ("", "", "", "Enter the date paid"),
        ("3", "12", "2026", "The date it was paid must be today or in the past"),
    ],
)
def test_a_bad_payment_date_is_shown_again_with_its_error_and_nothing_is_written(
    console: Client, invoice: Invoice, day: str, month: str, year: str, message: str
) -> None:
    before = _state(invoice)

    response = console.post(
        _page(invoice),
        {"action": "payment", "payment-paid_on_day": day, "payment-paid_on_month": month, "payment-paid_on_year": year},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    assert page.count(message) == 2  # in the error summary and beside the field
    if day:
        assert f'name="payment-paid_on_day" type="text" inputmode="numeric" autocomplete="off" value="{day}"' in page
    assert _state(invoice) == before


def test_staff_issue_a_credit_note(console: Client, invoice: Invoice) -> None:
    response = console.post(
        _page(invoice), {"action": "credit", "credit-amount": "£120.50", "credit-reason": "Two leavers counted"}
    )

    assert response.status_code == 302
    note = Invoice.objects.get(credits=invoice)
    assert (note.subtotal_minor, note.tax_minor, note.total_minor) == (-12050, -2410, -14460)
    assert note.reason == "Two leavers counted"
    page = console.get(response.url).content.decode()
    assert f"Credit note {note.number} for £144.60 is issued" in page
    assert note.number in page


def test_crediting_all_that_is_left_cancels_the_invoice(console: Client, invoice: Invoice) -> None:
    response = console.post(_page(invoice), {"action": "credit", "credit-amount": "639", "credit-reason": "Wrong"})

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    assert "Cancelled by a credit note" in console.get(_page(invoice)).content.decode()


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("12.5.0", "Leavers", "Enter the amount in pounds and pence, for example 120.50"),
        ("abc", "Leavers", "Enter the amount in pounds and pence, for example 120.50"),
        ("1.234", "Leavers", "Enter the amount in pounds and pence, for example 120.50"),
        ("-5", "Leavers", "Enter the amount in pounds and pence, for example 120.50"),
        ("0.00", "Leavers", "Enter an amount to credit greater than zero"),
        ("639.01", "Leavers", "The amount must be £639.00 or less: that is what is left to credit"),
        ("", "Leavers", "Enter the amount to credit"),
        ("10", "", "Enter why the credit note is issued"),
        ("10", "x" * 301, "The reason must be 300 characters or fewer"),
    ],
)
def test_a_malformed_credit_note_is_shown_again_with_its_error_and_nothing_is_written(
    console: Client, invoice: Invoice, amount: str, reason: str, message: str
) -> None:
    before = _state(invoice)

    response = console.post(_page(invoice), {"action": "credit", "credit-amount": amount, "credit-reason": reason})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert f'value="{amount}"' in page if amount else 'name="credit-amount"' in page
    assert (reason[:40] in page) if reason else True
    assert _state(invoice) == before


def test_a_payment_for_an_invoice_paid_meanwhile_is_refused_and_nothing_changes(
    console: Client, invoice: Invoice
) -> None:
    paid = {
        "action": "payment",
        "payment-paid_on_day": "2",
        "payment-paid_on_month": "12",
        "payment-paid_on_year": "2026",
    }
    console.post(_page(invoice), paid)
    before = _state(invoice)

    response = console.post(_page(invoice), paid)

    assert response.status_code == 409
    page = response.content.decode()
    assert f"Invoice {invoice.number} is already recorded as paid on 2 December 2026. Nothing was changed." in page
    assert _state(invoice) == before


def test_a_credit_note_for_an_invoice_cancelled_meanwhile_is_refused_and_nothing_changes(
    console: Client, invoice: Invoice, operator: User
) -> None:
    credit_note_issue(actor=operator, invoice=invoice, reason="Cancelled elsewhere", origin=NO_ORIGIN)
    before = _state(invoice)

    credit = console.post(_page(invoice), {"action": "credit", "credit-amount": "10", "credit-reason": "Late"})
    payment = console.post(
        _page(invoice),
        {
            "action": "payment",
            "payment-paid_on_day": "2",
            "payment-paid_on_month": "12",
            "payment-paid_on_year": "2026",
        },
    )

    assert credit.status_code == 409
    assert "is already cancelled by a credit note. Nothing was changed." in credit.content.decode()
    assert payment.status_code == 409
    assert _state(invoice) == before


def test_an_unknown_action_is_refused(console: Client, invoice: Invoice) -> None:
    before = _state(invoice)
    response = console.post(_page(invoice), {"action": "delete"})
    assert response.status_code == 409
    assert _state(invoice) == before


@pytest.mark.parametrize(
    "path",
    [
        "/console/invoices/0b7f2a4e-5c1d-4e8a-9f3b-2d6c8e1a7b90/",
        "/console/invoices/0b7f2a4e-5c1d-4e8a-9f3b-2d6c8e1a7b90/document.pdf",
        "/console/invoices/not-a-uuid/",
        "/console/invoices/1/document.pdf",
    ],
)
def test_an_id_that_is_no_invoice_is_not_found(console: Client, invoice: Invoice, path: str) -> None:
    assert console.get(path).status_code == 404
    assert console.post(path, {"action": "payment"}).status_code in (404, 405)


def test_a_document_kind_that_does_not_exist_is_not_found_and_nothing_is_recorded(
    console: Client, invoice: Invoice
) -> None:
    for kind in ("exe", "txt", "PDF"):
        assert console.get(f"{_page(invoice)}document.{kind}").status_code == 404
    assert not audit_of(AuditAction.INVOICE_DOWNLOADED, invoice).exists()


def test_someone_who_is_not_staff_is_refused_everything_and_nothing_changes(
    platform_client: Client, invoice: Invoice
) -> None:
    sign_in(platform_client, UserFactory(email="not.staff@patchwork.example", is_staff=False))
    before = _state(invoice)
    invoices_before = Invoice.objects.count()

    for path in [
        _page(invoice),
        f"{_page(invoice)}document.pdf",
        f"{_page(invoice)}document.html",
        "/console/billing/issue/",
    ]:
        assert platform_client.get(path).status_code == 403, path
    paid = {
        "action": "payment",
        "payment-paid_on_day": "2",
        "payment-paid_on_month": "12",
        "payment-paid_on_year": "2026",
    }
    assert platform_client.post(_page(invoice), paid).status_code == 403
    credit = {"action": "credit", "credit-amount": "10", "credit-reason": "Mine"}
    assert platform_client.post(_page(invoice), credit).status_code == 403
    assert platform_client.post("/console/billing/issue/", {"period": "2026-10-01"}).status_code == 403

    assert _state(invoice) == before
    assert Invoice.objects.count() == invoices_before
    assert not audit_of(AuditAction.INVOICE_DOWNLOADED, invoice).exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(platform_client: Client, invoice: Invoice) -> None:
    response = platform_client.get(_page(invoice))
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_the_console_does_not_exist_at_a_councils_host(client_a: Client, council_a: Council, invoice: Invoice) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="admin@alpha.example", is_council_admin=True, user__is_staff=True)
    sign_in(client_a, admin.user, council_a)
    before = _state(invoice)

    assert client_a.get(_page(invoice)).status_code == 404
    assert client_a.get(f"{_page(invoice)}document.pdf").status_code == 404
    paid = {
        "action": "payment",
        "payment-paid_on_day": "2",
        "payment-paid_on_month": "12",
        "payment-paid_on_year": "2026",
    }
    assert client_a.post(_page(invoice), paid).status_code == 404
    assert client_a.post("/console/billing/issue/", {"period": "2026-11-01"}).status_code == 404
    assert _state(invoice) == before
    assert host_of(council_a) == "alpha.localhost"


def test_staff_issue_a_counted_month_and_see_what_was_issued_and_what_failed(
    console: Client, billed: Billed, invoice: Invoice
) -> None:
    counted(billed.alpha, OCTOBER, 120)
    counted(billed.beta, OCTOBER, 61)
    Price.objects.filter(jurisdiction=Jurisdiction.VICTORIA).delete()  # none in force there

    form = console.get("/console/billing/issue/").content.decode()
    assert "November 2026: 1 counted, 1 invoiced" in form
    assert "October 2026: 2 counted, 0 invoiced" in form

    response = console.post("/console/billing/issue/", {"period": "2026-10-01"})

    assert response.status_code == 200
    page = response.content.decode()
    october = Invoice.objects.get(council=billed.alpha, period=OCTOBER)
    assert "Invoices for October 2026" in page
    assert f'href="/console/invoices/{october.pk}/">{october.number}</a>' in page
    assert "City of Beta" in page
    assert "No standard price in victoria for October 2026." in page
    assert not Invoice.objects.filter(council=billed.beta).exists()
    event = audit_of(AuditAction.INVOICE_ISSUED, october).get()
    assert event.actor_id is not None

    again = console.post("/console/billing/issue/", {"period": "2026-10-01"}).content.decode()
    assert Invoice.objects.filter(period=OCTOBER, kind=InvoiceKind.INVOICE).count() == 1
    assert "No invoice was issued now" in again


@pytest.mark.parametrize("period", ["2026-13-01", "garbage", "2026-09-01", ""])
def test_a_month_not_counted_or_malformed_is_refused_with_an_error_and_nothing_is_issued(
    console: Client, billed: Billed, period: str
) -> None:
    counted(billed.alpha, OCTOBER, 120)

    response = console.post("/console/billing/issue/", {"period": period})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert ("Choose one of the counted months" if period else "Choose the month to invoice") in page
    assert not Invoice.objects.exists()

"""The council's billing page on its own site: its plan, purchase order number and billing contact (changed by its
administrators, recorded in its audit trail and the platform's, issued invoices untouched), its usage by month and its
invoices and credit notes, each downloadable as HTML and PDF from the private storage. Administrators only; another
council's invoice is not found."""

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from billing.models import BillingAccount, Invoice, InvoiceStatus, Usage
from core.audit.models import AuditAction, AuditEvent
from core.council.storage import private_storage
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tenants.routing import routing_changed
from tests.billing.rows import invoice
from tests.conftest import sign_in
from tests.core.administration import person
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

PAGE = "/administration/billing/"
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def account(council_a: Council) -> BillingAccount:
    Council.objects.filter(pk=council_a.pk).update(activated_at=datetime.datetime(2025, 1, 6, 9, tzinfo=datetime.UTC))
    routing_changed()  # the site reads the council it remembers for its host
    return BillingAccount.objects.create(
        council=council_a,
        plan="standard",
        purchase_order_number="PO-2026/0042",
        billing_contact_name="Accounts payable",
        billing_contact_email="ap@alpha.example",
    )


@pytest.fixture
def documents() -> Iterator[list[str]]:
    """Names saved in the private storage by the test, removed after it (the rows are rolled back)."""
    names: list[str] = []
    yield names
    for name in names:
        private_storage().delete(name)


def _with_documents(row: Invoice, documents: list[str]) -> Invoice:
    storage = private_storage()
    html = storage.save(f"invoices/{row.jurisdiction}/{row.number}.html", ContentFile(b"<h1>" + row.number.encode()))
    pdf = storage.save(f"invoices/{row.jurisdiction}/{row.number}.pdf", ContentFile(PDF))
    documents.extend([html, pdf])
    Invoice.objects.filter(pk=row.pk).update(html_name=html, pdf_name=pdf)
    row.html_name, row.pdf_name = html, pdf
    return row


def _downloads(schema: str) -> list[AuditEvent]:
    with schema_context(schema):
        return list(AuditEvent.objects.filter(action=AuditAction.INVOICE_DOWNLOADED))


def _details_changes(schema: str) -> list[AuditEvent]:
    with schema_context(schema):
        return list(AuditEvent.objects.filter(action=AuditAction.BILLING_DETAILS_CHANGED))


def test_the_administration_index_links_to_billing(as_admin: Client) -> None:
    assert 'href="/administration/billing/">Billing</a>' in as_admin.get("/administration/").content.decode()


def test_an_administrator_sees_the_councils_plan_usage_and_invoices(
    as_admin: Client, council_a: Council, council_b: Council, account: BillingAccount
) -> None:
    Usage.objects.create(council=council_a, period=datetime.date(2026, 5, 1), active_practitioners=143)
    Usage.objects.create(council=council_b, period=datetime.date(2026, 5, 1), active_practitioners=777)
    april = invoice(council_a, period=datetime.date(2026, 4, 1), subtotal=120_000, issued_on=datetime.date(2026, 5, 1))
    paid = invoice(council_a, period=datetime.date(2026, 3, 1), subtotal=100_000, status=InvoiceStatus.PAID)
    note = invoice(council_a, period=april.period, subtotal=-20_000, credits=april)
    beta = invoice(council_b, period=datetime.date(2026, 4, 1), subtotal=90_000)
    response = as_admin.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Standard" in page
    assert "PO-2026/0042" in page
    assert 'value="ap@alpha.example"' in page  # the form starts from the details as they are
    assert ">143<" in page
    assert ">777<" not in page
    for row in (april, paid, note):
        assert row.number in page
    assert beta.number not in page
    assert "£1,440.00" in page
    assert "Overdue</strong> since 31 May 2026" in page
    assert f"Credit note for {april.number}" in page
    assert "Being prepared" in page  # no documents yet: no link to follow
    assert 'aria-current="true"' in page  # within "Council administration"


def test_usage_is_listed_from_the_month_the_council_went_live(
    as_admin: Client, council_a: Council, account: BillingAccount
) -> None:
    Council.objects.filter(pk=council_a.pk).update(activated_at=datetime.datetime(2026, 3, 31, 23, tzinfo=datetime.UTC))
    routing_changed()  # the site reads the council it remembers for its host
    Usage.objects.create(council=council_a, period=datetime.date(2026, 4, 1), active_practitioners=61)
    page = as_admin.get(PAGE).content.decode()
    # Live from 1 April in London (31 March 23:00 UTC): April to June, never the months before it came aboard.
    for month in ("June 2026", "May 2026", "April 2026"):
        assert f"{month}</th>" in page
    assert "March 2026</th>" not in page
    assert ">61<" in page
    assert page.count("Not counted") == 2  # May (not yet counted) and June (still running)


def test_a_council_without_a_billing_account_is_told_so(as_admin: Client) -> None:
    page = as_admin.get(PAGE).content.decode()
    assert "has no billing account yet" in page
    assert "Save billing details" not in page


def test_a_practitioner_who_is_not_an_administrator_is_refused(
    client_a: Client, council_a: Council, police: Agency, account: BillingAccount
) -> None:
    practitioner = person(council_a, police, "pc@police.example")
    sign_in(client_a, practitioner.user, council_a)
    assert client_a.get(PAGE).status_code == 403
    response = client_a.post(
        PAGE,
        {
            "purchase_order_number": "PO-HIJACK",
            "billing_contact_name": "Mallory",
            "billing_contact_email": "mallory@evil.example",
        },
    )
    assert response.status_code == 403
    assert BillingAccount.objects.get(pk=account.pk).purchase_order_number == "PO-2026/0042"
    assert _details_changes(council_a.schema_name) == []


def test_the_page_is_not_on_the_platform_host(platform_client: Client) -> None:
    assert platform_client.get(PAGE).status_code == 404


def test_changing_the_details_saves_them_records_both_trails_and_leaves_issued_invoices(
    as_admin: Client, council_a: Council, account: BillingAccount, admin: Practitioner
) -> None:
    issued = invoice(council_a, period=datetime.date(2026, 5, 1), subtotal=50_000)
    response = as_admin.post(
        PAGE,
        {
            "purchase_order_number": "  PO-2027/0001 ",
            "billing_contact_name": "Finance  team",
            "billing_contact_email": "Finance@Alpha.example",
        },
    )
    assert response.status_code == 302
    assert response.url == PAGE
    account.refresh_from_db()
    assert (account.purchase_order_number, account.billing_contact_name, account.billing_contact_email) == (
        "PO-2027/0001",
        "Finance team",
        "finance@alpha.example",
    )
    issued.refresh_from_db()
    assert (issued.purchase_order_number, issued.billing_contact_email) == ("PO-4471", "ap@council.example")
    [in_council] = _details_changes(council_a.schema_name)
    [in_platform] = _details_changes("public")
    for event in (in_council, in_platform):
        assert event.actor_id == admin.user_id
        assert event.object_id == "alpha"
        assert event.changes["purchase_order_number"] == {"old": "PO-2026/0042", "new": "PO-2027/0001"}
        assert event.path == PAGE
    assert in_council.council == council_a.schema_name
    assert in_platform.council == "public"
    assert "The purchase order number and billing contact are saved." in as_admin.get(PAGE).content.decode()


def test_saving_the_same_details_changes_and_records_nothing(
    as_admin: Client, council_a: Council, account: BillingAccount
) -> None:
    same = {
        "purchase_order_number": account.purchase_order_number,
        "billing_contact_name": account.billing_contact_name,
        "billing_contact_email": account.billing_contact_email,
    }
    assert as_admin.post(PAGE, same).status_code == 302
    assert _details_changes(council_a.schema_name) == []
    assert "Nothing has changed." in as_admin.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"purchase_order_number": ""}, "purchase_order_number", "Enter the purchase order number"),
        ({"purchase_order_number": "PO<script>"}, "purchase_order_number", "can only have letters, numbers"),
        ({"purchase_order_number": "P" * 51}, "purchase_order_number", "must be 50 characters or fewer"),
        ({"billing_contact_name": "   "}, "billing_contact_name", "Enter the name of the billing contact"),
        ({"billing_contact_email": "finance-at-alpha"}, "billing_contact_email", "in the correct format"),
        ({"billing_contact_email": ""}, "billing_contact_email", "Enter the billing contact"),
    ],
)
def test_malformed_details_are_shown_again_with_the_error_and_nothing_changes(
    as_admin: Client,
    council_a: Council,
    account: BillingAccount,
    typed: dict[str, str],
    field: str,
    message: str,
) -> None:
    posted = {
        "purchase_order_number": "PO-NEW-1",
        "billing_contact_name": "New contact",
        "billing_contact_email": "new@alpha.example",
    } | typed
    response = as_admin.post(PAGE, posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'<a href="#id_{field}">' in page
    assert message in page
    assert "<title>Error: Billing" in page
    assert 'value="New contact"' in page or field == "billing_contact_name"  # what was typed is kept
    assert "PO&lt;script&gt;" in page or "<script>" not in typed.get("purchase_order_number", "")
    account.refresh_from_db()
    assert account.purchase_order_number == "PO-2026/0042"
    assert account.billing_contact_email == "ap@alpha.example"
    assert _details_changes(council_a.schema_name) == []
    assert _details_changes("public") == []


def test_an_administrator_downloads_the_html_and_pdf_and_each_is_recorded(
    as_admin: Client, council_a: Council, admin: Practitioner, documents: list[str]
) -> None:
    row = _with_documents(invoice(council_a, period=datetime.date(2026, 5, 1), subtotal=50_000), documents)
    page = as_admin.get(PAGE).content.decode()
    assert f'href="/administration/billing/invoices/{row.pk}/document.pdf"' in page
    assert f'href="/administration/billing/invoices/{row.pk}/document.html"' in page
    pdf = as_admin.get(f"/administration/billing/invoices/{row.pk}/document.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{row.number}.pdf"'
    assert b"".join(pdf.streaming_content) == PDF
    html = as_admin.get(f"/administration/billing/invoices/{row.pk}/document.html")
    assert html["Content-Disposition"] == f'attachment; filename="{row.number}.html"'
    assert b"".join(html.streaming_content).startswith(b"<h1>PW-")
    downloads = _downloads(council_a.schema_name)
    assert [(event.actor_id, event.object_id) for event in downloads] == [(admin.user_id, str(row.pk))] * 2
    assert {event.reason for event in downloads} == {f"{row.number} (PDF)", f"{row.number} (HTML)"}


def test_an_unknown_kind_or_a_document_not_made_yet_is_not_found(
    as_admin: Client, council_a: Council, documents: list[str]
) -> None:
    bare = invoice(council_a, period=datetime.date(2026, 5, 1), subtotal=50_000)
    assert as_admin.get(f"/administration/billing/invoices/{bare.pk}/document.pdf").status_code == 404
    made = _with_documents(invoice(council_a, period=datetime.date(2026, 4, 1), subtotal=50_000), documents)
    assert as_admin.get(f"/administration/billing/invoices/{made.pk}/document.exe").status_code == 404
    assert _downloads(council_a.schema_name) == []


def test_council_bs_administrator_asking_for_council_as_invoice_is_not_found_and_nothing_is_recorded(
    client_b: Client, council_a: Council, council_b: Council, documents: list[str]
) -> None:
    row = _with_documents(invoice(council_a, period=datetime.date(2026, 5, 1), subtotal=50_000), documents)
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["beta.example"])
    beta_admin = person(council_b, agency, "admin@beta.example", is_council_admin=True)
    sign_in(client_b, beta_admin.user, council_b)
    for kind in ("pdf", "html"):
        assert client_b.get(f"/administration/billing/invoices/{row.pk}/document.{kind}").status_code == 404
    assert row.number not in client_b.get(PAGE).content.decode()
    assert _downloads(council_a.schema_name) == []
    assert _downloads(council_b.schema_name) == []


def test_a_practitioner_cannot_download_an_invoice(
    client_a: Client, council_a: Council, police: Agency, documents: list[str]
) -> None:
    row = _with_documents(invoice(council_a, period=datetime.date(2026, 5, 1), subtotal=50_000), documents)
    practitioner: Practitioner = person(council_a, police, "pc@police.example")
    sign_in(client_a, practitioner.user, council_a)
    assert client_a.get(f"/administration/billing/invoices/{row.pk}/document.pdf").status_code == 403
    assert _downloads(council_a.schema_name) == []


def test_the_page_costs_the_same_queries_however_many_invoices(
    as_admin: Client, council_a: Council, account: BillingAccount, django_assert_max_num_queries: object
) -> None:
    def reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_admin.get(PAGE).status_code == 200
        return sum(1 for query in captured.captured_queries if not query["sql"].startswith("SET search_path"))

    invoice(council_a, period=datetime.date(2020, 1, 1), subtotal=1_000)
    as_admin.get(PAGE)  # the site looks its council up once (the fixture changed it), then remembers it
    few = reads()
    period = datetime.date(2020, 2, 1)
    for _ in range(30):
        credited = invoice(council_a, period=period, subtotal=10_000)
        invoice(council_a, period=period, subtotal=-100, credits=credited)
        period = (period + datetime.timedelta(days=32)).replace(day=1)
    assert reads() == few
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        as_admin.get(PAGE)

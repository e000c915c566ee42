"""In a real browser: the operator's page of Staffordshire, the platform audit and the billing overview in the console,
and Staffordshire's own billing page for its administrator, each checked with axe (WCAG 2.2 AA) and photographed.

The served demo may have no billing yet: Staffordshire is given a billing account, three counted months, an invoice,
a credit note against it and an invoice paid, in the served demo's database (either PostgreSQL), if they are not
there already. Their numbers are in a series of their own, so they never take one the demo's invoices would.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, served_demo_env
from tests.e2e.staffordshire import BACKUP_CODE, PASSWORD, checked
from tests.e2e.staffordshire import sign_in as sign_in_to_staffordshire

pytestmark = pytest.mark.platform_side

OPERATOR = "operator@patchwork.example"
ADMINISTRATOR = "helen.bradbury@staffordshire-earlyhelp.example"
INVOICE = "PW-EN-E2E-000001"
CREDIT_NOTE = "PW-EN-E2E-000002"

PLANT = """
import datetime
from decimal import Decimal
from django.utils import timezone
from billing.models import BillingAccount, Invoice, InvoiceKind, InvoiceStatus, Usage
from billing.prices import month_before, month_start
from tenants.models import Council

council = Council.objects.get(slug="staffordshire")
BillingAccount.objects.get_or_create(council=council, defaults=dict(
    plan="standard", purchase_order_number="PO-SCC-2026/118", billing_contact_name="Accounts payable",
    billing_contact_email="accounts.payable@staffordshire.example"))
this_month = month_start(timezone.localdate())
months = [month_before(this_month)]
for _ in range(2):
    months.append(month_before(months[-1]))
for period, count in zip(months, (212, 205, 198)):
    Usage.objects.get_or_create(council=council, period=period, defaults={"active_practitioners": count})

def issue(number, sequence, period, subtotal, **fields):
    if Invoice.objects.filter(number=number).exists():
        return Invoice.objects.get(number=number)
    tax = int(subtotal * Decimal("0.2"))
    issued_on = fields.pop("issued_on", this_month)
    return Invoice.objects.create(
        number=number, sequence=sequence, jurisdiction=council.jurisdiction, council=council, period=period,
        council_name=council.name, plan="standard", purchase_order_number="PO-SCC-2026/118",
        billing_contact_name="Accounts payable", billing_contact_email="accounts.payable@staffordshire.example",
        currency="GBP", tax_name="VAT", tax_rate=Decimal("0.2000"), subtotal_minor=subtotal, tax_minor=tax,
        total_minor=subtotal + tax, issued_on=issued_on, due_on=issued_on + datetime.timedelta(days=30), **fields)

invoice = issue(%(invoice)r, 990001, months[0], 180200, issued_on=months[0])
issue(%(credit_note)r, 990002, months[0], -8500, kind=InvoiceKind.CREDIT_NOTE, credits=invoice,
      reason="Two practitioners counted twice")
issue("PW-EN-E2E-000003", 990003, months[1], 174250, issued_on=months[1], status=InvoiceStatus.PAID,
      paid_on=months[1] + datetime.timedelta(days=12))
"""


def _billing_planted(var_dir: Path, port: str) -> None:
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            PLANT % {"invoice": INVOICE, "credit_note": CREDIT_NOTE},
        ],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def _operator_signs_in(page: object, platform: str) -> None:
    page.goto(f"{platform}/console/")  # type: ignore[attr-defined]
    page.fill("#id_email", OPERATOR)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/")  # type: ignore[attr-defined]


def test_the_operators_council_audit_and_billing_pages_pass_axe(
    demo_server: str, demo_var_dir: Path, page: object
) -> None:
    _billing_planted(demo_var_dir, demo_server)
    platform = f"http://localhost:{demo_server}"
    _operator_signs_in(page, platform)

    page.click("main a:has-text('Staffordshire County Council')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/councils/staffordshire/")  # type: ignore[attr-defined]
    council = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Up to date" in council
    assert INVOICE in council
    assert CREDIT_NOTE in council
    assert "PO-SCC-2026/118" in council
    checked(page, "billing-01-console-council")

    page.click("nav a:has-text('Audit')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/audit/")  # type: ignore[attr-defined]
    assert "Signed in" in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, "billing-02-console-audit")

    page.select_option("#id_action", "sign_in")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button:has-text('Filter')")  # type: ignore[attr-defined]
    assert "matching the filters" in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, "billing-03-console-audit-filtered")

    page.click("nav a:has-text('Billing')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/billing/")  # type: ignore[attr-defined]
    overview = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Revenue per month in GBP, before tax" in overview
    assert INVOICE in overview
    assert page.locator("svg[role=img] title").count() >= 1  # type: ignore[attr-defined]
    checked(page, "billing-04-console-overview")


def test_staffordshires_administrator_sees_its_billing_page_and_it_passes_axe(
    demo_server: str, demo_var_dir: Path, page: object
) -> None:
    _billing_planted(demo_var_dir, demo_server)
    site = f"http://staffordshire.localhost:{demo_server}"
    sign_in_to_staffordshire(page, demo_server, ADMINISTRATOR)
    page.goto(f"{site}/administration/")  # type: ignore[attr-defined]
    page.click("main a:has-text('Billing')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site}/administration/billing/")  # type: ignore[attr-defined]
    billing = page.inner_text("main")  # type: ignore[attr-defined]
    assert INVOICE in billing
    assert CREDIT_NOTE in billing
    assert "212" in billing
    checked(page, "billing-05-council-billing")

    page.fill("#id_purchase_order_number", "PO <bad>")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button:has-text('Save billing details')")  # type: ignore[attr-defined]
    assert "There is a problem" in page.inner_text("main")  # type: ignore[attr-defined]
    assert page.input_value("#id_purchase_order_number") == "PO <bad>"  # type: ignore[attr-defined]
    checked(page, "billing-06-council-billing-error")

"""In a real browser: the operator's page of Staffordshire, the platform audit and the billing overview in the console,
and Staffordshire's own billing page for its administrator, each checked with axe (WCAG 2.2 AA) and photographed.

The demo bills its councils (three counted months, each invoiced, the oldest paid). Staffordshire's latest invoice is
given a credit note here through the billing service, in the served demo's database, unless it has one already.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, served_demo_env
from tests.e2e.staffordshire import checked, operator_signs_in
from tests.e2e.staffordshire import sign_in as sign_in_to_staffordshire

pytestmark = pytest.mark.platform_side

ADMINISTRATOR = "helen.bradbury@staffordshire-earlyhelp.example"

PLANT = """
import json
from billing.models import Invoice, InvoiceKind, Usage
from billing.services.credit_notes import credit_note_issue
from core.accounts.models import User
from core.audit.origin import Origin
from tenants.models import Council

council = Council.objects.get(slug="staffordshire")
invoice = Invoice.objects.filter(council=council, kind=InvoiceKind.INVOICE).order_by("-period").first()
note = invoice.credit_notes.first() or credit_note_issue(
    actor=User.objects.get(email="operator@patchwork.example"), invoice=invoice, amount_minor=900,
    reason="Two practitioners counted twice", origin=Origin(),
)
usage = Usage.objects.filter(council=council).order_by("-period").first()
print(json.dumps({"invoice": invoice.number, "credit_note": note.number,
                  "po": council.billing_account.purchase_order_number, "active": usage.active_practitioners}))
"""


def _billing_planted(var_dir: Path, port: str) -> dict[str, object]:
    """Staffordshire's latest invoice (with a credit note), its purchase order number and latest usage."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PLANT],
        env=served_demo_env(var_dir, port),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_operators_council_audit_and_billing_pages_pass_axe(
    demo_server: str, demo_var_dir: Path, page: object
) -> None:
    billed = _billing_planted(demo_var_dir, demo_server)
    platform = f"http://localhost:{demo_server}"
    operator_signs_in(page, platform)

    page.click("main a:has-text('Staffordshire County Council')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/councils/staffordshire/")  # type: ignore[attr-defined]
    council = page.inner_text("main")  # type: ignore[attr-defined]
    assert "Up to date" in council
    assert billed["invoice"] in council
    assert billed["credit_note"] in council
    assert billed["po"] in council
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
    assert billed["credit_note"] in overview
    assert page.locator("svg[role=img] title").count() >= 1  # type: ignore[attr-defined]
    checked(page, "billing-04-console-overview")

    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"main a:has-text('{billed['invoice']}')")  # type: ignore[attr-defined]
    invoice = page.inner_text("main")  # type: ignore[attr-defined]
    assert billed["credit_note"] in invoice
    assert "Record payment" in invoice
    checked(page, "billing-05-console-invoice")

    page.goto(f"{platform}/console/billing/prices/")  # type: ignore[attr-defined]
    assert "In force" in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, "billing-06-console-prices")

    page.goto(f"{platform}/console/billing/issue/")  # type: ignore[attr-defined]
    checked(page, "billing-07-console-issue-a-month")


def test_staffordshires_administrator_sees_its_billing_page_and_it_passes_axe(
    demo_server: str, demo_var_dir: Path, page: object
) -> None:
    billed = _billing_planted(demo_var_dir, demo_server)
    site = f"http://staffordshire.localhost:{demo_server}"
    sign_in_to_staffordshire(page, demo_server, ADMINISTRATOR)
    page.goto(f"{site}/administration/")  # type: ignore[attr-defined]
    page.click("main a:has-text('Billing')")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site}/administration/billing/")  # type: ignore[attr-defined]
    billing = page.inner_text("main")  # type: ignore[attr-defined]
    assert billed["invoice"] in billing
    assert billed["credit_note"] in billing
    assert f"{billed['active']:,}" in billing
    checked(page, "billing-08-council-billing")

    page.fill("#id_purchase_order_number", "PO <bad>")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button:has-text('Save billing details')")  # type: ignore[attr-defined]
    assert "There is a problem" in page.inner_text("main")  # type: ignore[attr-defined]
    assert page.input_value("#id_purchase_order_number") == "PO <bad>"  # type: ignore[attr-defined]
    checked(page, "billing-09-council-billing-error")

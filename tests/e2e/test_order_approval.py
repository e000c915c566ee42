"""In a real browser: a council orders Patchwork, an operator approves the order, the council is set up.

The operator signs in to the console, opens the orders, reads the order, confirms the approval and
lands on the council's provisioning page, which reaches "configuring". The first administrator's
invitation, read from the served demo's mail, opens on the council's own site. Every page on the
way is checked with axe and photographed, as in the other journeys.
"""

from pathlib import Path

import pytest

from tests.e2e.conftest import emails_to, link_in
from tests.e2e.staffordshire import checked, operator_signs_in, submit

pytestmark = pytest.mark.platform_side

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
COUNCIL = "Kingston City Council"  # Wyndham is ordered by the catalogue's own journey, Bristol by the demo
ADMIN = "leah.brennan@kingston-council.example"


def _order(page: object, platform: str, *, council: str = COUNCIL, subdomain: str = "kingston") -> str:
    """Order Patchwork from the catalogue, as the council's buyer would. Returns the order's reference."""
    page.goto(f"{platform}/order/")  # type: ignore[attr-defined]
    page.fill("#id_council_name", council)  # type: ignore[attr-defined]
    page.check("#id_jurisdiction_1")  # type: ignore[attr-defined]  # Victoria
    page.fill("#id_subdomain", subdomain)  # type: ignore[attr-defined]
    page.check("#id_plan_0")  # type: ignore[attr-defined]
    page.fill("#id_expected_practitioners", "450")  # type: ignore[attr-defined]
    page.fill("#id_purchase_order_number", "PO-77812")  # type: ignore[attr-defined]
    page.fill("#id_billing_contact_name", "Priya Natarajan")  # type: ignore[attr-defined]
    page.fill("#id_billing_contact_email", "accounts@kingston-council.example")  # type: ignore[attr-defined]
    page.fill("#id_dpo_name", "Tom Okafor")  # type: ignore[attr-defined]
    page.fill("#id_dpo_email", "dpo@kingston-council.example")  # type: ignore[attr-defined]
    page.fill("#id_admin_name", "Leah Brennan")  # type: ignore[attr-defined]
    page.fill("#id_admin_email", ADMIN)  # type: ignore[attr-defined]
    page.check("#id_accept_terms")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/order/placed/")  # type: ignore[attr-defined]
    return page.inner_text(".govuk-panel__body strong")  # type: ignore[attr-defined]


def test_an_operator_approves_an_order_and_the_council_is_set_up_to_configuring(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    platform = f"http://localhost:{demo_server}"
    buyer = browser.new_page()  # type: ignore[attr-defined]
    reference = _order(buyer, platform)
    buyer.close()
    assert reference.startswith("PW-")

    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    operator_signs_in(page, platform)

    page.click("nav a:has-text('Orders')")
    page.wait_for_url(f"{platform}/console/orders/")
    waiting = page.inner_text("main").split("Decided")[0]
    assert reference in waiting
    assert COUNCIL in waiting
    checked(page, "approval-01-orders")

    page.click(f"main a:has-text('{reference}')")
    page.wait_for_url(f"{platform}/console/orders/{reference}/")
    assert "leah.brennan@kingston-council.example" in page.inner_text("main")
    checked(page, "approval-02-order")

    page.click(f"main a:has-text('Approve order {reference}')")
    page.wait_for_url(f"{platform}/console/orders/{reference}/approve/")
    assert f"Approve the order from {COUNCIL}?" in page.inner_text("main")
    checked(page, "approval-03-confirm")

    submit(page, f"Approve order {reference}")
    assert page.url == f"{platform}/console/councils/kingston/provisioning/"
    # Without a broker the demo provisions at once; with one the page refreshes itself until it is done.
    page.wait_for_function(
        "document.querySelector('#council-status').innerText.includes('Configuring')", timeout=60_000
    )
    main = page.inner_text("main")
    assert f"Order {reference} is approved." in main
    assert "100% (5 of 5 steps done)" in main
    assert "Failed" not in main
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    checked(page, "approval-04-provisioned")

    page.click("nav a:has-text('Orders')")
    assert reference in page.inner_text("main").split("Decided")[1]
    context.close()

    # The first administrator's invitation opens the council's own site, to create the account.
    [invitation] = [
        message for message in emails_to(demo_var_dir, ADMIN) if "administrator account" in message["Subject"]
    ]
    link = link_in(invitation, rf"http://kingston\.localhost:{demo_server}/invitations/[A-Za-z0-9_-]+/")
    administrator = browser.new_page()  # type: ignore[attr-defined]
    administrator.goto(link)
    assert "Create your account" in administrator.inner_text("main")
    assert f"as council administrator for {COUNCIL}" in administrator.inner_text("main")
    checked(administrator, "approval-05-invitation")
    administrator.close()


def test_an_operator_rejects_an_order_with_a_reason_and_it_cannot_be_approved_after(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    platform = f"http://localhost:{demo_server}"
    buyer = browser.new_page()  # type: ignore[attr-defined]
    reference = _order(buyer, platform, council="Melton City Council", subdomain="melton")
    buyer.close()

    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    operator_signs_in(page, platform)
    page.goto(f"{platform}/console/orders/{reference}/")
    page.click(f"main a:has-text('Reject order {reference}')")
    page.wait_for_url(f"{platform}/console/orders/{reference}/reject/")
    checked(page, "rejection-01-reason")
    assert "Enter why you are rejecting the order" in submit(page, f"Reject order {reference}")
    assert page.title().startswith("Error: ")
    checked(page, "rejection-02-reason-missing")
    page.fill("#reason", "The council's purchase order number could not be matched.")
    submit(page, f"Reject order {reference}")
    assert page.url == f"{platform}/console/orders/"
    assert f"Order {reference} is rejected." in page.inner_text("main")
    checked(page, "rejection-03-orders")

    response = page.goto(f"{platform}/console/orders/{reference}/approve/")
    assert response.status == 409
    assert f"Order {reference} is already rejected. Nothing was changed." in page.inner_text("main")
    checked(page, "rejection-04-refused")
    context.close()

    told = emails_to(demo_var_dir, "leah.brennan@kingston-council.example")
    assert any("could not be matched" in str(message.get_body(preferencelist=("plain",))) for message in told)

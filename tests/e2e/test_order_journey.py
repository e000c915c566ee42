"""In a real browser: the catalogue on the platform host, and ordering Patchwork from it, each page checked with axe."""

import pytest

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.platform_side


def test_a_buyer_reads_the_service_page_and_orders_after_correcting_their_mistakes(
    demo_server: str, page: object
) -> None:
    base = f"http://localhost:{demo_server}"
    page.goto(f"{base}/")  # type: ignore[attr-defined]
    assert "£4.50 ex VAT" in page.content()  # type: ignore[attr-defined]
    assert "A$8.50 ex GST" in page.content()  # type: ignore[attr-defined]
    assert axe_violations(page) == []
    for path in ("/security/", "/terms/"):
        page.goto(f"{base}{path}")  # type: ignore[attr-defined]
        assert axe_violations(page) == [], path

    page.goto(f"{base}/")  # type: ignore[attr-defined]
    page.click("main a.govuk-button--start")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/order/")  # type: ignore[attr-defined]
    assert axe_violations(page) == []

    page.fill("#id_council_name", "Wyndham City Council")  # type: ignore[attr-defined]
    page.check("#id_jurisdiction_1")  # type: ignore[attr-defined]
    page.fill("#id_subdomain", "www")  # type: ignore[attr-defined]
    page.check("#id_plan_0")  # type: ignore[attr-defined]
    page.fill("#id_expected_practitioners", "many")  # type: ignore[attr-defined]
    page.fill("#id_purchase_order_number", "WCC-2026-118")  # type: ignore[attr-defined]
    page.fill("#id_billing_contact_name", "Sam Ortiz")  # type: ignore[attr-defined]
    page.fill("#id_billing_contact_email", "accounts@wyndham-council.example")  # type: ignore[attr-defined]
    page.fill("#id_admin_name", "Jo Nguyen")  # type: ignore[attr-defined]
    page.fill("#id_admin_email", "jo.nguyen@wyndham-council.example")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]

    summary = page.locator(".govuk-error-summary")  # type: ignore[attr-defined]
    assert summary.is_visible()
    text = summary.inner_text()
    assert "That subdomain is reserved" in text
    assert "Number of practitioners must be a whole number" in text
    assert "Enter the Data Protection Officer's full name" in text
    assert "Confirm that the council accepts the terms of service" in text
    assert page.title().startswith("Error: ")  # type: ignore[attr-defined]
    assert page.input_value("#id_council_name") == "Wyndham City Council"  # type: ignore[attr-defined]
    assert page.is_checked("#id_jurisdiction_1")  # type: ignore[attr-defined]
    assert axe_violations(page) == []

    page.fill("#id_subdomain", "wyndham")  # type: ignore[attr-defined]
    page.fill("#id_expected_practitioners", "320")  # type: ignore[attr-defined]
    page.fill("#id_dpo_name", "Alex Park")  # type: ignore[attr-defined]
    page.fill("#id_dpo_email", "dpo@wyndham-council.example")  # type: ignore[attr-defined]
    page.check("#id_accept_terms")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/order/placed/")  # type: ignore[attr-defined]
    panel = page.locator(".govuk-panel").inner_text()  # type: ignore[attr-defined]
    assert "Order placed" in panel
    assert "PW-" in panel
    assert axe_violations(page) == []

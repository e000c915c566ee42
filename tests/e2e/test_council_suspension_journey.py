"""In a real browser: an operator suspends a council from the console and resumes it.

Every page on the way (the reason page with its error, the console with its banner, the suspended
council's own page) is checked with axe and photographed, as in the other journeys.
"""

import pytest

from tests.e2e.staffordshire import checked, submit

pytestmark = pytest.mark.platform_side

OPERATOR = "operator@patchwork.example"
PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
COUNCIL = "Brighton & Hove City Council"  # the other journeys use Staffordshire


def test_an_operator_suspends_a_council_its_site_says_so_and_resuming_brings_it_back(
    demo_server: str, page: object
) -> None:
    platform = f"http://localhost:{demo_server}"
    council_site = f"http://brighton-hove.localhost:{demo_server}"

    page.goto(f"{platform}/console/")  # type: ignore[attr-defined]
    page.fill("#id_email", OPERATOR)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{platform}/console/")  # type: ignore[attr-defined]
    checked(page, "suspension-01-console")

    page.click(f"main a:has-text('Suspend {COUNCIL}')")  # type: ignore[attr-defined]
    page.wait_for_url("**/console/councils/brighton-hove/suspend/")  # type: ignore[attr-defined]
    checked(page, "suspension-02-reason")
    assert "Enter why you are suspending" in submit(page, f"Suspend {COUNCIL}")
    checked(page, "suspension-03-reason-missing")
    page.fill("#reason", "Contract paused while the council renews it")  # type: ignore[attr-defined]
    submit(page, f"Suspend {COUNCIL}")
    assert f"{COUNCIL} is suspended." in page.inner_text("main")  # type: ignore[attr-defined]
    checked(page, "suspension-04-suspended")

    visitor = page.context.browser.new_page()  # type: ignore[attr-defined]
    response = visitor.goto(f"{council_site}/")
    assert response.status == 503
    assert f"{COUNCIL} has suspended its use of Patchwork." in visitor.inner_text("main")
    checked(visitor, "suspension-05-council-site")
    api = visitor.goto(f"{council_site}/api/v1/me/")
    assert api.status == 503
    assert api.json()["detail"].startswith(f"{COUNCIL} has suspended")

    page.click(f"main a:has-text('Resume {COUNCIL}')")  # type: ignore[attr-defined]
    page.fill("#reason", "Contract renewed")  # type: ignore[attr-defined]
    submit(page, f"Resume {COUNCIL}")
    assert f"{COUNCIL} is resumed." in page.inner_text("main")  # type: ignore[attr-defined]
    assert visitor.goto(f"{council_site}/sign-in/").status == 200
    visitor.close()

"""In a real browser, a council administrator gives an agency's case-management system an API client: the list,
the page that shows the secret once, a new secret and revoking, each passing axe (A11Y-1) and photographed. The
secret shown is then used, as the system would, to get a token; after revoking, it no longer does."""

import re
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from tests.e2e.staffordshire import checked

pytestmark = pytest.mark.council_side

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
STAFFORDSHIRE_ADMINISTRATOR = "helen.bradbury@staffordshire-earlyhelp.example"


def _sign_in(page: object, site: str, email: str) -> None:
    page.goto(f"{site}/sign-in/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("main button[type=submit]")  # type: ignore[attr-defined]


def _token_status(port: str, client_id: str, secret: str) -> int:
    """What the agency's system gets from the token URL (no browser: a plain HTTP client, no cookies)."""
    body = urlencode({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}).encode()
    request = Request(
        f"http://127.0.0.1:{port}/api/v1/oauth/token/",
        data=body,
        headers={"Host": f"staffordshire.localhost:{port}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except HTTPError as error:
        return error.code


def test_an_administrator_adds_rotates_and_revokes_an_api_client(demo_server: str, browser: object) -> None:
    site = f"http://staffordshire.localhost:{demo_server}"
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()  # type: ignore[attr-defined]
    _sign_in(page, site, STAFFORDSHIRE_ADMINISTRATOR)

    page.goto(f"{site}/administration/agencies/")  # type: ignore[attr-defined]
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(link => link.href)")  # type: ignore[attr-defined]
    agency = next(href for href in hrefs if re.search(r"/administration/agencies/[0-9a-f-]{36}/$", href))
    page.goto(agency)  # type: ignore[attr-defined]
    page.click("main a[href$='/api-clients/']")  # type: ignore[attr-defined]
    checked(page, "api-clients-01-list")

    # Sent with nothing filled in.
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    assert "There is a problem" in page.content()  # type: ignore[attr-defined]
    checked(page, "api-clients-02-errors")

    page.fill("#id_name", "Mosaic")  # type: ignore[attr-defined]
    page.check("input[value='teams:read']")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    assert "This is the only time the secret is shown" in page.content()  # type: ignore[attr-defined]
    checked(page, "api-clients-03-secret")
    client_id, secret = (page.locator("main dd code").nth(index).inner_text() for index in (0, 1))  # type: ignore[attr-defined]
    assert _token_status(demo_server, client_id, secret) == 200

    page.click("main a:has-text('Back to the API clients')")  # type: ignore[attr-defined]
    page.click("main a:has-text('New secret')")  # type: ignore[attr-defined]
    checked(page, "api-clients-04-rotate")
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    new_secret = page.locator("main dd code").nth(1).inner_text()  # type: ignore[attr-defined]
    assert new_secret != secret
    assert _token_status(demo_server, client_id, secret) == 401

    page.click("main a:has-text('Back to the API clients')")  # type: ignore[attr-defined]
    page.click("main a:has-text('Revoke')")  # type: ignore[attr-defined]
    checked(page, "api-clients-05-revoke")
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    assert "Revoked" in page.content()  # type: ignore[attr-defined]
    checked(page, "api-clients-06-revoked")
    assert _token_status(demo_server, client_id, new_secret) == 401

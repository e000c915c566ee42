"""In Chromium, with a software authenticator (the DevTools protocol's virtual authenticator): a practitioner
signs in with a password and code, adds a passkey on the account page, signs out, signs in with the passkey
alone, then uses it as the second factor after the password, and removes it (AUTH-2)."""

import pytest

from tests.e2e.staffordshire import BACKUP_CODE, PASSWORD, checked

pytestmark = pytest.mark.council_side

EMAIL = "kate.lowe@cgl-staffordshire.example"  # used by no other journey: her passkey is hers alone


def _site(port: str) -> str:
    return f"http://staffordshire.localhost:{port}"


def _sign_out(page: object) -> None:
    page.click("header button:has-text('Sign out')")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/")  # type: ignore[attr-defined]


def test_a_passkey_is_added_then_signs_in_on_its_own_and_after_the_password(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]
    site = _site(demo_server)
    try:
        # Password and backup code, as ever.
        page.goto(f"{site}/sign-in/")
        page.fill("#id_email", EMAIL)
        page.fill("#id_password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/sign-in/code/")
        page.fill("#id_code", BACKUP_CODE)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{site}/")

        # The account page: add a passkey (the register script reloads the page when it is done).
        page.goto(f"{site}/account/passkeys/")
        checked(page, "passkeys-none")
        assert "You have no passkeys." in page.content()
        with page.expect_navigation():
            page.click("#passkey-register-button")
        assert "Your passkey is added." in page.content()
        assert page.locator("table.govuk-table tbody tr").count() == 1
        checked(page, "passkeys-one")
        assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
        _sign_out(page)

        # The passkey alone: no email, no password, no code.
        checked(page, "sign-in-with-passkey-offered")
        page.click("#passkey-verification-button")
        page.wait_for_url(f"{site}/")
        assert "Welcome, Kate" in page.content()
        _sign_out(page)

        # After the password, the passkey instead of a code.
        page.fill("#id_email", EMAIL)
        page.fill("#id_password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/sign-in/code/")
        checked(page, "sign-in-code-with-passkey")
        page.click("#passkey-verification-button")
        page.wait_for_url(f"{site}/")
        assert "Welcome, Kate" in page.content()

        # Removed, it no longer signs in; being the passkey this session rests on, removing it signs out.
        page.goto(f"{site}/account/passkeys/")
        page.click("table.govuk-table button:has-text('Remove')")
        page.wait_for_url(f"{site}/sign-in/")
        assert "You removed the passkey you signed in with, so you are signed out." in page.content()
        page.click("#passkey-verification-button")
        status = page.locator("#passkey-verification-status-message")
        status.wait_for(state="visible")
        assert page.url.endswith("/sign-in/")
    finally:
        context.close()

"""In a real browser: two-factor sign-in, accessible pages, and the session timeout warning (SES-2)."""

import pytest

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.council_side

EMAIL = "amy.collier@staffordshire-childrens.example"
PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"


def _sign_in(page: object, port: str) -> None:
    page.goto(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]
    assert page.url.endswith("/sign-in/?next=/")  # type: ignore[attr-defined]
    assert axe_violations(page) == []
    page.fill("#id_email", EMAIL)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    assert axe_violations(page) == []
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]


def test_sign_in_with_two_factors_reaches_the_council_home_and_pages_are_accessible(
    demo_server: str, page: object
) -> None:
    _sign_in(page, demo_server)
    assert "Welcome, Amy" in page.content()  # type: ignore[attr-defined]
    assert "Staffordshire County Council" in page.title()  # type: ignore[attr-defined]
    assert axe_violations(page) == []


def test_timeout_warning_appears_two_minutes_before_and_stay_signed_in_keeps_the_session(
    demo_server: str, page: object
) -> None:
    page.clock.install()  # type: ignore[attr-defined]
    _sign_in(page, demo_server)
    dialog = page.locator("#timeout-warning")  # type: ignore[attr-defined]
    assert not dialog.is_visible()
    page.clock.run_for("12:55")  # type: ignore[attr-defined]
    assert not dialog.is_visible()
    page.clock.run_for("00:10")  # type: ignore[attr-defined]
    assert dialog.is_visible()
    assert "You are about to be signed out" in dialog.inner_text()
    focused = page.evaluate("document.activeElement && document.activeElement.textContent.trim()")  # type: ignore[attr-defined]
    assert focused == "Stay signed in"
    assert axe_violations(page) == []

    with page.expect_response("**/account/keep-alive/") as keep_alive:  # type: ignore[attr-defined]
        page.click("text=Stay signed in")  # type: ignore[attr-defined]
    assert keep_alive.value.status == 204
    assert not dialog.is_visible()
    page.reload()  # type: ignore[attr-defined]
    assert "Welcome, Amy" in page.content()  # type: ignore[attr-defined]


def test_escape_closes_the_warning_and_keeps_the_session(demo_server: str, page: object) -> None:
    page.clock.install()  # type: ignore[attr-defined]
    _sign_in(page, demo_server)
    page.clock.run_for("13:05")  # type: ignore[attr-defined]
    dialog = page.locator("#timeout-warning")  # type: ignore[attr-defined]
    assert dialog.is_visible()
    with page.expect_response("**/account/keep-alive/"):  # type: ignore[attr-defined]
        page.keyboard.press("Escape")  # type: ignore[attr-defined]
    assert not dialog.is_visible()

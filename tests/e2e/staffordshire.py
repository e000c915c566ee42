"""Helpers the Staffordshire team journeys share: signing in as a demo account (both factors), sending a form
without JavaScript, and checking a page with axe while keeping its screenshot for a person to look at."""

import os
from pathlib import Path

from tests.e2e.conftest import axe_violations

PASSWORD = "demo-patchwork-2026"
BACKUP_CODE = "demo2fa"
SHOTS = Path(os.environ.get("PATCHWORK_E2E_SHOTS", "/tmp/patchwork_e2e_shots"))  # noqa: S108


def checked(page: object, name: str) -> None:
    """The page passes axe; a full-page screenshot is kept as ``<name>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    assert axe_violations(page) == []


def sign_in(page: object, port: str, email: str) -> None:
    """Sign in to Staffordshire's site with the demo password and backup code; ends on the home page."""
    page.goto(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]
    page.fill("#id_email", email)  # type: ignore[attr-defined]
    page.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**/sign-in/code/")  # type: ignore[attr-defined]
    page.fill("#id_code", BACKUP_CODE)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"http://staffordshire.localhost:{port}/")  # type: ignore[attr-defined]


def submit(page: object, button: str) -> str:
    """Press a form's button (every form here is sent without JavaScript) and return the page it leads to."""
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click(f"main button:has-text('{button}')")  # type: ignore[attr-defined]
    return page.content()  # type: ignore[attr-defined]
